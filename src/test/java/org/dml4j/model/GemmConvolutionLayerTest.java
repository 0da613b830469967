package org.dml4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dml4j.loss.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * 1×1 convolutions as matrix products against DL4J's own convolution (float64): outputs, weight
 * gradients and input gradients, on small maps (examples side by side) and large ones (one product
 * per example); the gradient check; serialisation.
 */
@ExtendWith(DoublePrecision.class)
class GemmConvolutionLayerTest {

    /** conv 3×3 → conv (ours or DL4J's) → average pool → MSE output, so the conv's input gradient is used. */
    private static ComputationGraph net(boolean ours, int kernel, int stride, int side) {
        ConvolutionLayer.Builder conv = new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).nOut(5)
                .hasBias(false).convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY);
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE)
                .updater(new NoOp()).graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(side, side, 2))
                .addLayer("first", new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(4).hasBias(false)
                        .activation(Activation.IDENTITY).build(), "in")
                .addLayer("conv", ours ? new GemmConvolution(conv) : conv.build(), "first")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "conv")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "pool")
                .setOutputs("out").build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    private static INDArray x(int side) {
        Nd4j.getRandom().setSeed(7);
        return Nd4j.randn(DataType.DOUBLE, 3, 2, side, side);
    }

    private static INDArray y() {
        return Nd4j.createFromArray(new double[][] {{1, 0}, {0, 1}, {0.5, -0.5}});
    }

    @Test
    void equalsDl4jsConvolutionOnSmallAndLargeMapsAndForOtherKernels() {
        // 4×4 and 8×8 maps: side by side; 32×32 = 1024 positions: one product per example;
        // 3×3 and strided 1×1: DL4J's own path
        int[][] cases = {{1, 1, 4}, {1, 1, 8}, {1, 1, 32}, {3, 1, 8}, {1, 2, 8}};
        for (int[] c : cases) {
            ComputationGraph ours = net(true, c[0], c[1], c[2]);
            ComputationGraph theirs = net(false, c[0], c[1], c[2]);
            theirs.setParams(ours.params());
            INDArray x = x(c[2]);
            assertTrue(ours.outputSingle(true, x).equalsWithEps(theirs.outputSingle(true, x), 1e-12));
            for (ComputationGraph n : new ComputationGraph[] {ours, theirs}) {
                n.setInputs(x);
                n.setLabels(y());
                n.computeGradientAndScore();
            }
            INDArray a = ours.getFlattenedGradients();
            INDArray b = theirs.getFlattenedGradients();
            String what = "kernel " + c[0] + " stride " + c[1] + " side " + c[2];
            assertTrue(b.norm2Number().doubleValue() > 0, what);
            // the first layer's gradient depends on the conv's input gradient, the conv's own on dW
            assertTrue(a.sub(b).norm2Number().doubleValue() <= 1e-12 * b.norm2Number().doubleValue(),
                    what + "\n" + a + "\n" + b);
        }
        assertTrue(GemmConvolutionLayer.SIDE_BY_SIDE_BELOW > 8 * 8 && GemmConvolutionLayer.SIDE_BY_SIDE_BELOW <= 32 * 32,
                "the cases above cover both paths");
    }

    @Test
    void gradientCheckInDoublePrecisionOnBothPaths() {
        for (int side : new int[] {4, 32}) {
            ComputationGraph net = net(true, 1, 1, side);
            assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                    .inputs(new INDArray[] {x(side)}).labels(new INDArray[] {y()})
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)), "side " + side);
        }
    }

    @Test
    void survivesJsonAndModelSerialisation() throws java.io.IOException {
        ComputationGraph net = net(true, 1, 1, 4);
        ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(net.getConfiguration().toJson());
        assertEquals(net.getConfiguration(), conf);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, false);
        ComputationGraph back = ModelSerializer.restoreComputationGraph(
                new java.io.ByteArrayInputStream(bytes.toByteArray()), false);
        assertTrue(back.getLayer("conv") instanceof GemmConvolutionLayer);
        assertEquals(net.outputSingle(false, x(4)), back.outputSingle(false, x(4)));
    }
}
