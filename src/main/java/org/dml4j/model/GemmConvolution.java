package org.dml4j.model;

import java.util.Collection;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.dml4j.model.cpu.GemmConvolutionLayer;
import org.dml4j.model.cpu.Layers;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A DL4J ConvolutionLayer whose layer runs, on the CPU, the cases where DL4J's oneDNN path was
 * measured slow as matrix products ({@link GemmConvolutionLayer}: 1×1 kernels at any stride in both
 * directions, and the backward pass of k×k stride-1 kernels with ≥ 256 input channels on maps of at
 * most 14×14); every other case is DL4J's own convolution. Same parameters, same JSON fields: a
 * network saved with it differs from DL4J's only in the class name (which is why it stays in this
 * package: model.zip names it).
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
