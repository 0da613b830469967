package org.dml4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.ImageShape;
import org.dml4j.error.UsageException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class ResNetTest {

    private static ComputationGraph build(Backbone b, int size, int embedding) {
        return EmbeddingNetwork.build(new Architecture(b, new ImageShape(3, size, size), embedding),
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4).activation(Activation.SOFTMAX).build(),
                new Sgd(0.1), 1e-4, 1, DataType.FLOAT);
    }

    private static long trainable(ComputationGraph net, String prefix) {
        return net.paramTable().entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix) || prefix.isEmpty())
                .filter(e -> !e.getKey().endsWith("_mean") && !e.getKey().endsWith("_var"))
                .mapToLong(e -> e.getValue().length()).sum();
    }

    @Test
    void resnet50HasTheStandardLayoutNamesAndParameterCount() {
        ComputationGraph net = build(ResNet.RESNET50, 64, 0);
        Map<String, INDArray> p = net.paramTable();
        assertArrayEquals(new long[] {64, 3, 7, 7}, p.get("conv1_W").shape());
        assertNotNull(p.get("bn_conv1_gamma"));
        assertArrayEquals(new long[] {64, 64, 1, 1}, p.get("res2a_branch2a_W").shape());
        assertArrayEquals(new long[] {256, 64, 1, 1}, p.get("res2a_branch1_W").shape());
        assertNull(p.get("res2b_branch1_W"), "identity shortcut inside a stage");
        assertArrayEquals(new long[] {128, 128, 3, 3}, p.get("res3a_branch2b_W").shape());
        assertArrayEquals(new long[] {2048, 512, 1, 1}, p.get("res5c_branch2c_W").shape());
        assertNotNull(p.get("bn5c_branch2c_var"));
        assertNull(p.get("res2a_branch2a_b"), "convolutions have no bias");
        // torchvision/Paddle ResNet50 without classifier: 23,508,032 trainable parameters
        long headParams = 2048 * 4 + 4;
        assertEquals(23_508_032L, trainable(net, "") - headParams);
        var stride = ((org.deeplearning4j.nn.conf.layers.ConvolutionLayer) net.getLayer("res3a_branch2b").conf()
                .getLayer()).getStride();
        assertArrayEquals(new int[] {2, 2}, stride, "stride on the 3x3 conv (v1.5)");
        var first = ((org.deeplearning4j.nn.conf.layers.ConvolutionLayer) net.getLayer("res3a_branch2a").conf()
                .getLayer()).getStride();
        assertArrayEquals(new int[] {1, 1}, first);
        var bn = (org.deeplearning4j.nn.conf.layers.BatchNormalization) net.getLayer("bn3a_branch2b").conf().getLayer();
        assertEquals(1e-5, bn.getEps());
        assertEquals(0.9, bn.getDecay());
    }

    @Test
    void deepNetworksNameStageFourBlocksWithNumbers() {
        assertEquals("res4a", ResNet.RESNET101.blockName(2, 0));
        assertEquals("res4b1", ResNet.RESNET101.blockName(2, 1));
        assertEquals("res4b22", ResNet.RESNET101.blockName(2, 22));
        assertEquals("res3h", ResNet.RESNET152.blockName(1, 7));
        assertEquals("res4f", ResNet.RESNET50.blockName(2, 5));
    }

    @Test
    void resnet18IsBasicBlocksAndGivesNonNegativePooledFeatures() {
        ComputationGraph net = build(ResNet.RESNET18, 32, 0);
        Map<String, INDArray> p = net.paramTable();
        assertArrayEquals(new long[] {64, 64, 3, 3}, p.get("res2a_branch2a_W").shape());
        assertNull(p.get("res2a_branch2c_W"));
        assertArrayEquals(new long[] {128, 64, 1, 1}, p.get("res3a_branch1_W").shape());
        assertEquals(11_176_512L, trainable(net, "") - (512 * 4 + 4), "torchvision ResNet18 without fc");
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 3, 32, 32).subi(0.5);
        INDArray f = net.output(java.util.List.of(ResNet.POOL), false, new INDArray[] {x}, null)[0];
        assertArrayEquals(new long[] {3, 512}, f.shape());
        assertTrue(f.minNumber().doubleValue() >= 0, "post-ReLU average");
    }

    @Test
    void embeddingLayerIsLinearXavierWithZeroBias() {
        ComputationGraph net = build(ResNet.RESNET18, 32, 16);
        assertEquals("fc_0", EmbeddingNetwork.embeddingVertex(new Architecture(ResNet.RESNET18, new ImageShape(3, 32, 32), 16)));
        assertArrayEquals(new long[] {512, 16}, net.paramTable().get("fc_0_W").shape());
        assertEquals(0.0, net.paramTable().get("fc_0_b").sumNumber().doubleValue());
        double bound = Math.sqrt(6.0 / (512 + 16));
        assertTrue(net.paramTable().get("fc_0_W").amaxNumber().doubleValue() <= bound);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
        INDArray e = net.output(java.util.List.of("fc_0"), false, new INDArray[] {x}, null)[0];
        assertTrue(e.minNumber().doubleValue() < 0, "no activation on the embedding");
    }

    @Test
    void batchNormScaleAndOffsetTakeWeightDecayButRunningStatsDoNot() {
        ComputationGraph net = build(ResNet.RESNET18, 32, 0);
        var layer = net.getLayer("bn2a_branch2a").conf().getLayer();
        assertNotNull(layer.getRegularizationByParam("gamma"));
        assertNotNull(layer.getRegularizationByParam("beta"));
        assertNull(layer.getRegularizationByParam("mean"));
        assertNull(layer.getRegularizationByParam("var"));
        assertEquals(1, net.getLayer("res2a_branch2a").conf().getLayer().getRegularizationByParam("W").size());
    }

    /**
     * The original's ReLUs: after the stem's BatchNorm, after the first two BatchNorms of a
     * bottleneck (inside those BatchNorm layers), and after each residual sum — 49 in ResNet50.
     * DL4J M2.1's BatchNormalization ignores an activation configured on it, so this checks the
     * activations themselves (with the ReLU configured on DL4J's own layer, no value was cut).
     */
    @Test
    void reluFollowsTheStemTheInnerBatchNormsAndEverySum() {
        ComputationGraph net = build(ResNet.RESNET50, 32, 0);
        long sums = Arrays.stream(net.getLayers()).filter(l -> l.conf().getLayer() instanceof ActivationLayer).count();
        long inBatchNorm = Arrays.stream(net.getLayers()).filter(l -> l.conf().getLayer() instanceof RegularizedBatchNorm b
                && b.isReluAfter()).count();
        assertEquals(16, sums);
        assertEquals(1 + 16 * 2, inBatchNorm);
        Map<String, INDArray> acts = net.feedForward(Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32).subi(0.5), false);
        for (String bn : new String[] {"bn_conv1", "bn2a_branch2a", "bn3b_branch2b", "bn5c_branch2a", "res4c_relu"}) {
            INDArray after = acts.get(bn);
            double zeros = after.eq(0).castTo(DataType.FLOAT).meanNumber().doubleValue();
            assertEquals(0, after.minNumber().doubleValue(), 0, bn);
            assertTrue(zeros > 0.1 && zeros < 0.9, bn + ": " + zeros + " of the values cut to zero");
        }
        assertTrue(acts.get("bn2a_branch2c").minNumber().doubleValue() < 0, "no ReLU before the sum");
        assertEquals(java.util.List.of("bn3a_branch2a"), net.getConfiguration().getVertexInputs().get("res3a_branch2b"));
    }

    @Test
    void strideIn1x1MovesTheStrideToTheFirstConvAndIsRefusedForBasicBlocks() {
        ComputationGraph net = EmbeddingNetwork.build(new Architecture(ResNet.RESNET50, new ImageShape(3, 32, 32), 0,
                        true), new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                        .activation(Activation.SOFTMAX).build(), new Sgd(0.1), 1e-4, 1, DataType.FLOAT);
        for (String block : new String[] {"res3a", "res4a", "res5a"}) {
            assertArrayEquals(new int[] {2, 2}, ((ConvolutionLayer) EmbeddingNetwork.layerConf(net, block + "_branch2a")).getStride());
            assertArrayEquals(new int[] {1, 1}, ((ConvolutionLayer) EmbeddingNetwork.layerConf(net, block + "_branch2b")).getStride());
        }
        assertArrayEquals(new int[] {1, 1}, ((ConvolutionLayer) EmbeddingNetwork.layerConf(net, "res2a_branch2a")).getStride());
        assertTrue(ResNet.RESNET50.stridesIn1x1(net));
        assertEquals(ResNet.RESNET50, Backbones.of(net));
        assertArrayEquals(new long[] {1, 2048}, net.feedForward(Nd4j.rand(DataType.FLOAT, 1, 3, 32, 32), false)
                .get(ResNet.POOL).shape());
        UsageException e = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class,
                () -> new Architecture(ResNet.RESNET18, new ImageShape(3, 32, 32), 0, true));
        assertTrue(e.getMessage().contains("--stride_in_1x1=True"), e.getMessage());
    }
}
