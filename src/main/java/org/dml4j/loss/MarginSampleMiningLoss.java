package org.dml4j.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * What the original calls {@code quadruplet} (docs/ORIGINAL.md §5.5) is margin sample mining (MSML, Xiao et
 * al., arXiv:1710.00478): one hinge per shard between the hardest positive pair and the hardest
 * negative pair of the whole shard, on squared distances of L2-normalised embeddings:
 * <pre>
 *   loss = max(0, max_{(i,j) same block, i≠j} d_ij − min_{(i,k) other blocks} d_ik + margin)
 * </pre>
 * Positives are the other rows of a row's block of S = {@code --samples_each_class} consecutive
 * rows (labels are not consulted); margin {@code --margin} (default 0.1). The hardest negative
 * need not share the anchor of the hardest positive: hence "quadruplet". Gradient reaches only the
 * two chosen pairs.
 *
 * <p>Its getters and setters are bean properties for DL4J's JSON serialisation: model.zip stores
 * them by name, so renaming one breaks every saved model (the stored checkpoints under
 * src/test/resources guard this).
 */
public class MarginSampleMiningLoss extends PairLoss {
    private double margin;
    private int samplesEachClass;

    /** For JSON deserialisation. */
    public MarginSampleMiningLoss() {
    }

    /**
     * @param batchSize        rows of every batch
     * @param numShards        loss shards the batch splits into
     * @param samplesEachClass images per class in a block
     * @param margin           {@code --margin}
     */
    public MarginSampleMiningLoss(int batchSize, int numShards, int samplesEachClass, double margin) {
        super(batchSize, numShards);
        BlockChecks.require(batchSize / numShards, samplesEachClass, "quadruplet");
        this.samplesEachClass = samplesEachClass;
        this.margin = margin;
    }

    @Override
    protected SDVariable shardLoss(SameDiff sd, SDVariable x, SDVariable labels, int rows) {
        SDVariable d = PairOps.squaredDistances(sd, PairOps.normalize(sd, x));
        SDVariable pos = sd.constant(PairOps.positiveMask(rows, samplesEachClass, x.dataType()));
        SDVariable neg = sd.constant(PairOps.negativeMask(rows, samplesEachClass, x.dataType()));
        SDVariable hardestPositive = PairOps.keepForMax(d, pos).max();
        SDVariable hardestNegative = PairOps.keepForMin(d, neg).min();
        return sd.nn().relu(hardestPositive.sub(hardestNegative).add(margin), 0.0);
    }

    public double getMargin() {
        return margin;
    }

    public void setMargin(double margin) {
        this.margin = margin;
    }

    public int getSamplesEachClass() {
        return samplesEachClass;
    }

    public void setSamplesEachClass(int samplesEachClass) {
        this.samplesEachClass = samplesEachClass;
    }
}
