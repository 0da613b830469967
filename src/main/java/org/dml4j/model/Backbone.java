package org.dml4j.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The backbones {@code --model} accepts: the original's ResNet50/101/152 (bottleneck blocks) and
 * ResNet18/34 (basic blocks) for CPU users.
 */
public enum Backbone {
    ResNet18, ResNet34, ResNet50, ResNet101, ResNet152;

    /**
     * @throws IllegalArgumentException naming {@code --model} and the accepted names
     */
    public static Backbone parse(String name) {
        for (Backbone b : values()) {
            if (b.name().equals(name)) {
                return b;
            }
        }
        throw new IllegalArgumentException("--model: unknown model '" + name + "'; choose one of "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
    }
}
