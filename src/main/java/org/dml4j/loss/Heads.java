package org.dml4j.loss;

import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.dml4j.math.Rows;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The train-elem heads and what the trainer reads from them.
 *
 * <p>{@code softmax} (docs/ORIGINAL.md §5.2): a fully-connected layer D → class_dim with bias, weights
 * U(−1/√D, 1/√D), bias 0, softmax, per-sample loss −ln p_{y}. (DL4J's cross-entropy clips p at
 * 1e-10 where the original clamps at about 1e-20; values agree above that.)
 * {@code arcmargin}: {@link ArcMarginLayer}.
 */
public final class Heads {
    private Heads() {
    }

    /**
     * The loss layer for any loss.
     *
     * @param classDim  classifier width (train-elem losses)
     * @param batchSize global training batch (pair losses work on fixed batches)
     * @throws IllegalArgumentException naming the flag when the batch does not fit the loss
     */
    public static Layer create(LossConfig loss, int classDim, int batchSize) {
        int shards = loss.numShards();
        return switch (loss.name()) {
            case SOFTMAX -> new OutputLayer.Builder(new LossMCXENT()).nOut(classDim).activation(Activation.SOFTMAX)
                    .weightInit(WeightInit.UNIFORM).biasInit(0).build();
            case ARCMARGIN -> new ArcMarginLayer(classDim, loss.arcScale(), loss.arcMarginRadians(), loss.arcEasyMargin());
            case TRIPLET -> new TripletLoss(batchSize, shards, loss.margin());
            case QUADRUPLET -> new MarginSampleMiningLoss(batchSize, shards, loss.samplesEachClass(), loss.margin());
            case EML -> new EmlLoss(batchSize, shards, loss.samplesEachClass());
            case NPAIRS -> new NpairsLoss(batchSize, shards, loss.npairsRegLambda());
        };
    }

    /** Labels as the loss layer takes them: one-hot [N, classDim] for train-elem, class ids [N, 1] for pairs. */
    public static INDArray labels(LossName loss, int[] labels, int classDim, DataType dataType) {
        if (!loss.pair()) {
            return oneHot(labels, classDim, dataType);
        }
        INDArray y = Nd4j.create(dataType, labels.length, 1);
        for (int i = 0; i < labels.length; i++) {
            y.putScalar(i, 0, labels[i]);
        }
        return y;
    }

    /** One-hot labels [N, classDim]. */
    public static INDArray oneHot(int[] labels, int classDim, DataType dataType) {
        INDArray y = Nd4j.zeros(dataType, labels.length, classDim);
        for (int i = 0; i < labels.length; i++) {
            y.putScalar(i, labels[i], 1.0);
        }
        return y;
    }

    /**
     * The logits the original computes its training accuracy on, from the head's input features
     * and the head's parameters: softmax f·W + b; arcmargin the margin-penalised s·φ' / s·cos.
     *
     * @param head the runtime head layer
     */
    public static INDArray accuracyLogits(org.deeplearning4j.nn.api.Layer head, INDArray features, int[] labels) {
        INDArray w = head.getParam("W");
        if (head.conf().getLayer() instanceof ArcMarginLayer arc) {
            INDArray xHat = Rows.normalized(features);
            INDArray wHat = Rows.normalized(w.transpose()).transpose();
            INDArray logits = xHat.mmul(wHat).muli(arc.getScale());
            return arc.marginLogits(logits, labels);
        }
        return features.mmul(w).addiRowVector(head.getParam("b"));
    }

    /** Mean of −log softmax(z_i)_{y_i} over the rows: the original's printed loss for these logits. */
    public static double crossEntropy(INDArray logits, int[] labels) {
        double[] lse = Rows.logSumExp(logits);
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            sum += lse[i] - logits.getDouble(i, labels[i]);
        }
        return sum / labels.length;
    }

    /**
     * Top-k accuracies: the share of rows in which fewer than k other logits are at least as large
     * as the label's (a tie counts against the label).
     */
    public static double[] topKAccuracy(INDArray logits, int[] labels, int... ks) {
        INDArray target = Nd4j.create(logits.dataType(), labels.length, 1);
        for (int i = 0; i < labels.length; i++) {
            target.putScalar(i, 0, logits.getDouble(i, labels[i]));
        }
        INDArray above = Transforms.greaterThanOrEqual(logits, target.broadcast(logits.shape()), false)
                .castTo(DataType.INT32).sum(1).subi(1);
        double[] acc = new double[ks.length];
        for (int j = 0; j < ks.length; j++) {
            acc[j] = above.lt(ks[j]).castTo(DataType.DOUBLE).meanNumber().doubleValue();
        }
        return acc;
    }
}
