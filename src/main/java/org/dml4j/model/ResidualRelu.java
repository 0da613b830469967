package org.dml4j.model;

import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.dml4j.model.cpu.ResidualReluLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The ReLU after a residual block's sum: DL4J's ActivationLayer (same JSON fields, so everything that reads
 * an ActivationLayer reads it) whose layer applies the ReLU in place on the sum, which nothing else reads,
 * and takes its gradient in one operation ({@link ResidualReluLayer}); DL4J's copies the sum forward and
 * backward (docs/PERFORMANCE.md, change 12). It stays in this package: model.zip names the class.
 */
public class ResidualRelu extends ActivationLayer {

    /** ReLU. */
    public ResidualRelu() {
        super(Activation.RELU);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> listeners, int index,
                                                       INDArray paramsView, boolean initializeParams,
                                                       DataType dataType) {
        ResidualReluLayer layer = new ResidualReluLayer(conf, dataType);
        layer.setListeners(listeners);
        layer.setIndex(index);
        layer.setParamsViewArray(paramsView);
        Map<String, INDArray> params = initializer().init(conf, paramsView, initializeParams);
        layer.setParamTable(params);
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ResidualRelu clone() {
        return (ResidualRelu) super.clone();
    }
}
