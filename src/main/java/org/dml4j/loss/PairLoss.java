package org.dml4j.loss;

import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffOutputLayer;
import org.dml4j.error.UsageException;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Base of the train-pair losses: a parameter-free output layer over the embedding whose score is
 * the original's batch loss. The batch of {@link #getBatchSize()} rows is cut into
 * {@link #getNumShards()} equal consecutive shards and the loss is computed inside each (the
 * original did this per device, docs/ORIGINAL.md §5.8); the layer's loss is the mean of the shard losses.
 * DL4J divides a layer's summed score by the batch size, so the graph returns
 * Σ_shards loss_shard · shard_size. Labels: [N, 1] class ids. Activations: the embedding itself.
 * Batches must have exactly {@code batchSize} rows (the trainer's batches do).
 *
 * <p>Its getters and setters are bean properties for DL4J's JSON serialisation: model.zip stores
 * them by name, so renaming one breaks every saved model (the stored checkpoints under
 * src/test/resources guard this).
 */
public abstract class PairLoss extends SameDiffOutputLayer {
    private int batchSize;
    private int numShards = 1;

    protected PairLoss() {
    }

    /**
     * @param batchSize rows of every batch
     * @param numShards loss shards the batch splits into; must divide {@code batchSize}
     * @throws UsageException when it does not
     */
    protected PairLoss(int batchSize, int numShards) {
        if (numShards < 1 || batchSize % numShards != 0) {
            throw new UsageException("--num_shards (" + numShards + ") must divide --train_batch_size ("
                    + batchSize + ")");
        }
        this.batchSize = batchSize;
        this.numShards = numShards;
    }

    /** The loss of one shard of {@code rows} embeddings (a scalar, the original's per-device value). */
    protected abstract SDVariable shardLoss(SameDiff sd, SDVariable x, SDVariable labels, int rows);

    @Override
    public final SDVariable defineLayer(SameDiff sd, SDVariable input, SDVariable labels,
                                        Map<String, SDVariable> params) {
        int rows = batchSize / numShards;
        SDVariable total = null;
        for (int s = 0; s < numShards; s++) {
            SDVariable x = input;
            SDVariable y = labels;
            if (numShards > 1) {
                int[] idx = PairOps.rows(s * rows, (s + 1) * rows, 1);
                x = PairOps.select(sd, input, idx, batchSize);
                y = PairOps.select(sd, labels, idx, batchSize);
            }
            SDVariable shard = shardLoss(sd, x, y, rows).mul((double) rows);
            total = total == null ? shard : total.add(shard);
        }
        total.markAsLoss();
        return total;
    }

    @Override
    public String activationsVertexName() {
        return org.deeplearning4j.nn.layers.samediff.SameDiffOutputLayer.INPUT_KEY;
    }

    @Override
    public boolean labelsRequired() {
        return true;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        // no parameters
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        // no parameters
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return inputType;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // works on any width
    }

    public int getBatchSize() {
        return batchSize;
    }

    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    public int getNumShards() {
        return numShards;
    }

    public void setNumShards(int numShards) {
        this.numShards = numShards;
    }
}
