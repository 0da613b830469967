package org.dml4j.data;

import org.dml4j.error.DataException;

/**
 * Which images make batch t: a pure function of the iteration, so a run resumed at iteration t
 * sees exactly the batches an uninterrupted run would, whatever the number of decoding threads.
 */
public interface BatchSampler {

    /** The image indices (into the list) of batch {@code iteration}, in stream order. */
    int[] batch(long iteration);

    /**
     * The training stream for a loss family (docs/ORIGINAL.md §3.3).
     *
     * @param kind             element, triplet or class-block stream
     * @param list             the training list
     * @param batchSize        {@code --train_batch_size}
     * @param samplesEachClass S for class-block streams (ignored otherwise)
     * @param samplesFixed     whether the loss fixes S (npairs), so that messages suggest only the batch size
     * @param seed             {@code --seed}
     * @throws IllegalArgumentException naming the flag when the batch size does not fit the stream
     * @throws DataException            when the list cannot fill such batches (too few classes)
     */
    static BatchSampler training(StreamKind kind, ImageList list, int batchSize, int samplesEachClass,
                                 boolean samplesFixed, long seed) {
        return switch (kind) {
            case ELEMENT -> new ElementSampler(list.size(), batchSize, seed);
            case TRIPLET -> new TripletSampler(list, batchSize, seed);
            case CLASS_BLOCKS -> new ClassBlockSampler(list, batchSize, samplesEachClass, samplesFixed, seed);
        };
    }

    /** The three training streams of the original. */
    enum StreamKind {
        /** softmax, arcmargin: one shuffle, then cycle in that order. */
        ELEMENT,
        /** triplet: independent (anchor, positive, negative) triples. */
        TRIPLET,
        /** quadruplet, eml, npairs: C distinct classes × S images per batch. */
        CLASS_BLOCKS
    }
}
