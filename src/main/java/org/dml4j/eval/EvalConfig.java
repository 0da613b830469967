package org.dml4j.eval;

import org.dml4j.data.DataConfig;
import org.dml4j.data.ImageShape;
import org.dml4j.model.Backbone;

/**
 * What eval and infer need (spec §2.4–2.5).
 *
 * @param pretrainedModel checkpoint to load, or null for the randomly initialised network
 */
public record EvalConfig(Backbone model, int embeddingSize, int batchSize, ImageShape imageShape,
                         boolean useGpu, String pretrainedModel, DataConfig data) {
    public EvalConfig {
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch_size must be >= 1, got " + batchSize);
        }
        if (embeddingSize < 0) {
            throw new IllegalArgumentException("--embedding_size must be >= 0, got " + embeddingSize);
        }
    }
}
