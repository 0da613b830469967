package org.dml4j.data;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.dml4j.error.DataException;
import org.dml4j.error.UsageException;

/**
 * Triplet stream (docs/ORIGINAL.md §3.3b): every batch is B/3 independent (anchor, positive, negative)
 * triples. The positive class is drawn uniformly, the negative class uniformly among the others,
 * anchor and positive are two distinct images of the positive class, the negative one image of the
 * negative class. No mining. Classes with a single image cannot give an anchor–positive pair and
 * are only used as negatives (the original would crash on them; SOP has none).
 */
final class TripletSampler implements BatchSampler {
    private final int[][] byClass;
    private final int[] pairClasses;
    private final int batchSize;
    private final long seed;

    TripletSampler(ImageList list, int batchSize, long seed) {
        if (batchSize < 3 || batchSize % 3 != 0) {
            throw new UsageException(
                    "--train_batch_size must be a positive multiple of 3 for triplet, got " + batchSize);
        }
        this.byClass = list.indicesByLabel();
        this.pairClasses = IntStream.range(0, byClass.length)
                .filter(c -> byClass[c].length >= 2).toArray();
        if (byClass.length < 2 || pairClasses.length == 0) {
            throw new DataException(list.listFile() + ": triplet needs at least 2 classes and one class"
                    + " with 2 or more images; found " + byClass.length + " classes, "
                    + pairClasses.length + " with 2+ images");
        }
        this.batchSize = batchSize;
        this.seed = seed;
    }

    @Override
    public int[] batch(long iteration) {
        SplittableRandom rng = Seeds.rng(seed, Seeds.TRIPLETS, iteration);
        int[] out = new int[batchSize];
        for (int k = 0; k < batchSize; k += 3) {
            int pos = pairClasses[rng.nextInt(pairClasses.length)];
            int neg = rng.nextInt(byClass.length - 1);
            if (neg >= pos) {
                neg++;
            }
            int[] images = byClass[pos];
            int a = rng.nextInt(images.length);
            int p = rng.nextInt(images.length - 1);
            if (p >= a) {
                p++;
            }
            out[k] = images[a];
            out[k + 1] = images[p];
            out[k + 2] = byClass[neg][rng.nextInt(byClass[neg].length)];
        }
        return out;
    }
}
