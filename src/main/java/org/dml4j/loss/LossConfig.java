package org.dml4j.loss;

import org.dml4j.error.UsageException;

/**
 * The loss and its hyper-parameters (docs/ORIGINAL.md §2.2–2.3, §5).
 *
 * @param name             {@code --loss_name}
 * @param arcScale         ArcFace scale s ({@code --arc_scale}, default 80)
 * @param arcMarginRadians ArcFace additive angular margin m ({@code --arc_margin}, default 0.15)
 * @param arcEasyMargin    ArcFace easy-margin variant ({@code --arc_easy_margin}, default false)
 * @param samplesEachClass images per class block S ({@code --samples_each_class}, default 2)
 * @param margin           triplet / quadruplet margin ({@code --margin}, default 0.1)
 * @param npairsRegLambda  λ of the npairs embedding regulariser ({@code --npairs_reg_lambda}, default 0.01)
 * @param numShards        equal shards of the batch the pair losses are computed in ({@code --num_shards}, default 1)
 */
public record LossConfig(LossName name, double arcScale, double arcMarginRadians, boolean arcEasyMargin,
                         int samplesEachClass, double margin, double npairsRegLambda, int numShards) {

    public LossConfig {
        if (!(arcScale > 0)) {
            throw new UsageException("--arc_scale must be > 0, got " + arcScale);
        }
        if (!(arcMarginRadians >= 0 && arcMarginRadians < Math.PI)) {
            throw new UsageException("--arc_margin must be in [0, pi) radians, got " + arcMarginRadians);
        }
        if (samplesEachClass < 1) {
            throw new UsageException("--samples_each_class must be >= 1, got " + samplesEachClass);
        }
        if (name == LossName.NPAIRS && samplesEachClass != 2) {
            throw new UsageException("--samples_each_class must be 2 for npairs, got " + samplesEachClass);
        }
        if (!(margin >= 0)) {
            throw new UsageException("--margin must be >= 0, got " + margin);
        }
        if (numShards < 1) {
            throw new UsageException("--num_shards must be >= 1, got " + numShards);
        }
        if (!(npairsRegLambda >= 0)) {
            throw new UsageException("--npairs_reg_lambda must be >= 0, got " + npairsRegLambda);
        }
    }

    /** A train-elem loss; pair parameters keep the original's defaults. */
    public static LossConfig elem(LossName name, double arcScale, double arcMarginRadians, boolean arcEasyMargin) {
        return new LossConfig(name, arcScale, arcMarginRadians, arcEasyMargin, 2, 0.1, 0.01, 1);
    }

    /** A train-pair loss; ArcFace parameters keep the original's defaults. */
    public static LossConfig pair(LossName name, int samplesEachClass, double margin, double npairsRegLambda,
                                  int numShards) {
        return new LossConfig(name, 80.0, 0.15, false, samplesEachClass, margin, npairsRegLambda, numShards);
    }

    /** The same loss computed in {@code shards} shards. */
    public LossConfig withShards(int shards) {
        return new LossConfig(name, arcScale, arcMarginRadians, arcEasyMargin, samplesEachClass, margin, npairsRegLambda,
                shards);
    }
}
