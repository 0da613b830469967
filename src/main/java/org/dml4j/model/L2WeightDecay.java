package org.dml4j.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * L2 weight decay as the original applies it (docs/ORIGINAL.md §6.1): g ← g + λ·w on every trainable
 * parameter before the optimiser — DL4J's {@link L2Regularization}, whose {@code apply} this inherits
 * unchanged — without adding ½λ‖w‖² to the network's score. The original's loss does not contain the term
 * (Paddle applies decay in the optimiser), dml4j never printed it (train-elem's loss comes from the head's
 * logits, train-pair's subtracted it again), and DL4J computed it at every step, one reduction per
 * parameter array: 7–15 ms of a 0.13–0.16 s ResNet18 step at 32 px (docs/PERFORMANCE.md, change 15).
 * Checkpoints written before it hold DL4J's L2Regularization and train the same.
 *
 * <p>It stays in this package: model.zip names the class.
 */
public class L2WeightDecay extends L2Regularization {

    /** @param l2 λ */
    public L2WeightDecay(double l2) {
        this(new FixedSchedule(l2));
    }

    /** @param l2 λ by iteration (JSON) */
    public L2WeightDecay(@JsonProperty("l2") ISchedule l2) {
        super(l2);
    }

    /** Always 0: the decay shapes the gradient only. */
    @Override
    public double score(INDArray param, int iteration, int epoch) {
        return 0;
    }

    @Override
    public Regularization clone() {
        return new L2WeightDecay(l2.clone());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof L2WeightDecay other && other.getL2().equals(getL2());
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof L2WeightDecay;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + 1;
    }

    @Override
    public String toString() {
        return "L2WeightDecay(l2=" + getL2() + ")";
    }
}
