package org.dml4j.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;

/**
 * Adds a ResNet backbone to a graph, laid out and named as the original (docs/ORIGINAL.md §4.1): stem
 * {@code conv1} (7×7/2) + {@code bn_conv1} + 3×3/2 max-pool; four stages of bottleneck or basic
 * blocks named {@code res2a … res5c} (ResNet101/152 stage 4: {@code res4a, res4b1, res4b2, …}),
 * branches {@code _branch2a/2b/2c} and the projection shortcut {@code _branch1}, each conv followed
 * by its BatchNorm {@code bn<name minus "res">}; stride 2 on the 3×3 conv of the first block of
 * stages 3–5 ("v1.5"; with {@code strideIn1x1} on the first 1×1 conv instead, as Keras'
 * ResNet50); bias-free convs (He-normal init, Paddle's default); BatchNorm ε 1e-5,
 * momentum 0.9; global average pooling {@code pool5}; an optional linear embedding
 * {@code fc_0} (Xavier-uniform, bias 0, no activation). No normalisation layer.
 */
public final class ResNetBuilder {
    /** Input vertex. */
    public static final String INPUT = "image";
    /** Global average pooling vertex: the pooled features. */
    public static final String POOL = "pool5";
    /** The optional embedding layer. */
    public static final String EMBEDDING = "fc_0";

    private static final double BN_DECAY = 0.9;
    private static final double BN_EPS = 1e-5;
    private static final int[] STAGE_WIDTHS = {64, 128, 256, 512};

    private final GraphBuilder graph;
    private final boolean strideIn1x1;

    private ResNetBuilder(GraphBuilder graph, boolean strideIn1x1) {
        this.graph = graph;
        this.strideIn1x1 = strideIn1x1;
    }

    /**
     * Adds the backbone after {@link #INPUT} (which the caller declares).
     *
     * @return the name of the vertex whose output is the embedding
     */
    public static String addBackbone(GraphBuilder graph, Architecture arch) {
        Backbone backbone = arch.backbone();
        int embeddingSize = arch.embeddingSize();
        ResNetBuilder b = new ResNetBuilder(graph, arch.strideIn1x1());
        String x = b.convBn("conv1", INPUT, 64, 7, 2, 3, Activation.RELU);
        graph.addLayer("pool1", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2)
                .padding(1, 1).convolutionMode(ConvolutionMode.Truncate).build(), x);
        x = "pool1";
        int channels = 64;
        int[] blocks = backbone.blocks();
        for (int stage = 0; stage < 4; stage++) {
            for (int i = 0; i < blocks[stage]; i++) {
                String name = blockName(backbone, stage, i);
                int stride = (stage > 0 && i == 0) ? 2 : 1;
                x = backbone.bottleneck()
                        ? b.bottleneck(name, x, channels, STAGE_WIDTHS[stage], stride)
                        : b.basic(name, x, channels, STAGE_WIDTHS[stage], stride);
                channels = backbone.bottleneck() ? 4 * STAGE_WIDTHS[stage] : STAGE_WIDTHS[stage];
            }
        }
        graph.addLayer(POOL, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), x);
        if (embeddingSize == 0) {
            return POOL;
        }
        graph.addLayer(EMBEDDING, new DenseLayer.Builder().nOut(embeddingSize).activation(Activation.IDENTITY)
                .weightInit(WeightInit.XAVIER_UNIFORM).biasInit(0).build(), POOL);
        return EMBEDDING;
    }

    /** Which backbone {@code net} was built with, told from its block names. */
    public static Backbone backboneOf(ComputationGraph net) {
        for (Backbone b : Backbone.values()) {
            boolean fits = b.bottleneck() == (net.getVertex("res2a_branch2c") != null);
            for (int stage = 0; stage < 4 && fits; stage++) {
                int n = b.blocks()[stage];
                fits = net.getVertex(blockName(b, stage, n - 1)) != null && net.getVertex(blockName(b, stage, n)) == null;
            }
            if (fits) {
                return b;
            }
        }
        throw new IllegalArgumentException("not a ResNet of dml4j's layout (no res2a…res5 blocks)");
    }

    /** Whether {@code net}'s bottleneck blocks stride in their first 1×1 conv (see {@link Architecture}). */
    public static boolean stridesIn1x1(ComputationGraph net) {
        return layerConf(net, "res3a_branch2a") instanceof ConvolutionLayer c && c.getKernelSize()[0] == 1
                && c.getStride()[0] == 2;
    }

    /** The BatchNorm following a conv, by the original's names: conv1 → bn_conv1, res2a_branch2a → bn2a_branch2a. */
    public static String batchNormOf(String conv) {
        return conv.equals("conv1") ? "bn_conv1" : "bn" + conv.substring(3);
    }

    /** The configuration of layer {@code name}, or null when {@code net} has no such layer. */
    public static Layer layerConf(ComputationGraph net, String name) {
        GraphVertex v = net.getVertex(name);
        return v != null && v.hasLayer() ? v.getLayer().conf().getLayer() : null;
    }

    /** The original's block names: res2a…; ResNet101/152 stage 4 uses res4a, res4b1, res4b2, …. */
    public static String blockName(Backbone backbone, int stage, int i) {
        boolean deep = backbone == Backbone.ResNet101 || backbone == Backbone.ResNet152;
        if (deep && stage == 2) {
            return i == 0 ? "res4a" : "res4b" + i;
        }
        return "res" + (stage + 2) + (char) ('a' + i);
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
        graph.addLayer(name + "_relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), name);
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
