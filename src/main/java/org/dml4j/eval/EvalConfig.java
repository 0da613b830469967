package org.dml4j.eval;

import org.dml4j.data.DataConfig;
import org.dml4j.data.ImageShape;
import org.dml4j.error.UsageException;
import org.dml4j.inference.EmbeddingModel;
import org.dml4j.model.Architecture;

/**
 * What eval, infer and search need (docs/ORIGINAL.md §2.4–2.5).
 *
 * @param architecture    the network ({@code --model}, {@code --image_shape}, {@code --embedding_size},
 *                        {@code --stride_in_1x1})
 * @param batchSize       {@code --batch_size}
 * @param useGpu          {@code --use_gpu}
 * @param pretrainedModel checkpoint or weights to load, or null for the randomly initialised network
 * @param data            where the data is and how it is read
 * @param engine          {@code --engine}: what runs the network
 */
public record EvalConfig(Architecture architecture, int batchSize, boolean useGpu, String pretrainedModel,
                         DataConfig data, EmbeddingModel.Engine engine) {
    public EvalConfig {
        if (batchSize < 1) {
            throw new UsageException("--batch_size must be >= 1, got " + batchSize);
        }
        if (useGpu && engine == EmbeddingModel.Engine.ONNXRUNTIME) {
            throw new UsageException("--engine onnxruntime runs on the CPU: pass --use_gpu=False with it");
        }
    }

    /** With the default engine (DL4J). */
    public EvalConfig(Architecture architecture, int batchSize, boolean useGpu, String pretrainedModel, DataConfig data) {
        this(architecture, batchSize, useGpu, pretrainedModel, data, EmbeddingModel.Engine.DL4J);
    }

    /** {@code --image_shape}. */
    public ImageShape imageShape() {
        return architecture.shape();
    }
}
