package org.dml4j.retrieval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.dml4j.error.DataException;
import org.dml4j.math.Rows;
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
 * Norms are accumulated in double on scaled rows ({@link Rows#normalizeInPlace}), so rows of huge
 * or tiny finite values normalise correctly instead of overflowing to infinity or underflowing to zero.
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
                double[] row = new Rows.RowAccess(x).get(r);
                int c = firstNonFinite(row);
                shown.add(rowName.apply(r) + ": " + (float) row[c] + " in column " + c);
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
        Rows.RowAccess rows = new Rows.RowAccess(contiguous(features));
        return IntStream.range(0, rows.n).parallel().filter(r -> firstNonFinite(rows.get(r)) >= 0).toArray();
    }

    /** "row r" (0-based, as numpy counts) for rows of a file. */
    public static IntFunction<String> numberedRows() {
        return r -> "row " + r;
    }

    /**
     * L2-normalises every row; a zero row stays zero. The norm is computed in double on the row
     * scaled by its largest magnitude, so no finite float32 or float64 row overflows or underflows.
     *
     * @param features [N, D] float32 or float64; a float32 C-order array that is not a view is
     *                 normalised in place and returned (saving a copy at SOP scale), anything else
     *                 into a new float32 array
     * @return the normalised [N, D] float32 array
     * @throws IllegalArgumentException when a value is not finite (callers check with
     *                                  {@link #requireFinite} first, to name the row's source)
     */
    public static INDArray normalizeRows(INDArray features) {
        INDArray x = contiguous(features);
        int[] bad = nonFiniteRows(x);
        if (bad.length > 0) {
            throw new IllegalArgumentException("row " + bad[0] + " is not finite");
        }
        return x.dataType() == DataType.FLOAT ? Rows.normalizeInPlace(x)
                : Rows.normalizeInPlace(x == features ? x.dup('c') : x).castTo(DataType.FLOAT);
    }

    /** {@code features} itself when it is a float32/float64 C-order array that is not a view, else such a copy. */
    private static INDArray contiguous(INDArray features) {
        if (features.rank() != 2) {
            throw new IllegalArgumentException("embeddings must be [N, D], got shape "
                    + Arrays.toString(features.shape()));
        }
        DataType type = features.dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        return features.dataType() == type && features.ordering() == 'c' && !features.isView()
                ? features : features.castTo(type).dup('c');
    }

    private static int firstNonFinite(double[] row) {
        for (int c = 0; c < row.length; c++) {
            if (!Double.isFinite(row[c])) {
                return c;
            }
        }
        return -1;
    }
}
