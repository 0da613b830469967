package org.dml4j.eval;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Recall@1 as the original measures it (spec §7): L2-normalised features, nearest neighbour by
 * cosine, the query itself excluded, ties to the lower index; a hit when the neighbour has the
 * query's label.
 */
public final class Retrieval {
    private Retrieval() {
    }

    /** Recall@1 of {@code features} [N, D] (normalised in place) with {@code labels}; N ≥ 2. */
    public static double recallAt1(INDArray features, int[] labels) {
        if (labels.length < 2) {
            throw new IllegalArgumentException("Recall@1 needs at least 2 images, got " + labels.length);
        }
        return RetrievalMetrics.recallAt(NearestNeighbours.search(features, 1, NearestNeighbours.DEFAULT_BLOCK),
                labels, 1);
    }
}
