package org.dml4j.retrieval;

import org.dml4j.error.DataException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Recall@1 as the original measures it (docs/ORIGINAL.md §7): L2-normalised features, nearest neighbour by
 * cosine, the query itself excluded, ties to the lower index; a hit when the neighbour has the
 * query's label.
 */
public final class Retrieval {
    private Retrieval() {
    }

    /**
     * The data-size precondition of every retrieval metric: each query is compared with the
     * others, so there must be at least two.
     *
     * @param source what the embeddings are of, for the message (a list or features file)
     * @throws DataException saying what is needed when {@code n < 2}
     */
    public static void requireQueries(int n, String source) {
        if (n < 2) {
            throw new DataException(source + ": retrieval needs at least 2 images (each query is compared with"
                    + " the others), got " + n);
        }
    }

    /**
     * Recall@1 of {@code features} [N, D] (finite; normalised in place) with {@code labels}.
     *
     * @throws IllegalArgumentException when N &lt; 2 (callers check with {@link #requireQueries})
     */
    public static double recallAt1(INDArray features, int[] labels) {
        return RetrievalMetrics.recallAt(NearestNeighbours.search(features, 1, NearestNeighbours.DEFAULT_BLOCK),
                labels, 1);
    }
}
