package org.dml4j.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The pieces the pair losses share (docs/ORIGINAL.md §5.1), written once: L2 normalisation, the pairwise
 * squared-distance matrix, the same-block positive/negative masks, and masked max/min.
 */
final class PairOps {
    /** Added to masked-out entries so they never win a max/min and vanish under exp. */
    private static final double BIG = 1e9;
    private PairOps() {
    }

    /** Rows of {@code x} L2-normalised ({@link SdMath#l2Normalize}). */
    static SDVariable normalize(SameDiff sd, SDVariable x) {
        return SdMath.l2Normalize(sd, x, 1);
    }

    /** d_ij = ‖x_i‖² + ‖x_j‖² − 2·x_i·x_j, no square root, no clamping. */
    static SDVariable squaredDistances(SameDiff sd, SDVariable x) {
        SDVariable sq = x.mul(x).sum(true, 1);
        SDVariable dot = x.mmul(sd.transpose(x));
        return sq.add(sd.transpose(sq)).sub(dot.mul(2.0));
    }

    /** 1 where j is another member of i's block of {@code s} consecutive rows, else 0. */
    static INDArray positiveMask(int b, int s, DataType type) {
        INDArray m = Nd4j.zeros(type, b, b);
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                if (i != j && i / s == j / s) {
                    m.putScalar(i, j, 1.0);
                }
            }
        }
        return m;
    }

    /** 1 where j lies outside i's block, else 0. */
    static INDArray negativeMask(int b, int s, DataType type) {
        INDArray m = Nd4j.zeros(type, b, b);
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                if (i / s != j / s) {
                    m.putScalar(i, j, 1.0);
                }
            }
        }
        return m;
    }

    /** Entries where {@code mask} is 1 unchanged, others pushed down by BIG (for max, exp). */
    static SDVariable keepForMax(SDVariable d, SDVariable mask) {
        return d.add(mask.sub(1.0).mul(BIG));
    }

    /** Entries where {@code mask} is 1 unchanged, others pushed up by BIG (for min). */
    static SDVariable keepForMin(SDVariable d, SDVariable mask) {
        return d.add(mask.rsub(1.0).mul(BIG));
    }

    /**
     * Rows {@code rows} of {@code x} (which has {@code total} rows), as a product with a constant
     * 0/1 selection matrix. (SameDiff M2.1's gather cannot be differentiated more than once in a
     * graph: its gradient sub-functions collide by name.)
     */
    static SDVariable select(SameDiff sd, SDVariable x, int[] rows, int total) {
        INDArray pick = Nd4j.zeros(x.dataType(), rows.length, total);
        for (int k = 0; k < rows.length; k++) {
            pick.putScalar(k, rows[k], 1.0);
        }
        return sd.constant(pick).mmul(x);
    }

    /** Row indices {@code start, start+step, …} below {@code end}. */
    static int[] rows(int start, int end, int step) {
        int[] r = new int[(end - start + step - 1) / step];
        for (int k = 0; k < r.length; k++) {
            r[k] = start + k * step;
        }
        return r;
    }
}
