package org.dml4j.loss;

import org.dml4j.error.UsageException;

/** The block-layout rules the class-block losses share. */
final class BlockChecks {
    /** How the batch is cut into loss shards, for messages. */
    static final String SHARDS = "--train_batch_size split into --num_shards shards, at least one per --num_devices"
            + " device";

    private BlockChecks() {
    }

    /** A shard of {@code rows} must hold whole blocks of S ≥ 2 and at least two blocks. */
    static void require(int rows, int samplesEachClass, String loss) {
        if (samplesEachClass < 2) {
            throw new UsageException("--samples_each_class must be >= 2 for " + loss + ", got "
                    + samplesEachClass);
        }
        if (rows % samplesEachClass != 0 || rows / samplesEachClass < 2) {
            throw new UsageException("a loss shard of " + rows + " rows (" + SHARDS + ") must be a multiple"
                    + " of --samples_each_class (" + samplesEachClass + ") holding at least two classes for " + loss);
        }
    }
}
