package org.dml4j.data;

import org.dml4j.error.UsageException;

/**
 * Element stream (docs/ORIGINAL.md §3.3a): the list is shuffled once by the seed and then cycled in that
 * order; batch t is positions {@code [t·B, (t+1)·B)} of the endless cycle, so batches straddle
 * epoch boundaries as in the original.
 */
public final class ElementSampler implements BatchSampler {
    private final int[] order;
    private final int batchSize;

    /**
     * @param size      images in the list
     * @param batchSize B, at least 1
     * @param seed      fixes the one shuffle
     * @throws UsageException          when {@code batchSize} is below 1
     * @throws IllegalArgumentException when the list is empty (callers refuse empty lists first)
     */
    public ElementSampler(int size, int batchSize, long seed) {
        if (batchSize < 1) {
            throw new UsageException("--train_batch_size must be >= 1, got " + batchSize);
        }
        if (size < 1) {
            throw new IllegalArgumentException("no images to sample from");
        }
        this.batchSize = batchSize;
        this.order = Seeds.permutation(size, size, Seeds.rng(seed, Seeds.SHUFFLE, 0));
    }

    @Override
    public int[] batch(long iteration) {
        int[] out = new int[batchSize];
        long start = iteration * batchSize;
        for (int k = 0; k < batchSize; k++) {
            out[k] = order[(int) ((start + k) % order.length)];
        }
        return out;
    }
}
