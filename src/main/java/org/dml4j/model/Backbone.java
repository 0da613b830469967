package org.dml4j.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A backbone network, what {@code --model} names: it adds its layers to a graph and knows its own
 * layer names, including how other tools name them (for weight import). {@link ResNet} is the one
 * family so far; a new backbone is one class implementing this and one entry in {@link Backbones}.
 */
public interface Backbone {
    /** The name {@code --model} takes, e.g. {@code ResNet50}. */
    String name();

    /** Width of the pooled features (the embedding when {@code --embedding_size} is 0). */
    int featureWidth();

    /** Whether {@code --stride_in_1x1} applies (where the first block of a stage strides). */
    boolean hasStrideChoice();

    /**
     * Adds the backbone after the input vertex {@code input}.
     *
     * @param arch input shape and layout choices (its embedding size is the caller's business)
     * @return the vertex whose output is the pooled features [N, {@link #featureWidth()}]
     */
    String addTo(GraphBuilder graph, String input, Architecture arch);

    /** The vertex {@link #addTo} returns. */
    String pooledVertex();

    /** Whether {@code net} holds this backbone (told from its layer names). */
    boolean isIn(ComputationGraph net);

    /** Whether {@code net}'s blocks stride in their first 1×1 convolution ({@code --stride_in_1x1=True}). */
    boolean stridesIn1x1(ComputationGraph net);

    /**
     * Our layer for a layer of the Keras application model of this backbone (tf.keras or Keras 2.2
     * names), or null when none matches; {@code fc_0} for Keras' classifier.
     */
    String kerasLayer(String kerasName);

    /**
     * The first convolution, the one that sees the input pixels (an importer folds another
     * framework's input preprocessing into it).
     */
    String stemConvolution();

    /** The BatchNorm layer that follows convolution {@code conv}, by the backbone's naming. */
    String batchNormOf(String conv);
}
