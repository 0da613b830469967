package org.dml4j.eval;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.dml4j.data.DataException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The one rule for embeddings wherever they enter dml4j (eval, search, infer, the trainer's test;
 * README "Embeddings"):
 * <ul>
 * <li>a non-finite value (NaN, ±Inf) is a data error naming the row and where it came from;</li>
 * <li>cosine similarity is computed on L2-normalised rows, and a zero row stays zero, so it has
 * cosine 0 to everything (itself and other zero rows included) and is still a query and a
 * database entry like any other row.</li>
 * </ul>
 * Norms are accumulated in double, so rows of huge or tiny finite float32 values normalise
 * correctly instead of overflowing to infinity or underflowing to zero.
 */
public final class Embeddings {
    /** Rows named in a non-finite error message. */
    private static final int SHOWN = 5;

    private Embeddings() {
    }

    /**
     * Checks that every value of {@code features} [N, D] is finite.
     *
     * @param source  where the rows come from, e.g. a file name ("features.npy")
     * @param rowName names row r for the message, e.g. its image path
     * @throws DataException naming the source, the number of bad rows and the first ones with the
     *                       column and value of their first non-finite entry
     */
    public static void requireFinite(INDArray features, String source, IntFunction<String> rowName) {
        int[] bad = nonFiniteRows(features);
        if (bad.length > 0) {
            INDArray x = contiguous(features);
            List<String> shown = new ArrayList<>();
            for (int i = 0; i < Math.min(SHOWN, bad.length); i++) {
                int r = bad[i];
                int c = firstNonFinite(x.getRow(r).toFloatVector());
                shown.add(rowName.apply(r) + ": " + x.getFloat(r, c) + " in column " + c);
            }
            throw new DataException(source + ": " + bad.length + " of " + x.size(0) + " embeddings hold NaN or"
                    + " infinite values, which have no cosine similarity:\n  " + String.join("\n  ", shown));
        }
    }

    /** Whether every value of {@code features} is finite. */
    public static boolean allFinite(INDArray features) {
        return nonFiniteRows(features).length == 0;
    }

    /** The rows of {@code features} [N, D] holding a NaN or infinite value, ascending. */
    public static int[] nonFiniteRows(INDArray features) {
        INDArray x = contiguous(features);
        int d = (int) x.size(1);
        FloatBuffer data = x.data().asNioFloat();
        return IntStream.range(0, (int) x.size(0)).parallel().filter(r -> firstNonFinite(row(data, r, d)) >= 0)
                .toArray();
    }

    /** "row r" (0-based, as numpy counts) for rows of a file. */
    public static IntFunction<String> numberedRows() {
        return r -> "row " + r;
    }

    /**
     * L2-normalises every row; a zero row stays zero.
     *
     * @param features [N, D]; a float32 C-order array that is not a view is normalised in place
     *                 and returned (saving a copy at SOP scale), anything else as a new float32 array
     * @return the normalised [N, D] float32 array
     * @throws IllegalArgumentException when a value is not finite (callers check with
     *                                  {@link #requireFinite} first, to name the row's source)
     */
    public static INDArray normalizeRows(INDArray features) {
        INDArray x = contiguous(features);
        int d = (int) x.size(1);
        FloatBuffer data = x.data().asNioFloat();
        IntStream.range(0, (int) x.size(0)).parallel().forEach(r -> {
            float[] row = row(data, r, d);
            if (firstNonFinite(row) >= 0) {
                throw new IllegalArgumentException("row " + r + " is not finite");
            }
            double sum = 0;
            for (float v : row) {
                sum += (double) v * v;
            }
            if (sum > 0) {
                double norm = Math.sqrt(sum);
                for (int c = 0; c < d; c++) {
                    row[c] = (float) (row[c] / norm);
                }
                data.put(Math.multiplyExact(r, d), row, 0, d);
            }
        });
        return x;
    }

    /** {@code features} itself when it is a float32 C-order array that is not a view, else such a copy. */
    private static INDArray contiguous(INDArray features) {
        if (features.rank() != 2) {
            throw new IllegalArgumentException("embeddings must be [N, D], got shape "
                    + Arrays.toString(features.shape()));
        }
        return features.dataType() == DataType.FLOAT && features.ordering() == 'c' && !features.isView()
                ? features : features.castTo(DataType.FLOAT).dup('c');
    }

    private static float[] row(FloatBuffer data, int r, int d) {
        float[] row = new float[d];
        data.get(Math.multiplyExact(r, d), row, 0, d);
        return row;
    }

    private static int firstNonFinite(float[] row) {
        for (int c = 0; c < row.length; c++) {
            if (!Float.isFinite(row[c])) {
                return c;
            }
        }
        return -1;
    }
}
