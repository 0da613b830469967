package org.dml4j.eval;

import org.dml4j.data.DataConfig;
import org.dml4j.data.ImageShape;
import org.dml4j.error.UsageException;
import org.dml4j.model.Architecture;
import org.dml4j.model.Backbone;

/**
 * What eval and infer need (docs/ORIGINAL.md §2.4–2.5).
 *
 * @param pretrainedModel checkpoint to load, or null for the randomly initialised network
 */
public record EvalConfig(Backbone model, int embeddingSize, boolean strideIn1x1, int batchSize, ImageShape imageShape,
                         boolean useGpu, String pretrainedModel, DataConfig data) {
    public EvalConfig {
        if (batchSize < 1) {
            throw new UsageException("--batch_size must be >= 1, got " + batchSize);
        }
        architecture();
    }

    /** The network these flags describe (validates --embedding_size and --stride_in_1x1). */
    public Architecture architecture() {
        return new Architecture(model, imageShape, embeddingSize, strideIn1x1);
    }
}
