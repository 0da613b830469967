package org.dml4j.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.activations.Activation;

/**
 * The ResNet family, laid out and named as the original (docs/ORIGINAL.md §4.1): stem
 * {@code conv1} (7×7/2) + {@code bn_conv1} + 3×3/2 max-pool; four stages of bottleneck
 * (ResNet50/101/152) or basic (ResNet18/34) blocks named {@code res2a … res5c} (ResNet101/152 stage
 * 4: {@code res4a, res4b1, res4b2, …}), branches {@code _branch2a/2b/2c} and the projection
 * shortcut {@code _branch1}, each conv followed by its BatchNorm {@code bn<name minus "res">};
 * stride 2 on the 3×3 conv of the first block of stages 3–5 ("v1.5"; with {@code strideIn1x1} on the
 * first 1×1 conv instead, as Keras' ResNet50); bias-free convs (He-normal init, Paddle's default);
 * BatchNorm ε 1e-5, momentum 0.9; global average pooling {@code pool5}. No normalisation layer.
 */
public final class ResNet implements Backbone {
    public static final ResNet RESNET18 = new ResNet("ResNet18", false, 2, 2, 2, 2);
    public static final ResNet RESNET34 = new ResNet("ResNet34", false, 3, 4, 6, 3);
    public static final ResNet RESNET50 = new ResNet("ResNet50", true, 3, 4, 6, 3);
    public static final ResNet RESNET101 = new ResNet("ResNet101", true, 3, 4, 23, 3);
    public static final ResNet RESNET152 = new ResNet("ResNet152", true, 3, 8, 36, 3);

    /** Global average pooling vertex: the pooled features. */
    public static final String POOL = "pool5";
    /** The 7×7 stride-2 convolution on the input image. */
    static final String STEM = "conv1";

    private static final double BN_DECAY = 0.9;
    private static final double BN_EPS = 1e-5;
    private static final int[] STAGE_WIDTHS = {64, 128, 256, 512};
    private static final Pattern KERAS_BLOCK = Pattern.compile("conv([2-5])_block(\\d+)_([0-3])_(conv|bn)");
    private static final String[] KERAS_BRANCH = {"_branch1", "_branch2a", "_branch2b", "_branch2c"};

    private final String name;
    private final boolean bottleneck;
    private final int[] blocks;

    private ResNet(String name, boolean bottleneck, int... blocks) {
        this.name = name;
        this.bottleneck = bottleneck;
        this.blocks = blocks;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }

    /** Bottleneck blocks (1×1, 3×3, 1×1; ResNet50+) or basic blocks (3×3, 3×3; ResNet18/34). */
    public boolean bottleneck() {
        return bottleneck;
    }

    /** Number of blocks in each of the four stages. */
    public int[] blocks() {
        return blocks.clone();
    }

    /** 2048 for bottleneck networks, 512 otherwise. */
    @Override
    public int featureWidth() {
        return bottleneck ? 2048 : 512;
    }

    /** Only bottleneck blocks have a 1×1 convolution before the 3×3 one. */
    @Override
    public boolean hasStrideChoice() {
        return bottleneck;
    }

    @Override
    public String pooledVertex() {
        return POOL;
    }

    @Override
    public String stemConvolution() {
        return STEM;
    }

    @Override
    public String addTo(GraphBuilder graph, String input, Architecture arch) {
        Layout b = new Layout(graph, arch.strideIn1x1());
        String x = b.convBn(STEM, input, 64, 7, 2, 3, Activation.RELU);
        graph.addLayer("pool1", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2)
                .padding(1, 1).convolutionMode(ConvolutionMode.Truncate).build(), x);
        x = "pool1";
        int channels = 64;
        for (int stage = 0; stage < 4; stage++) {
            for (int i = 0; i < blocks[stage]; i++) {
                String block = blockName(stage, i);
                int stride = (stage > 0 && i == 0) ? 2 : 1;
                x = bottleneck
                        ? b.bottleneck(block, x, channels, STAGE_WIDTHS[stage], stride)
                        : b.basic(block, x, channels, STAGE_WIDTHS[stage], stride);
                channels = bottleneck ? 4 * STAGE_WIDTHS[stage] : STAGE_WIDTHS[stage];
            }
        }
        graph.addLayer(POOL, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), x);
        return POOL;
    }

    /** This depth's blocks, told from the block names: res…{last} present, res…{last+1} absent, per stage. */
    @Override
    public boolean isIn(ComputationGraph net) {
        boolean fits = bottleneck == (net.getVertex("res2a_branch2c") != null);
        for (int stage = 0; stage < 4 && fits; stage++) {
            int n = blocks[stage];
            fits = net.getVertex(blockName(stage, n - 1)) != null && net.getVertex(blockName(stage, n)) == null;
        }
        return fits;
    }

    @Override
    public boolean stridesIn1x1(ComputationGraph net) {
        return EmbeddingNetwork.layerConf(net, "res3a_branch2a") instanceof ConvolutionLayer c
                && c.getKernelSize()[0] == 1 && c.getStride()[0] == 2;
    }

    /** conv1 → bn_conv1, res2a_branch2a → bn2a_branch2a (the original's names). */
    @Override
    public String batchNormOf(String conv) {
        return conv.equals(STEM) ? "bn_conv1" : "bn" + conv.substring(3);
    }

    /**
     * tf.keras' {@code conv1_conv/conv1_bn}, {@code conv<s>_block<b>_<k>_conv/_bn} (k = 0 shortcut,
     * 1–3 the three convs) and {@code probs}; Keras ≤ 2.2's Caffe names ({@code conv1, bn_conv1,
     * res2a_branch2a, …, fc1000}) are ours already.
     */
    @Override
    public String kerasLayer(String keras) {
        switch (keras) {
            case "conv1_conv":
                return STEM;
            case "conv1_bn":
                return "bn_conv1";
            case "probs":
            case "predictions":
            case "fc1000":
                return EmbeddingNetwork.EMBEDDING;
            default:
                break;
        }
        Matcher m = KERAS_BLOCK.matcher(keras);
        if (m.matches()) {
            int stage = Integer.parseInt(m.group(1)) - 2;
            int block = Integer.parseInt(m.group(2)) - 1;
            if (block >= blocks[stage]) {
                return null;
            }
            String conv = blockName(stage, block) + KERAS_BRANCH[Integer.parseInt(m.group(3))];
            return m.group(4).equals("conv") ? conv : batchNormOf(conv);
        }
        return keras;
    }

    /** The original's block names: res2a…; ResNet101/152 stage 4 uses res4a, res4b1, res4b2, …. */
    String blockName(int stage, int i) {
        boolean deep = blocks[2] > 6;
        if (deep && stage == 2) {
            return i == 0 ? "res4a" : "res4b" + i;
        }
        return "res" + (stage + 2) + (char) ('a' + i);
    }

    /** Adds the blocks of one network to a graph. */
    private final class Layout {
        private final GraphBuilder graph;
        private final boolean strideIn1x1;

        Layout(GraphBuilder graph, boolean strideIn1x1) {
            this.graph = graph;
            this.strideIn1x1 = strideIn1x1;
        }

        private String bottleneck(String name, String in, int inChannels, int width, int stride) {
            String a = convBn(name + "_branch2a", in, width, 1, strideIn1x1 ? stride : 1, 0, Activation.RELU);
            String b = convBn(name + "_branch2b", a, width, 3, strideIn1x1 ? 1 : stride, 1, Activation.RELU);
            String c = convBn(name + "_branch2c", b, 4 * width, 1, 1, 0, Activation.IDENTITY);
            return residual(name, in, c, inChannels, 4 * width, stride);
        }

        private String basic(String name, String in, int inChannels, int width, int stride) {
            String a = convBn(name + "_branch2a", in, width, 3, stride, 1, Activation.RELU);
            String b = convBn(name + "_branch2b", a, width, 3, 1, 1, Activation.IDENTITY);
            return residual(name, in, b, inChannels, width, stride);
        }

        /** Shortcut (identity, or 1×1 projection + BN when the shape changes), sum, ReLU. */
        private String residual(String name, String in, String branch, int inChannels, int outChannels, int stride) {
            String shortcut = (inChannels != outChannels || stride != 1)
                    ? convBn(name + "_branch1", in, outChannels, 1, stride, 0, Activation.IDENTITY)
                    : in;
            graph.addVertex(name, new ElementWiseVertex(ElementWiseVertex.Op.Add), shortcut, branch);
            // ReLU in place on the sum (ResidualRelu; DL4J's ActivationLayer copies it in both directions)
            graph.addLayer(name + "_relu", new ResidualRelu(), name);
            return name + "_relu";
        }

        /** A bias-free convolution and its BatchNorm, with ReLU applied inside the BatchNorm layer when asked. */
        private String convBn(String convName, String in, int channels, int kernel, int stride, int padding,
                              Activation activation) {
            graph.addLayer(convName, new GemmConvolution(new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride)
                    .padding(padding, padding).nOut(channels).hasBias(false).convolutionMode(ConvolutionMode.Truncate)
                    .activation(Activation.IDENTITY).weightInit(WeightInit.RELU)), in);
            String bnName = batchNormOf(convName);
            // ReLU inside the BatchNorm layer (BatchNormLayer): DL4J M2.1's BatchNormalization ignores a
            // configured activation, and a separate ActivationLayer costs a copy of every activation map
            // (docs/PERFORMANCE.md: training at 224 px ~15 % faster and 0.7 GB smaller fused)
            RegularizedBatchNorm bn = RegularizedBatchNorm.of(BN_DECAY, BN_EPS);
            graph.addLayer(bnName, activation == Activation.RELU ? bn.withRelu() : bn, convName);
            return bnName;
        }
    }
}
