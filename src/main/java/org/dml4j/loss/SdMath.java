package org.dml4j.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The formulas the loss graphs share, written once in SameDiff (their ND4J counterparts outside
 * the graphs are {@link org.dml4j.math.Rows}).
 */
final class SdMath {
    /** Added to squared norms, so a zero row normalises to zero with a finite gradient. */
    static final double NORM_EPS_SQUARED = 1e-24;

    private SdMath() {
    }

    /**
     * v / √(‖v‖² + 1e-24) along {@code dimension} (1: rows, 0: columns). The original divides by
     * ‖v‖ with no epsilon; the two agree to far below float precision except at ‖v‖ = 0, where this
     * gives 0 (and a finite gradient) instead of NaN.
     */
    static SDVariable l2Normalize(SameDiff sd, SDVariable v, int dimension) {
        return v.div(sd.math().sqrt(v.mul(v).sum(true, dimension).add(NORM_EPS_SQUARED)));
    }

    /** log Σ_c exp(z_rc) per row, as max + log Σ exp(z − max) (no overflow); [N, 1]. */
    static SDVariable logSumExpRows(SameDiff sd, SDVariable z) {
        SDVariable max = z.max(true, 1);
        return sd.math().log(sd.math().exp(z.sub(max)).sum(true, 1)).add(max);
    }
}
