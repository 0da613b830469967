package org.dml4j.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A backbone with a training head: {@code image → backbone → [fc_0] → head}. The embedding (what
 * eval and infer use) is the output of {@link #embeddingVertex}; the head is the loss layer the
 * trainer fits.
 */
public final class EmbeddingNetwork {
    /** Input vertex. */
    public static final String INPUT = "image";
    /** The optional linear embedding layer (the original's name). */
    public static final String EMBEDDING = "fc_0";
    /** Name of the head (output) layer. */
    public static final String HEAD = "head";

    private EmbeddingNetwork() {
    }

    /**
     * Builds and initialises the network.
     *
     * @param head    the loss layer, fed by the embedding
     * @param updater optimiser for every parameter
     * @param l2      L2 weight decay added to every trainable parameter's gradient
     * @param seed    initialisation seed
     */
    public static ComputationGraph build(Architecture arch, org.deeplearning4j.nn.conf.layers.Layer head,
                                         IUpdater updater, double l2, long seed, DataType dataType) {
        GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(dataType)
                .updater(updater)
                // g += λw before the optimiser, as DL4J's l2(), without ½λ‖w‖² in the score (L2WeightDecay)
                .regularization(weightDecay(l2))
                .regularizationBias(weightDecay(l2))
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional(arch.shape().height(), arch.shape().width(),
                        arch.shape().channels()));
        String embedding = arch.backbone().addTo(g, INPUT, arch);
        if (arch.embeddingSize() > 0) {
            g.addLayer(EMBEDDING, new DenseLayer.Builder().nOut(arch.embeddingSize()).activation(Activation.IDENTITY)
                    .weightInit(WeightInit.XAVIER_UNIFORM).biasInit(0).build(), embedding);
            embedding = EMBEDDING;
        }
        g.addLayer(HEAD, head, embedding).setOutputs(HEAD);
        ComputationGraphConfiguration conf = g.build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        initialise(net, seed);
        return net;
    }

    /** [L2WeightDecay(λ)], or none for λ = 0; a mutable list, as DL4J's builder may add to it. */
    private static List<Regularization> weightDecay(double l2) {
        List<Regularization> list = new ArrayList<>();
        if (l2 > 0) {
            list.add(new L2WeightDecay(l2));
        }
        return list;
    }

    /**
     * Re-runs every layer's own parameter initialiser with the random generator seeded from
     * (seed, layer name). DL4J seeds once and then initialises layers in an order that can change
     * from one build to the next (seen here: two builds with one seed differed from res3a_branch1
     * on); keyed by name, the same seed always gives the same weights.
     */
    static void initialise(ComputationGraph net, long seed) {
        Layer[] layers = net.getLayers().clone();
        Arrays.sort(layers, Comparator.comparing(l -> l.conf().getLayer().getLayerName()));
        for (Layer layer : layers) {
            if (layer.numParams() == 0) {
                continue;
            }
            String name = layer.conf().getLayer().getLayerName();
            Nd4j.getRandom().setSeed(seed * 1_000_003L + name.hashCode());
            layer.conf().getLayer().initializer().init(layer.conf(), layer.params(), true);
        }
    }

    /** The network without a trainable head, randomly initialised from {@code seed} (eval/infer without weights). */
    public static ComputationGraph forInference(Architecture arch, long seed) {
        LossLayer head = new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build();
        // A LossLayer passes its input through, but DL4J leaves its width at 0 (the builder refuses one) and then
        // logs "Assigning a size of zero" (InputType) at every build: give it the embedding's width.
        head.setNOut(embeddingWidth(arch));
        return build(arch, head, new NoOp(), 0, seed, DataType.FLOAT);
    }

    /** The vertex whose output is the embedding: {@code fc_0} when embedding_size > 0, else the pooled features. */
    public static String embeddingVertex(Architecture arch) {
        return arch.embeddingSize() > 0 ? EMBEDDING : arch.backbone().pooledVertex();
    }

    /** Width of the embedding. */
    public static int embeddingWidth(Architecture arch) {
        return arch.embeddingSize() > 0 ? arch.embeddingSize() : arch.backbone().featureWidth();
    }

    /** The configuration of layer {@code name}, or null when {@code net} has no such layer. */
    public static org.deeplearning4j.nn.conf.layers.Layer layerConf(ComputationGraph net, String name) {
        GraphVertex v = net.getVertex(name);
        return v != null && v.hasLayer() ? v.getLayer().conf().getLayer() : null;
    }
}
