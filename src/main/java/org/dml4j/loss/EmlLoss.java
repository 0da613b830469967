package org.dml4j.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The original's {@code eml} loss (docs/ORIGINAL.md §5.6), a smooth max over positive-minus-negative squared
 * distances of the raw (not normalised) embeddings, in its overflow-safe three-term form. For row
 * i with positives p_ij (the S−1 other rows of its block) and negatives n_ik (the B−S rows
 * outside it):
 * <pre>
 *   p_max = max_j p_ij,  A_i = mean_j exp(p_ij − p_max)
 *   n_min = min_k n_ik,  N_i = mean_k exp(−(n_ik − n_min))
 *   b_i = p_max − n_min,  θ_i = A_i·N_i          (θ_i·e^{b_i} = mean_jk exp(p_ij − n_ik))
 *   f(t) = ln(1 + β·θ_i·e^t)/ln(1+β),  g(t) = (ln θ_i + t + ln β)/ln(1+β)
 *   loss_i = f(min(b_i, T)) + g(max(b_i, T)) − f(T),   loss = mean_i loss_i
 * </pre>
 * β = 1e5, T = 20; ≈ ln(1 + β·X_i)/ln(1 + β) without overflow, including the original's small
 * correction term when b ≤ T. S = {@code --samples_each_class} (default 2).
 *
 * <p>Its getters and setters are bean properties for DL4J's JSON serialisation: model.zip stores
 * them by name, so renaming one breaks every saved model (the stored checkpoints under
 * src/test/resources guard this).
 */
public class EmlLoss extends PairLoss {
    static final double BETA = 1e5;
    static final double THRESHOLD = 20;

    private int samplesEachClass;

    /** For JSON deserialisation. */
    public EmlLoss() {
    }

    /**
     * @param batchSize        rows of every batch (the global batch over the devices' count)
     * @param numShards        loss shards the batch splits into
     * @param samplesEachClass images per class in a block
     */
    public EmlLoss(int batchSize, int numShards, int samplesEachClass) {
        super(batchSize, numShards);
        BlockChecks.require(batchSize / numShards, samplesEachClass, "eml");
        this.samplesEachClass = samplesEachClass;
    }

    @Override
    protected SDVariable shardLoss(SameDiff sd, SDVariable x, SDVariable labels, int rows) {
        int s = samplesEachClass;
        SDVariable d = PairOps.squaredDistances(sd, x);
        SDVariable pos = sd.constant(PairOps.positiveMask(rows, s, x.dataType()));
        SDVariable neg = sd.constant(PairOps.negativeMask(rows, s, x.dataType()));
        SDVariable pMax = PairOps.keepForMax(d, pos).max(true, 1);
        SDVariable a = sd.math().exp(PairOps.keepForMax(d.sub(pMax), pos)).sum(true, 1).div(s - 1.0);
        SDVariable nMin = PairOps.keepForMin(d, neg).min(true, 1);
        SDVariable n = sd.math().exp(PairOps.keepForMax(d.sub(nMin).neg(), neg)).sum(true, 1).div(rows - (double) s);
        SDVariable b = pMax.sub(nMin);
        SDVariable theta = a.mul(n);
        SDVariable low = sd.nn().relu(b.rsub(THRESHOLD), 0.0).rsub(THRESHOLD);   // min(b, T)
        SDVariable high = sd.nn().relu(b.sub(THRESHOLD), 0.0).add(THRESHOLD);    // max(b, T)
        double lnBeta1 = Math.log1p(BETA);
        SDVariable fLow = sd.math().log(theta.mul(sd.math().exp(low)).mul(BETA).add(1.0)).div(lnBeta1);
        SDVariable gHigh = sd.math().log(theta).add(high).add(Math.log(BETA)).div(lnBeta1);
        SDVariable fT = sd.math().log(theta.mul(BETA * Math.exp(THRESHOLD)).add(1.0)).div(lnBeta1);
        return fLow.add(gHigh).sub(fT).mean();
    }

    public int getSamplesEachClass() {
        return samplesEachClass;
    }

    public void setSamplesEachClass(int samplesEachClass) {
        this.samplesEachClass = samplesEachClass;
    }
}
