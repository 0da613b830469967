package org.dml4j.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.ImageShape;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A trained network as an inference network: only the vertices the embedding depends on (no loss
 * head, no optimiser state), each BatchNorm folded into the convolution before it, and optionally
 * the embedding L2-normalised. Folding: with the BatchNorm's running statistics and
 * s = γ/√(σ² + ε) per output channel, W'[o] = s[o]·W[o] and b'[o] = β[o] − s[o]·μ[o], so that
 * conv'(x) = BN(conv(x)) in inference mode (Ioffe and Szegedy 2015, §3.2; computed in float64, then
 * cast). A ReLU that ran inside the BatchNorm layer becomes the convolution's activation.
 *
 * <p>Two flavours of the same maths: {@link Flavour#DML4J} keeps dml4j's convolution layer (its own
 * matrix-product path for 1×1 kernels, which takes the bias and ReLU in the same pass), for eval,
 * infer and search; {@link Flavour#STOCK} uses only Deeplearning4j's own layer and vertex classes,
 * so that a program with DL4J but without dml4j can load the saved model.
 *
 * <p>The graph is rewritten vertex by vertex, so any backbone built from convolutions, BatchNorms,
 * activations, pooling, element-wise sums and dense layers folds; anything else is refused.
 */
public final class InferenceNetwork {
    /** Which layer classes the inference network uses. */
    public enum Flavour {
        /** dml4j's convolution layer: fastest here. */
        DML4J,
        /** Deeplearning4j's own classes only: loadable without dml4j. */
        STOCK
    }

    /** The normalisation vertex's name, when asked for. */
    public static final String NORMALIZED = "l2_normalize";
    /** ε of the normalisation: x / max(‖x‖₂, ε), so a zero embedding stays zero (as {@code Embeddings}). */
    public static final double NORM_EPS = 1e-12;

    private InferenceNetwork() {
    }

    /**
     * The inference network of {@code trained}.
     *
     * @param trained   a network of dml4j's layout (or any graph of the supported vertex kinds)
     * @param shape     the input shape, for the graph's input type
     * @param embedding the vertex whose output is the embedding
     * @param normalize end with an L2 normalisation of each embedding
     * @param dataType  the new network's data type (FLOAT for use, DOUBLE for checking the folding)
     * @return a new network, output [N, D] (the embedding vertex's, or {@link #NORMALIZED}), whose
     *         parameters are copies
     * @throws IllegalArgumentException naming a vertex of a kind it cannot rewrite
     */
    public static ComputationGraph of(ComputationGraph trained, ImageShape shape, String embedding,
                                      boolean normalize, Flavour flavour, DataType dataType) {
        ComputationGraphConfiguration conf = trained.getConfiguration();
        if (conf.getNetworkInputs().size() != 1) {
            throw new IllegalArgumentException("expected a network with one input, got " + conf.getNetworkInputs());
        }
        if (trained.getVertex(embedding) == null) {
            throw new IllegalArgumentException("the network has no vertex '" + embedding + "'");
        }
        String input = conf.getNetworkInputs().get(0);
        Set<String> needed = ancestors(conf, embedding);
        List<String> order = topologicalOrder(trained).stream().filter(v -> needed.contains(v) && !v.equals(input))
                .toList();
        // first pass: which BatchNorm follows which convolution (it must be the convolution's only consumer)
        Map<String, Folded> folded = new LinkedHashMap<>();
        Map<String, String> renamed = new HashMap<>();   // a folded BatchNorm's name -> its convolution's
        for (String name : order) {
            Layer layer = layerOf(conf, name);
            if (layer instanceof ConvolutionLayer c && !(layer instanceof SubsamplingLayer)) {
                folded.put(name, new Folded(name, c));
            } else if (layer instanceof BatchNormalization) {
                String conv = conf.getVertexInputs().get(name).get(0);
                Folded f = folded.get(conv);
                if (f == null || f.batchNorm != null || consumers(conf, conv, needed) != 1) {
                    throw new IllegalArgumentException("BatchNorm '" + name + "' does not follow a convolution of its"
                            + " own, so it cannot be folded");
                }
                f.batchNorm = name;
                renamed.put(name, conv);
            }
        }
        GraphBuilder g = new NeuralNetConfiguration.Builder()
                .dataType(dataType)
                .updater(new NoOp())
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder()
                .addInputs(input)
                .setInputTypes(InputType.convolutional(shape.height(), shape.width(), shape.channels()));
        for (String name : order) {
            String[] inputs = conf.getVertexInputs().get(name).stream().map(i -> renamed.getOrDefault(i, i))
                    .toArray(String[]::new);
            GraphVertex vertex = conf.getVertices().get(name);
            Layer layer = layerOf(conf, name);
            if (vertex instanceof ElementWiseVertex e) {
                g.addVertex(name, e.clone(), inputs);
            } else if (layer == null) {
                throw new IllegalArgumentException("cannot rewrite vertex '" + name + "' of kind "
                        + vertex.getClass().getSimpleName() + " for inference");
            } else if (folded.containsKey(name)) {
                g.addLayer(name, folded.get(name).layer(trained, flavour), inputs);
            } else if (layer instanceof BatchNormalization) {
                continue;   // folded into its convolution
            } else if (layer instanceof ResidualRelu r && flavour == Flavour.STOCK) {
                g.addLayer(name, withoutTraining(new ActivationLayer(r.getActivationFn())), inputs);
            } else if (layer instanceof ActivationLayer || layer instanceof SubsamplingLayer
                    || layer instanceof GlobalPoolingLayer || layer instanceof DenseLayer) {
                g.addLayer(name, withoutTraining(layer.clone()), inputs);
            } else {
                throw new IllegalArgumentException("cannot rewrite layer '" + name + "' ("
                        + layer.getClass().getSimpleName() + ") for inference");
            }
        }
        String out = renamed.getOrDefault(embedding, embedding);
        if (normalize) {
            g.addVertex(NORMALIZED, new L2NormalizeVertex(new int[] {1}, NORM_EPS), out);
            out = NORMALIZED;
        }
        ComputationGraph net = new ComputationGraph(g.setOutputs(out).build());
        net.init();
        copyParameters(trained, net, folded.keySet());
        for (Folded f : folded.values()) {
            f.writeInto(trained, net);
        }
        return net;
    }

    /** A convolution and the BatchNorm that follows it, if any. */
    private static final class Folded {
        final String name;
        final ConvolutionLayer conv;
        String batchNorm;

        Folded(String name, ConvolutionLayer conv) {
            this.name = name;
            this.conv = conv;
        }

        /** The convolution with a bias and the BatchNorm's ReLU, in the flavour's class. */
        Layer layer(ComputationGraph trained, Flavour flavour) {
            boolean relu = batchNorm != null && EmbeddingNetwork.layerConf(trained, batchNorm) instanceof RegularizedBatchNorm r
                    && r.isReluAfter();
            boolean convRelu = conv.getActivationFn() instanceof ActivationReLU;
            if (!(conv.getActivationFn() instanceof ActivationIdentity || convRelu && batchNorm == null)) {
                throw new IllegalArgumentException("cannot fold the BatchNorm after '" + name + "': the convolution has"
                        + " its own activation " + conv.getActivationFn());
            }
            ConvolutionLayer.Builder b = new ConvolutionLayer.Builder(conv.getKernelSize()).stride(conv.getStride())
                    .padding(conv.getPadding()).dilation(conv.getDilation()).nIn(conv.getNIn()).nOut(conv.getNOut())
                    .convolutionMode(conv.getConvolutionMode()).dataFormat(conv.getCnn2dDataFormat())
                    .hasBias(conv.hasBias() || batchNorm != null)
                    .activation(relu || convRelu ? Activation.RELU : Activation.IDENTITY);
            return flavour == Flavour.DML4J ? new GemmConvolution(b) : b.build();
        }

        /** W' and b' into {@code net}'s parameters (float64 arithmetic). */
        void writeInto(ComputationGraph trained, ComputationGraph net) {
            INDArray w = trained.getParam(name + "_W").castTo(DataType.DOUBLE).dup('c');
            long out = w.size(0);
            INDArray b = conv.hasBias() ? trained.getParam(name + "_b").castTo(DataType.DOUBLE).reshape(out).dup()
                    : Nd4j.zeros(DataType.DOUBLE, out);
            if (batchNorm != null) {
                BatchNormalization bn = (BatchNormalization) EmbeddingNetwork.layerConf(trained, batchNorm);
                if (bn.isUseLogStd()) {
                    throw new IllegalArgumentException("BatchNorm '" + batchNorm + "' stores log std; not supported");
                }
                INDArray gamma = param(trained, batchNorm, "gamma", out, bn.getGamma());
                INDArray beta = param(trained, batchNorm, "beta", out, bn.getBeta());
                INDArray mean = trained.getParam(batchNorm + "_mean").castTo(DataType.DOUBLE).reshape(out);
                INDArray var = trained.getParam(batchNorm + "_var").castTo(DataType.DOUBLE).reshape(out);
                INDArray s = gamma.div(Transforms.sqrt(var.add(bn.getEps()), true));
                w = scaleRows(w, s);
                b = b.sub(mean).mul(s).add(beta);
            }
            net.getParam(name + "_W").assign(w);
            INDArray target = net.getParam(name + "_b");
            target.assign(b.reshape(target.shape()));
            release(w);   // float64 copies of a whole layer: freed now, not at the next garbage collection
            release(b);
        }
    }

    private static void release(INDArray a) {
        if (a.closeable()) {
            a.close();
        }
    }

    /** Row o of w (its first dimension) times s[o]. */
    private static INDArray scaleRows(INDArray w, INDArray s) {
        long out = w.size(0);
        INDArray rows = w.reshape('c', out, w.length() / out);
        rows.muliColumnVector(s.reshape(out, 1));
        return rows.reshape('c', w.shape());
    }

    /** A BatchNorm parameter as float64 [C]: its array, or the constant a locked γ/β has. */
    private static INDArray param(ComputationGraph net, String layer, String key, long n, double locked) {
        return net.paramTable().containsKey(layer + "_" + key)
                ? net.getParam(layer + "_" + key).castTo(DataType.DOUBLE).reshape(n)
                : Nd4j.valueArrayOf(new long[] {n}, locked, DataType.DOUBLE);
    }

    /** The layer configuration of vertex {@code name}, or null when it is not a layer. */
    private static Layer layerOf(ComputationGraphConfiguration conf, String name) {
        return conf.getVertices().get(name) instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
    }

    /** How many of the {@code needed} vertices take {@code vertex} as an input. */
    private static long consumers(ComputationGraphConfiguration conf, String vertex, Set<String> needed) {
        return conf.getVertexInputs().entrySet().stream()
                .filter(e -> needed.contains(e.getKey()) && e.getValue().contains(vertex)).count();
    }

    /** Every other parameter (dense layers) copied by name. */
    private static void copyParameters(ComputationGraph from, ComputationGraph to, Set<String> convolutions) {
        for (Map.Entry<String, INDArray> p : to.paramTable().entrySet()) {
            String layer = p.getKey().substring(0, p.getKey().lastIndexOf('_'));
            if (!convolutions.contains(layer)) {
                // getParam().assign rather than setParam, which silently does nothing on SameDiff layers
                p.getValue().assign(from.getParam(p.getKey()).castTo(p.getValue().dataType()));
            }
        }
    }

    /** The vertices {@code target} depends on, itself included. */
    private static Set<String> ancestors(ComputationGraphConfiguration conf, String target) {
        Set<String> seen = new LinkedHashSet<>();
        List<String> todo = new ArrayList<>(List.of(target));
        while (!todo.isEmpty()) {
            String v = todo.remove(todo.size() - 1);
            if (seen.add(v)) {
                todo.addAll(conf.getVertexInputs().getOrDefault(v, List.of()));
            }
        }
        return seen;
    }

    private static List<String> topologicalOrder(ComputationGraph net) {
        List<String> order = new ArrayList<>();
        for (int i : net.topologicalSortOrder()) {
            order.add(net.getVertices()[i].getVertexName());
        }
        return order;
    }

    /**
     * An inference copy of a trained layer: no updater (a trained layer carries the trainer's,
     * dml4j's Momentum, whose class a program without dml4j cannot load) and no regularisation.
     */
    private static Layer withoutTraining(Layer layer) {
        if (layer instanceof BaseLayer b) {
            b.setIUpdater(new NoOp());
            b.setBiasUpdater(null);
            b.setRegularization(new ArrayList<>());
            b.setRegularizationBias(new ArrayList<>());
        }
        return layer;
    }
}
