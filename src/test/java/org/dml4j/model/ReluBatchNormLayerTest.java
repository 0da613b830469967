package org.dml4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.loss.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** BatchNorm with ReLU in one layer: the gradient check, and equality with a separate ReLU layer. */
@ExtendWith(DoublePrecision.class)
class ReluBatchNormLayerTest {

    private static ComputationGraph net(boolean fused) {
        GraphBuilder g = new NeuralNetConfiguration.Builder().seed(4).dataType(DataType.DOUBLE).updater(new NoOp())
                .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(6, 6, 3))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4).hasBias(false)
                        .activation(Activation.IDENTITY).build(), "in");
        RegularizedBatchNorm bn = RegularizedBatchNorm.of(0.9, 1e-5);
        String last = "bn";
        if (fused) {
            g.addLayer("bn", bn.withRelu(), "conv");
        } else {
            g.addLayer("bn", bn, "conv").addLayer("relu", new ActivationLayer.Builder().activation(Activation.RELU)
                    .build(), "bn");
            last = "relu";
        }
        g.addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), last)
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "pool").setOutputs("out");
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        return net;
    }

    private static INDArray x() {
        Nd4j.getRandom().setSeed(12);
        return Nd4j.randn(DataType.DOUBLE, 5, 3, 6, 6);
    }

    private static INDArray y() {
        return Nd4j.createFromArray(new double[][] {{1, 0}, {0, 1}, {0.5, 0.5}, {-1, 2}, {0.2, -0.3}});
    }

    @Test
    void gradientCheckInDoublePrecision() {
        ComputationGraph net = net(true);
        assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                .inputs(new INDArray[] {x()}).labels(new INDArray[] {y()}).excludeParams(Set.of("bn_mean", "bn_var"))
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)));
    }

    @Test
    void equalsBatchNormFollowedByAReluLayerInBothDirections() {
        ComputationGraph fused = net(true);
        ComputationGraph separate = net(false);
        separate.setParams(fused.params());
        for (boolean training : new boolean[] {false, true}) {
            assertEquals(separate.outputSingle(training, x()), fused.outputSingle(training, x()));
        }
        separate.setParams(fused.params());
        for (ComputationGraph n : new ComputationGraph[] {fused, separate}) {
            n.setInputs(x());
            n.setLabels(y());
            n.computeGradientAndScore();
        }
        INDArray a = fused.getFlattenedGradients();
        INDArray b = separate.getFlattenedGradients();
        assertTrue(a.sub(b).norm2Number().doubleValue() <= 1e-12 * b.norm2Number().doubleValue(), a + "\n" + b);
        assertTrue(b.norm2Number().doubleValue() > 0);
        assertEquals(separate.score(), fused.score(), 1e-12);
    }

    @Test
    void theFusedLayerSurvivesJsonAndModelSerialisation() throws java.io.IOException {
        ComputationGraph net = net(true);
        var conf = org.deeplearning4j.nn.conf.ComputationGraphConfiguration.fromJson(net.getConfiguration().toJson());
        assertEquals(net.getConfiguration(), conf);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        org.deeplearning4j.util.ModelSerializer.writeModel(net, bytes, false);
        ComputationGraph back = org.deeplearning4j.util.ModelSerializer.restoreComputationGraph(
                new java.io.ByteArrayInputStream(bytes.toByteArray()), false);
        assertTrue(back.getLayer("bn") instanceof ReluBatchNormLayer);
        assertEquals(net.outputSingle(false, x()), back.outputSingle(false, x()));
    }
}
