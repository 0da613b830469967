package org.dml4j.model.cpu;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.ActivationLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The layer behind {@link org.dml4j.model.ResidualRelu}: y = max(x, 0) written over x, the residual sum,
 * which no other vertex reads (a sum's gradient needs neither its inputs nor its output); backward
 * dx = dy where y &gt; 0, in one operation. DL4J's ActivationLayer copies x forward and again backward.
 * Equal to it in both directions (tested in float64). Any other activation is DL4J's.
 */
public final class ResidualReluLayer extends ActivationLayer {
    /** The output of the last training forward pass (its zeros mask the gradient). */
    private INDArray output;

    public ResidualReluLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean relu() {
        return layerConf().getActivationFn() instanceof ActivationReLU && layerConf().getIDropout() == null;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!relu()) {
            return super.activate(training, workspaceMgr);
        }
        assertInputSet(false);
        INDArray y = workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, Transforms.relu(input, false));
        output = training ? y : null;
        return y;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!relu()) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        if (output == null) {
            throw new IllegalStateException("backprop without a training forward pass in " + layerId());
        }
        INDArray dx = CpuArrays.reluGradient(output, epsilon, ArrayType.ACTIVATION_GRAD, workspaceMgr);
        output = null;
        return new Pair<>(new DefaultGradient(), dx);
    }
}
