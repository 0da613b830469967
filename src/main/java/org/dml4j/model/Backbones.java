package org.dml4j.model;

import java.util.List;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.VisibleText;
import org.dml4j.error.UsageException;

/** The backbones {@code --model} accepts, in the order the help lists them. */
public final class Backbones {
    /** Every backbone dml4j builds. */
    public static final List<Backbone> ALL = List.of(ResNet.RESNET18, ResNet.RESNET34, ResNet.RESNET50,
            ResNet.RESNET101, ResNet.RESNET152);

    private Backbones() {
    }

    /**
     * @throws UsageException naming {@code --model} and the accepted names
     */
    public static Backbone parse(String name) {
        return ALL.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow(() -> new UsageException(
                "--model: unknown model " + VisibleText.quote(name) + "; choose one of " + names()));
    }

    /** The accepted names, comma-separated. */
    public static String names() {
        return ALL.stream().map(Backbone::name).collect(Collectors.joining(", "));
    }

    /**
     * The backbone {@code net} was built with.
     *
     * @throws IllegalArgumentException when no backbone of dml4j's is in it
     */
    public static Backbone of(ComputationGraph net) {
        return ALL.stream().filter(b -> b.isIn(net)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not a network of dml4j's layout (" + names() + ")"));
    }
}
