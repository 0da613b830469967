package org.dml4j.data;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.dml4j.error.DataException;
import org.dml4j.error.UsageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * P×K stream (docs/ORIGINAL.md §3.3c): each batch is C = B/S distinct classes, each as a block of S
 * consecutive images of that class (distinct images). A class with fewer than S images is sampled
 * with replacement so blocks stay aligned (the original silently misaligned them); this is logged
 * once.
 */
final class ClassBlockSampler implements BatchSampler {
    private static final Logger LOG = LoggerFactory.getLogger(ClassBlockSampler.class);

    private final int[][] byClass;
    private final int batchSize;
    private final int perClass;
    private final long seed;

    /**
     * @param samplesFixed whether the loss fixes {@code --samples_each_class} (npairs: 2), so that
     *                     only the batch size can be suggested
     */
    ClassBlockSampler(ImageList list, int batchSize, int samplesEachClass, boolean samplesFixed, long seed) {
        if (samplesEachClass < 1) {
            throw new UsageException("--samples_each_class must be >= 1, got " + samplesEachClass);
        }
        if (batchSize < samplesEachClass || batchSize % samplesEachClass != 0) {
            throw new UsageException("--train_batch_size (" + batchSize
                    + ") must be a positive multiple of --samples_each_class (" + samplesEachClass + ")");
        }
        this.byClass = list.indicesByLabel();
        if (byClass.length < 2) {
            throw new DataException(list.listFile() + ": the pair losses compare images of different classes;"
                    + " the list has " + byClass.length + " class, they need at least 2");
        }
        int classesPerBatch = batchSize / samplesEachClass;
        if (classesPerBatch > byClass.length) {
            int fit = (batchSize + byClass.length - 1) / byClass.length;
            while (batchSize % fit != 0) {
                fit++;
            }
            throw new DataException(list.listFile() + ": a batch of " + batchSize + " with --samples_each_class="
                    + samplesEachClass + " needs " + classesPerBatch + " distinct classes, the list has "
                    + byClass.length + "; lower --train_batch_size to at most " + byClass.length * samplesEachClass
                    + (samplesFixed || fit == batchSize ? "" : " or raise --samples_each_class to " + fit
                    + " (it must divide the batch size)"));
        }
        long small = Arrays.stream(byClass).filter(c -> c.length < samplesEachClass).count();
        if (small > 0) {
            LOG.warn("{} of {} classes have fewer than {} images; they are sampled with replacement",
                    small, byClass.length, samplesEachClass);
        }
        this.batchSize = batchSize;
        this.perClass = samplesEachClass;
        this.seed = seed;
    }

    @Override
    public int[] batch(long iteration) {
        SplittableRandom rng = Seeds.rng(seed, Seeds.CLASS_BLOCKS, iteration);
        int classesPerBatch = batchSize / perClass;
        int[] classes = Seeds.permutation(byClass.length, classesPerBatch, rng);
        int[] out = new int[batchSize];
        for (int b = 0; b < classesPerBatch; b++) {
            int[] images = byClass[classes[b]];
            if (images.length >= perClass) {
                int[] pick = images.clone();
                Seeds.partialShuffle(pick, perClass, rng);
                System.arraycopy(pick, 0, out, b * perClass, perClass);
            } else {
                for (int k = 0; k < perClass; k++) {
                    out[b * perClass + k] = images[rng.nextInt(images.length)];
                }
            }
        }
        return out;
    }
}
