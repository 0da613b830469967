package org.dml4j.spark;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.dml4j.data.ImageShape;
import org.dml4j.error.DataException;
import org.dml4j.inference.EmbeddingModel;
import org.dml4j.model.Architecture;
import org.dml4j.model.Backbones;
import org.dml4j.model.CheckpointInfo;
import org.dml4j.model.Checkpoints;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * The model of a job, loaded once per executor JVM (tasks of the same job on that executor share
 * it) from either kind of model folder, read through Hadoop's file systems:
 * <ul>
 * <li>a dml4j checkpoint: {@code model.zip} and {@code checkpoint.json} (run by DL4J, the folded
 * inference network as {@code infer} runs it);</li>
 * <li>an export folder ({@code dml4j export}): {@code model.onnx} and {@code preprocessing.json}
 * (run by ONNX Runtime).</li>
 * </ul>
 */
public final class ExecutorModels {
    private static final Map<String, EmbeddingModel> MODELS = new ConcurrentHashMap<>();

    private ExecutorModels() {
    }

    /**
     * The model at {@code model} (a folder, or a checkpoint's model.zip), loaded on first use in this JVM.
     *
     * @throws DataException when it is neither kind of model folder, or cannot be read
     */
    public static EmbeddingModel get(String model, Configuration conf) {
        return MODELS.computeIfAbsent(model, m -> load(m, conf));
    }

    private static EmbeddingModel load(String model, Configuration conf) {
        boolean zip = model.endsWith(".zip");
        String dir = zip ? HadoopFiles.parent(model) : model;
        String modelZip = zip ? model : HadoopFiles.resolve(dir, Checkpoints.MODEL_FILE);
        String info = HadoopFiles.resolve(dir, Checkpoints.INFO_FILE);
        if (HadoopFiles.exists(info, conf)) {
            CheckpointInfo ci = Checkpoints.info(HadoopFiles.readOrFail(info, "checkpoint description", conf), info);
            return EmbeddingModel.fromBytes(HadoopFiles.readOrFail(modelZip, "model", conf), ci, modelZip);
        }
        String onnx = HadoopFiles.resolve(dir, "model.onnx");
        String preprocessing = HadoopFiles.resolve(dir, "preprocessing.json");
        if (!zip && HadoopFiles.exists(onnx, conf) && HadoopFiles.exists(preprocessing, conf)) {
            return EmbeddingModel.fromOnnx(HadoopFiles.readOrFail(onnx, "ONNX model", conf),
                    exported(HadoopFiles.readOrFail(preprocessing, "preprocessing description", conf), preprocessing));
        }
        throw new DataException(model + ": neither a dml4j checkpoint (" + Checkpoints.MODEL_FILE + " with "
                + Checkpoints.INFO_FILE + ") nor an export folder (model.onnx with preprocessing.json)");
    }

    /** The architecture an export's preprocessing.json names in its {@code source}. */
    @SuppressWarnings("unchecked")
    private static Architecture exported(byte[] json, String file) {
        try {
            Map<String, Object> source = (Map<String, Object>) new ObjectMapper().readValue(json, Map.class)
                    .get("source");
            if (source == null || !(source.get("model") instanceof String name)
                    || !(source.get("image_shape") instanceof String shape)
                    || !(source.get("embedding_size") instanceof Integer width)) {
                throw new DataException(file + ": no \"source\" with model, image_shape and embedding_size (written by"
                        + " dml4j export)");
            }
            return new Architecture(Backbones.parse(name), ImageShape.parse(shape), width);
        } catch (IOException e) {
            throw new DataException(file + ": not JSON: " + e.getMessage(), e);
        }
    }
}
