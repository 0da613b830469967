package org.dml4j.model.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dml4j.loss.DoublePrecision;
import org.dml4j.model.GemmConvolution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Our convolution paths against DL4J's own convolution (float64): outputs, weight gradients and input
 * gradients — 1×1 on small maps (examples side by side) and large ones (one product per example), the
 * im2col backward pass of wide 3×3 layers on small maps, and the shapes left to DL4J; the gradient
 * check; serialisation.
 */
@ExtendWith(DoublePrecision.class)
class GemmConvolutionLayerTest {

    /** conv 3×3 → conv (ours or DL4J's) → average pool → MSE output, so the conv's input gradient is used. */
    private static ComputationGraph net(boolean ours, int kernel, int stride, int side) {
        return net(ours, kernel, stride, side, 4);
    }

    private static ComputationGraph net(boolean ours, int kernel, int stride, int side, int channels) {
        return net(ours, kernel, stride, side, channels, DataType.DOUBLE);
    }

    private static ComputationGraph net(boolean ours, int kernel, int stride, int side, int channels, DataType type) {
        ConvolutionLayer.Builder conv = new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride)
                .padding(kernel / 2, kernel / 2).nOut(5)
                .hasBias(false).convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY);
        return TestGraphs.withPooledMseOutput(new NeuralNetConfiguration.Builder().seed(3).dataType(type)
                .updater(new NoOp()).graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(side, side, 2))
                .addLayer("first", new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(channels).hasBias(false)
                        .activation(Activation.IDENTITY).build(), "in")
                .addLayer("conv", ours ? new GemmConvolution(conv) : conv.build(), "first"), "conv");
    }

    private static INDArray x(int side) {
        Nd4j.getRandom().setSeed(7);
        return Nd4j.randn(DataType.DOUBLE, 3, 2, side, side);
    }

    /** Which path the conv layer took in its last pass. */
    private static boolean ownPath(ComputationGraph net) {
        return ((GemmConvolutionLayer) net.getLayer("conv")).ownPath();
    }

    private static INDArray y() {
        return Nd4j.createFromArray(new double[][] {{1, 0}, {0, 1}, {0.5, -0.5}});
    }

    @Test
    void equalsDl4jsConvolutionOnSmallAndLargeMapsAndForOtherKernels() {
        // {kernel, stride, side, input channels}. 1×1 on 4×4 and 8×8 maps: side by side; on 32×32 = 1024
        // positions: one product per example. 3×3 with 256 channels on 4×4 and 14×14 maps: im2col
        // backward. 1×1 at stride 2 on even and odd sides, down to a single position. DL4J's own: 3×3 with 4 channels, 3×3 on 16×16 =
        // 256 positions, strided 3×3.
        int[][] cases = {{1, 1, 4, 4}, {1, 1, 8, 4}, {1, 1, 32, 4}, {3, 1, 4, 256}, {3, 1, 14, 256}, {1, 2, 8, 4},
            {1, 2, 7, 4}, {1, 2, 64, 4}, {1, 2, 1, 4}, {1, 2, 2, 4}, {1, 2, 3, 4}, {3, 1, 1, 256}, {3, 1, 2, 256}, {3, 1, 8, 4}, {3, 1, 16, 256}, {3, 2, 8, 256}};
        for (int[] c : cases) {
            ComputationGraph ours = net(true, c[0], c[1], c[2], c[3]);
            ComputationGraph theirs = net(false, c[0], c[1], c[2], c[3]);
            theirs.setParams(ours.params());
            INDArray x = x(c[2]);
            assertTrue(ours.outputSingle(true, x).equalsWithEps(theirs.outputSingle(true, x), 1e-12));
            assertEquals(c[0] == 1 || c[1] == 1 && c[3] == 256 && c[2] <= 14, ownPath(ours), Arrays.toString(c));
            String what = "kernel " + c[0] + " stride " + c[1] + " side " + c[2] + " channels " + c[3];
            // the first layer's gradient depends on the conv's input gradient, the conv's own on dW
            double difference = GradientComparison.relativeDifference(ours, theirs, x, y());
            assertTrue(difference <= 1e-12, what + ": " + difference);
        }
        assertTrue(GemmConvolutionLayer.SIDE_BY_SIDE_BELOW > 8 * 8 && GemmConvolutionLayer.SIDE_BY_SIDE_BELOW <= 32 * 32
                && GemmConvolutionLayer.IM2COL_MIN_CHANNELS == 256 && GemmConvolutionLayer.IM2COL_MAX_POSITIONS >= 14 * 14
                && GemmConvolutionLayer.IM2COL_MAX_POSITIONS < 16 * 16, "the cases above cover every path");
    }

    @Test
    void theOneDnnHelpersBackwardPassWithoutDl4jsRepeatedForwardPassGivesDl4jsGradients() {
        // float32 with DL4J's oneDNN helper (it has no float64 kernels), our direct oneDNN path switched off: our
        // layer calls the helper's backward pass directly, DL4J's runs the forward pass again first; same helper,
        // so the same gradients
        OneDnnTesting.without(() -> {
            for (int[] c : new int[][] {{3, 1, 8, 4}, {3, 2, 8, 4}, {3, 1, 16, 64}, {5, 2, 9, 4}}) {
                ComputationGraph ours = Helpers.building(true, () -> net(true, c[0], c[1], c[2], c[3], DataType.FLOAT));
                ComputationGraph theirs = Helpers.building(true, () -> net(false, c[0], c[1], c[2], c[3], DataType.FLOAT));
                theirs.setParams(ours.params());
                INDArray x = x(c[2]).castTo(DataType.FLOAT);
                double difference = GradientComparison.relativeDifference(ours, theirs, x, y().castTo(DataType.FLOAT));
                String what = "kernel " + c[0] + " stride " + c[1] + " side " + c[2] + " channels " + c[3];
                assertTrue(Helpers.summary(ours).contains("GemmConvolutionLayer→MKLDNNConvHelper"), what + ": "
                        + Helpers.summary(ours));
                assertTrue(difference <= 1e-6, what + ": " + difference);
            }
        });
    }

    @Test
    void oneDnnsConvolutionInFloat32EqualsDl4jsInFloat64() {
        // {kernel, stride, side, input channels}: the stem (7×7/2 on 3 channels), 3×3 at both strides on maps
        // from 16×16 down to 1×1, 1×1 at stride 1 and 2 on even and odd sides
        int[][] cases = {{7, 2, 32, 3}, {3, 1, 8, 64}, {3, 2, 8, 64}, {3, 1, 1, 32}, {3, 2, 3, 16}, {1, 1, 4, 32},
            {1, 2, 8, 16}, {1, 2, 7, 16}, {5, 2, 9, 4}, {3, 1, 16, 5}};
        for (int[] c : cases) {
            String what = "kernel " + c[0] + " stride " + c[1] + " side " + c[2] + " channels " + c[3];
            ComputationGraph ours = net(true, c[0], c[1], c[2], c[3], DataType.FLOAT);
            ComputationGraph reference = net(false, c[0], c[1], c[2], c[3], DataType.DOUBLE);
            reference.setParams(ours.params().castTo(DataType.DOUBLE));
            INDArray x = x(c[2]);
            INDArray out = ours.outputSingle(true, x.castTo(DataType.FLOAT));
            assertTrue(((GemmConvolutionLayer) ours.getLayer("conv")).oneDnn(), what + ": " + Helpers.summary(ours));
            INDArray expected = reference.outputSingle(true, x);
            double outputError = out.castTo(DataType.DOUBLE).sub(expected).norm2Number().doubleValue()
                    / expected.norm2Number().doubleValue();
            assertTrue(outputError <= 1e-5, what + ": output " + outputError);
            double difference = GradientComparison.relativeDifference(ours, reference, x, y());
            assertTrue(difference <= 1e-5, what + ": gradients " + difference);
        }
    }

    @Test
    void gradientCheckInDoublePrecisionOnThePointwisePaths() {
        for (int[] c : new int[][] {{1, 4}, {1, 32}, {2, 5}}) {
            ComputationGraph net = net(true, 1, c[0], c[1]);
            assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                    .inputs(new INDArray[] {x(c[1])}).labels(new INDArray[] {y()})
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)), Arrays.toString(c));
            assertTrue(ownPath(net));
        }
        // the im2col backward needs >= 256 channels: 16 000 parameters, minutes of finite differences
        // (GraphConfig.subset does not thin them); it is held to DL4J's own backward pass in float64
        // to 1e-12 above instead
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
