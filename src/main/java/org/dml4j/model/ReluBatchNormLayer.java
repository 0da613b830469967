package org.dml4j.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * BatchNorm followed by ReLU in one layer: the ReLU is applied in place on the normalised output
 * (no second activation array), and backprop masks the incoming gradient where the output is 0
 * (output &gt; 0 exactly where the normalised value was &gt; 0) before BatchNorm's own backprop.
 * DL4J M2.1's BatchNormalization ignores a configured activation, hence this layer.
 */
final class ReluBatchNormLayer extends BatchNormalization {
    private INDArray output;

    ReluBatchNormLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray out = Transforms.relu(super.activate(training, workspaceMgr), false);
        output = training ? out : null;
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (output == null) {
            throw new IllegalStateException("backprop without a training forward pass in " + layerId());
        }
        INDArray masked = epsilon.mul(Transforms.sign(output, true));
        output = null;
        return super.backpropGradient(masked, workspaceMgr);
    }
}
