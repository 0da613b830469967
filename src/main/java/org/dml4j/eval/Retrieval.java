package org.dml4j.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Exact Recall@1 as the original measures it (spec §7): features L2-normalised (no epsilon),
 * nearest neighbour by cosine (= smallest squared distance of normalised vectors), the query itself
 * excluded, ties to the lower index; a hit when the neighbour has the query's label. Query rows are
 * processed in blocks against all features with one gemm each, so the N×N matrix never exists.
 */
public final class Retrieval {
    private static final int BLOCK = 1024;

    private Retrieval() {
    }

    /** Recall@1 of {@code features} [N, D] with {@code labels}; N ≥ 2. */
    public static double recallAt1(INDArray features, int[] labels) {
        int n = labels.length;
        if (n < 2) {
            throw new IllegalArgumentException("Recall@1 needs at least 2 images, got " + n);
        }
        INDArray x = features.castTo(DataType.FLOAT);
        x = x.div(x.norm2(1).reshape(-1, 1));
        int hits = 0;
        for (int from = 0; from < n; from += BLOCK) {
            int rows = Math.min(BLOCK, n - from);
            INDArray queries = x.get(NDArrayIndex.interval(from, from + rows), NDArrayIndex.all());
            INDArray sim = Nd4j.create(DataType.FLOAT, rows, n);
            Nd4j.gemm(queries, x, sim, false, true, 1.0, 0.0);
            for (int r = 0; r < rows; r++) {
                sim.putScalar(r, from + r, Float.NEGATIVE_INFINITY);
            }
            long[] nearest = sim.argMax(1).toLongVector();
            for (int r = 0; r < rows; r++) {
                if (labels[(int) nearest[r]] == labels[from + r]) {
                    hits++;
                }
            }
        }
        return hits / (double) n;
    }
}
