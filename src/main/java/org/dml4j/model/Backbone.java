package org.dml4j.model;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.dml4j.data.VisibleText;
import org.dml4j.error.UsageException;

/**
 * The backbones {@code --model} accepts: the original's ResNet50/101/152 (bottleneck blocks) and
 * ResNet18/34 (basic blocks) for CPU users.
 */
public enum Backbone {
    ResNet18(false, 2, 2, 2, 2),
    ResNet34(false, 3, 4, 6, 3),
    ResNet50(true, 3, 4, 6, 3),
    ResNet101(true, 3, 4, 23, 3),
    ResNet152(true, 3, 8, 36, 3);

    private final boolean bottleneck;
    private final int[] blocks;

    Backbone(boolean bottleneck, int... blocks) {
        this.bottleneck = bottleneck;
        this.blocks = blocks;
    }

    /** Bottleneck blocks (1×1, 3×3, 1×1; ResNet50+) or basic blocks (3×3, 3×3; ResNet18/34). */
    public boolean bottleneck() {
        return bottleneck;
    }

    /** Number of blocks in each of the four stages. */
    public int[] blocks() {
        return blocks.clone();
    }

    /** Width of the pooled feature: 2048 for bottleneck networks, 512 otherwise. */
    public int featureWidth() {
        return bottleneck ? 2048 : 512;
    }

    /**
     * @throws UsageException naming {@code --model} and the accepted names
     */
    public static Backbone parse(String name) {
        for (Backbone b : values()) {
            if (b.name().equals(name)) {
                return b;
            }
        }
        throw new UsageException("--model: unknown model " + VisibleText.quote(name) + "; choose one of "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
    }
}
