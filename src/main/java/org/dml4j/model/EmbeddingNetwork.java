package org.dml4j.model;

import java.util.Arrays;
import java.util.Comparator;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A backbone with a training head: {@code image → ResNet → [fc_0] → head}. The embedding (what
 * eval and infer use) is the output of {@link #embeddingVertex}; the head is the loss layer the
 * trainer fits.
 */
public final class EmbeddingNetwork {
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
                .l2(l2)
                .l2Bias(l2)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder()
                .addInputs(ResNetBuilder.INPUT)
                .setInputTypes(InputType.convolutional(arch.shape().height(), arch.shape().width(),
                        arch.shape().channels()));
        String embedding = ResNetBuilder.addBackbone(g, arch);
        g.addLayer(HEAD, head, embedding).setOutputs(HEAD);
        ComputationGraphConfiguration conf = g.build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        initialise(net, seed);
        return net;
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
        return build(arch, new LossLayer.Builder(LossFunctions.LossFunction.MSE)
                .activation(Activation.IDENTITY).build(), new NoOp(), 0, seed, DataType.FLOAT);
    }

    /** The vertex whose output is the embedding: {@code fc_0} when embedding_size > 0, else {@code pool5}. */
    public static String embeddingVertex(int embeddingSize) {
        return embeddingSize > 0 ? ResNetBuilder.EMBEDDING : ResNetBuilder.POOL;
    }

    /** Width of the embedding. */
    public static int embeddingWidth(Backbone backbone, int embeddingSize) {
        return embeddingSize > 0 ? embeddingSize : backbone.featureWidth();
    }
}
