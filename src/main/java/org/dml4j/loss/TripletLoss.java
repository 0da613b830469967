package org.dml4j.loss;

import org.dml4j.error.UsageException;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The original's {@code triplet} loss (docs/ORIGINAL.md §5.4): rows come as consecutive (anchor, positive,
 * negative) triples; all rows are L2-normalised and
 * <pre>
 *   loss = mean_t max(0, ‖â_t − p̂_t‖² − ‖â_t − n̂_t‖² + margin)
 * </pre>
 * with squared Euclidean distances (range [0, 4]), margin {@code --margin} (default 0.1). No
 * mining. A shard's row count must be a multiple of 3.
 *
 * <p>Its getters and setters are bean properties for DL4J's JSON serialisation: model.zip stores
 * them by name, so renaming one breaks every saved model (the stored checkpoints under
 * src/test/resources guard this).
 */
public class TripletLoss extends PairLoss {
    private double margin;

    /** For JSON deserialisation. */
    public TripletLoss() {
    }

    /**
     * @param batchSize rows of every batch (anchor, positive, negative triples)
     * @param numShards loss shards the batch splits into
     * @param margin    {@code --margin}
     */
    public TripletLoss(int batchSize, int numShards, double margin) {
        super(batchSize, numShards);
        if ((batchSize / numShards) % 3 != 0) {
            throw new UsageException("a loss shard of " + batchSize / numShards + " rows ("
                    + BlockChecks.SHARDS + ") must be a multiple of 3 for triplet");
        }
        this.margin = margin;
    }

    @Override
    protected SDVariable shardLoss(SameDiff sd, SDVariable x, SDVariable labels, int rows) {
        SDVariable xn = PairOps.normalize(sd, x);
        SDVariable a = PairOps.select(sd, xn, PairOps.rows(0, rows, 3), rows);
        SDVariable p = PairOps.select(sd, xn, PairOps.rows(1, rows, 3), rows);
        SDVariable n = PairOps.select(sd, xn, PairOps.rows(2, rows, 3), rows);
        SDVariable dap = a.sub(p).mul(a.sub(p)).sum(1);
        SDVariable dan = a.sub(n).mul(a.sub(n)).sum(1);
        return sd.nn().relu(dap.sub(dan).add(margin), 0.0).mean();
    }

    public double getMargin() {
        return margin;
    }

    public void setMargin(double margin) {
        this.margin = margin;
    }
}
