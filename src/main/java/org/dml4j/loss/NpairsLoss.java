package org.dml4j.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The original's {@code npairs} loss (docs/ORIGINAL.md §5.7; Sohn, NIPS 2016) on raw embeddings, with blocks of
 * S = 2: anchors a_k = row 2k, positives q_k = row 2k+1, C = B/2 pairs.
 * <pre>
 *   L_kl = a_k·q_l,  T_kl = [label(a_k) = label(q_l)] / (S − 1)
 *   xent = mean_k −Σ_l T_kl·log softmax_l(L_k·)        (anchors against positives only)
 *   loss = xent + 0.5·λ·mean_i ‖x_i‖²                  (over all B rows)
 * </pre>
 * λ = {@code --npairs_reg_lambda} (default 0.01). Labels are used here (not block positions).
 *
 * <p>Its getters and setters are bean properties for DL4J's JSON serialisation: model.zip stores
 * them by name, so renaming one breaks every saved model (the stored checkpoints under
 * src/test/resources guard this).
 */
public class NpairsLoss extends PairLoss {
    private double regLambda;

    /** For JSON deserialisation. */
    public NpairsLoss() {
    }

    /**
     * @param batchSize rows of every batch (anchor, positive pairs)
     * @param numShards loss shards the batch splits into
     * @param regLambda {@code --npairs_reg_lambda}
     */
    public NpairsLoss(int batchSize, int numShards, double regLambda) {
        super(batchSize, numShards);
        BlockChecks.require(batchSize / numShards, 2, "npairs");
        this.regLambda = regLambda;
    }

    @Override
    protected SDVariable shardLoss(SameDiff sd, SDVariable x, SDVariable labels, int rows) {
        int[] anchors = PairOps.rows(0, rows, 2);
        int[] positives = PairOps.rows(1, rows, 2);
        SDVariable a = PairOps.select(sd, x, anchors, rows);
        SDVariable q = PairOps.select(sd, x, positives, rows);
        SDVariable logits = a.mmul(sd.transpose(q));
        SDVariable la = PairOps.select(sd, labels, anchors, rows);
        SDVariable lq = PairOps.select(sd, labels, positives, rows);
        SDVariable target = la.sub(sd.transpose(lq)).eq(0.0).castTo(x.dataType());
        SDVariable logSoftmax = logits.sub(SdMath.logSumExpRows(sd, logits));
        SDVariable xent = target.mul(logSoftmax).sum(1).neg().mean();
        SDVariable reg = x.mul(x).sum(1).mean();
        return xent.add(reg.mul(0.5 * regLambda));
    }

    public double getRegLambda() {
        return regLambda;
    }

    public void setRegLambda(double regLambda) {
        this.regLambda = regLambda;
    }
}
