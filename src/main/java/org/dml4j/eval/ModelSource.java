package org.dml4j.eval;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.ImageList;
import org.dml4j.error.DataException;
import org.dml4j.error.ModelMismatchException;
import org.dml4j.inference.EmbeddingModel;
import org.dml4j.model.Architecture;
import org.dml4j.model.Backbone;
import org.dml4j.model.Backbones;
import org.dml4j.model.CheckpointInfo;
import org.dml4j.model.Checkpoints;
import org.dml4j.model.EmbeddingNetwork;
import org.dml4j.model.weights.PretrainedWeights;

/**
 * The model eval, infer and search embed with, as the flags mean it: the checkpoint given by
 * {@code --pretrained_model}, the network built from the flags with imported weights (the
 * original's per-parameter folder or a Keras .h5), or without one the randomly initialised network
 * (docs/ORIGINAL.md §7).
 */
public final class ModelSource {
    private ModelSource() {
    }

    /**
     * Embeddings of {@code images} by {@code model} in file order, batches and threads as
     * configured, every one finite.
     *
     * @param callback called after each batch, or null
     * @throws DataException naming the images whose embeddings are not finite
     */
    public static EmbeddingModel.Features embed(EmbeddingModel model, ImageList images, EvalConfig config,
                                                EmbeddingModel.BatchCallback callback) {
        EmbeddingModel.Features f = model.embed(images, config.batchSize(), config.data().numWorkers(), callback);
        EmbeddingModel.requireFinite(f, images, "the model's embeddings of " + images.listFile());
        return f;
    }

    /**
     * @throws ModelMismatchException naming each flag the checkpoint was trained with another value
     *                                of (--model, --image_shape, --embedding_size, --stride_in_1x1)
     */
    public static EmbeddingModel open(EvalConfig config, PrintWriter out) {
        String wanted = EmbeddingNetwork.embeddingVertex(config.architecture());
        if (config.pretrainedModel() == null) {
            out.println("no --pretrained_model: evaluating the randomly initialised network");
            return EmbeddingModel.of(EmbeddingNetwork.forInference(config.architecture(), config.data().seed()),
                    config.architecture(), wanted, config.engine());
        }
        Path path = Path.of(config.pretrainedModel());
        if (!PretrainedWeights.isCheckpoint(path)) {
            ComputationGraph net = EmbeddingNetwork.forInference(config.architecture(), config.data().seed());
            PretrainedWeights.load(net, path, out);
            return EmbeddingModel.of(net, config.architecture(), wanted, config.engine());
        }
        out.println("Loading parameters from " + path + "...");
        out.flush();
        Architecture arch = config.architecture();
        CheckpointInfo info = Checkpoints.info(path);
        if (info == null) {
            return bareModel(path, arch, wanted, config.engine(), out);
        }
        info.requireCompatible(CheckpointInfo.flagsOf(arch.backbone().name(), arch.shape(), arch.embeddingSize(),
                arch.strideIn1x1(), null), CheckpointInfo.ARCHITECTURE, "--pretrained_model " + path);
        return EmbeddingModel.load(path, arch.shape(), config.engine());
    }

    /**
     * A model zip without its checkpoint.json: what the network itself says (backbone, stride
     * rule, embedding width) must match the flags; its image shape cannot be known, so it is said.
     */
    private static EmbeddingModel bareModel(Path path, Architecture arch, String wanted, EmbeddingModel.Engine engine,
                                            PrintWriter out) {
        ComputationGraph net = Checkpoints.load(path, false).net();
        String holds = Backbones.ALL.stream().filter(b -> b.isIn(net)).map(Backbone::name).findFirst()
                .orElse("no network of dml4j's");
        if (!arch.backbone().isIn(net)) {
            throw new ModelMismatchException("--pretrained_model " + path + " holds " + holds + ", not --model="
                    + arch.backbone());
        }
        PretrainedWeights.requireSameStride(net, arch.strideIn1x1(), path);
        long width = EmbeddingNetwork.layerConf(net, EmbeddingNetwork.EMBEDDING) instanceof FeedForwardLayer fc
                ? fc.getNOut() : 0;
        if (width != arch.embeddingSize()) {
            throw new ModelMismatchException("--pretrained_model " + path + " has " + (width == 0
                    ? "no " + EmbeddingNetwork.EMBEDDING + " (pooled features): pass --embedding_size=0"
                    : "an embedding of width " + width + ": pass --embedding_size=" + width)
                    + ", not " + arch.embeddingSize());
        }
        out.println("note: " + path + " has no " + Checkpoints.INFO_FILE + " beside it saying its image shape; using"
                + " --image_shape=" + arch.shape() + " (pass the shape it was trained at)");
        return EmbeddingModel.of(net, arch, wanted, engine);
    }
}
