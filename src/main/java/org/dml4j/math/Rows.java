package org.dml4j.math;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Row-wise formulas on ND4J matrices, written once for every package that needs them: L2
 * normalisation (retrieval, the training accuracy of ArcFace) and the stable log-sum-exp (the printed
 * training loss). Their SameDiff counterparts inside the loss graphs are in the loss package (SdMath).
 */
public final class Rows {
    private Rows() {
    }

    /**
     * Divides every row of {@code x} by its L2 norm, in place; a zero row stays zero. The norm is
     * computed in double on the row scaled by its largest magnitude, so no finite float32 or float64
     * row overflows or underflows (1e300 and 1e-300 normalise alike).
     *
     * @param x [N, D] float32 or float64, C order, not a view
     * @return {@code x}
     */
    public static INDArray normalizeInPlace(INDArray x) {
        if (x.rank() != 2 || x.ordering() != 'c' || x.isView()
                || !(x.dataType() == DataType.FLOAT || x.dataType() == DataType.DOUBLE)) {
            throw new IllegalArgumentException("expected a C-order float or double matrix that is not a view");
        }
        RowAccess rows = new RowAccess(x);
        IntStream.range(0, rows.n).parallel().forEach(r -> {
            double[] row = rows.get(r);
            double norm = norm(row);
            if (norm > 0) {
                for (int c = 0; c < row.length; c++) {
                    row[c] /= norm;
                }
                rows.put(r, row);
            }
        });
        return x;
    }

    /**
     * Row access, as doubles, to a float32 or float64 [N, D] C-order array that is not a view
     * (rows of such arrays are contiguous in its buffer). Safe for different rows from different
     * threads.
     */
    public static final class RowAccess {
        /** Rows N. */
        public final int n;
        /** Columns D. */
        public final int d;
        private final FloatBuffer floats;
        private final DoubleBuffer doubles;

        public RowAccess(INDArray x) {
            n = (int) x.size(0);
            d = (int) x.size(1);
            boolean f64 = x.dataType() == DataType.DOUBLE;
            floats = f64 ? null : x.data().asNioFloat();
            doubles = f64 ? x.data().asNioDouble() : null;
        }

        /** Row {@code r} [D] as a new double array. */
        public double[] get(int r) {
            double[] row = new double[d];
            int start = Math.multiplyExact(r, d);
            if (doubles != null) {
                doubles.get(start, row, 0, d);
            } else {
                float[] f = new float[d];
                floats.get(start, f, 0, d);
                for (int c = 0; c < d; c++) {
                    row[c] = f[c];
                }
            }
            return row;
        }

        /** Writes {@code row} [D] into row {@code r} (rounded to float32 for a float32 array). */
        public void put(int r, double[] row) {
            int start = Math.multiplyExact(r, d);
            if (doubles != null) {
                doubles.put(start, row, 0, d);
            } else {
                float[] f = new float[d];
                for (int c = 0; c < d; c++) {
                    f[c] = (float) row[c];
                }
                floats.put(start, f, 0, d);
            }
        }
    }

    /** A copy of {@code x} [N, D] (float32 or float64, any layout) with every row L2-normalised. */
    public static INDArray normalized(INDArray x) {
        return normalizeInPlace(x.dup('c'));
    }

    /** ‖row‖₂ in double, scaled by the largest magnitude first (NaN when a value is not finite). */
    static double norm(double[] row) {
        double scale = 0;
        for (double v : row) {
            scale = Math.max(scale, Math.abs(v));
        }
        if (!(scale > 0) || Double.isInfinite(scale)) {
            return scale == 0 ? 0 : Double.NaN;
        }
        double sum = 0;
        for (double v : row) {
            sum += (v / scale) * (v / scale);
        }
        return scale * Math.sqrt(sum);
    }

    /**
     * log Σ_c exp(z_rc) for every row, computed as max + log Σ exp(z − max) in double.
     *
     * @param z [N, C]
     * @return N values
     */
    public static double[] logSumExp(INDArray z) {
        double[][] rows = z.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[] out = new double[rows.length];
        for (int r = 0; r < rows.length; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : rows[r]) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (double v : rows[r]) {
                sum += Math.exp(v - max);
            }
            out[r] = max + Math.log(sum);
        }
        return out;
    }
}
