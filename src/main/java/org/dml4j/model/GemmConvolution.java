package org.dml4j.model;

import java.util.Collection;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A DL4J ConvolutionLayer whose 1×1, stride-1 case runs as plain matrix products
 * ({@link GemmConvolutionLayer}); every other kernel is DL4J's own convolution. Same parameters,
 * same JSON fields: a network saved with it differs from DL4J's only in the class name.
 */
public class GemmConvolution extends ConvolutionLayer {

    /** For JSON deserialisation. */
    public GemmConvolution() {
    }

    /** The layer the builder describes, e.g. {@code new GemmConvolution(new ConvolutionLayer.Builder(1, 1).nOut(64))}. */
    public GemmConvolution(ConvolutionLayer.Builder builder) {
        super(builder);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> listeners, int index,
                                                       INDArray paramsView, boolean initializeParams,
                                                       DataType dataType) {
        return Layers.wire(new GemmConvolutionLayer(conf, dataType), conf, listeners, index, paramsView, initializeParams,
                initializer());
    }

    @Override
    public GemmConvolution clone() {
        return (GemmConvolution) super.clone();
    }
}
