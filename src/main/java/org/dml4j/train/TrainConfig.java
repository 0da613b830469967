package org.dml4j.train;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.dml4j.data.DataConfig;
import org.dml4j.data.ImageShape;
import org.dml4j.data.VisibleText;
import org.dml4j.error.DataException;
import org.dml4j.error.UsageException;
import org.dml4j.loss.LossConfig;
import org.dml4j.loss.LossName;
import org.dml4j.model.Architecture;
import org.dml4j.model.CheckpointInfo;

/**
 * Everything one training run needs: train-elem and train-pair differ only in the loss. Flag
 * semantics are the original's (docs/ORIGINAL.md §2.2–2.3, §6). With {@code numDevices} > 1 the
 * batch is split into that many equal shares (see {@link DataParallel}) and the loss has at least
 * one shard per device. Build it with {@link #builder}; the constructor validates every value and
 * names the flag of a bad one.
 *
 * @param architecture    the network ({@code --model}, {@code --image_shape}, {@code --embedding_size},
 *                        {@code --stride_in_1x1})
 * @param loss            {@code --loss_name} and its parameters (shards: at least one per device)
 * @param data            where the data is and how it is read
 * @param trainBatchSize  {@code --train_batch_size}, the global batch
 * @param testBatchSize   {@code --test_batch_size}
 * @param classDim        {@code --class_dim}
 * @param lr              {@code --lr}, {@code --lr_steps}
 * @param totalIterNum    {@code --total_iter_num}: iterations 0..N run
 * @param displayIterStep {@code --display_iter_step}
 * @param testIterStep    {@code --test_iter_step}
 * @param saveIterStep    {@code --save_iter_step}
 * @param useGpu          {@code --use_gpu}
 * @param numDevices      data-parallel replicas ({@code --num_devices}, resolved)
 * @param pretrainedModel {@code --pretrained_model}, or null
 * @param checkpoint      {@code --checkpoint} (a folder or "latest"), or null
 * @param modelSaveDir    {@code --model_save_dir}
 * @param enableCe        {@code --enable_ce}
 * @param overwrite       {@code --overwrite}: a fresh run may replace an earlier run's checkpoints
 */
public record TrainConfig(Architecture architecture, LossConfig loss, DataConfig data, int trainBatchSize,
                          int testBatchSize, int classDim, LrSchedule lr, int totalIterNum, int displayIterStep,
                          int testIterStep, int saveIterStep, boolean useGpu, int numDevices, String pretrainedModel,
                          String checkpoint, Path modelSaveDir, boolean enableCe, boolean overwrite) {

    public TrainConfig {
        positive("--train_batch_size", trainBatchSize);
        positive("--test_batch_size", testBatchSize);
        positive("--class_dim", classDim);
        positive("--display_iter_step", displayIterStep);
        positive("--test_iter_step", testIterStep);
        positive("--save_iter_step", saveIterStep);
        positive("--num_devices", numDevices);
        if (trainBatchSize % numDevices != 0) {
            throw new UsageException("--train_batch_size " + trainBatchSize + " does not split into "
                    + numDevices + " equal device shares (--num_devices " + numDevices + ")");
        }
        if (loss.numShards() == 1) {
            loss = loss.withShards(numDevices);     // one loss shard per device, as the original
        } else if (loss.numShards() % numDevices != 0) {
            throw new UsageException("--num_shards " + loss.numShards() + " does not split over --num_devices "
                    + numDevices + " (it must be a multiple of it)");
        }
        if (!loss.name().pair() && classDim < 2) {
            throw new UsageException("--class_dim must be >= 2 for " + loss.name()
                    + " (a classifier over one class learns nothing), got " + classDim);
        }
        if (totalIterNum < 0) {
            throw new UsageException("--total_iter_num must be >= 0, got " + totalIterNum);
        }
        if (enableCe && (!architecture.backbone().name().equals("ResNet50") || loss.name() != LossName.ARCMARGIN)) {
            throw new UsageException("--enable_ce=True requires --model=ResNet50 and --loss_name=arcmargin");
        }
    }

    /** A builder with the original's train-elem defaults for everything but these three. */
    public static Builder builder(Architecture architecture, LossConfig loss, DataConfig data) {
        return new Builder(architecture, loss, data);
    }

    /** {@code --image_shape}. */
    public ImageShape imageShape() {
        return architecture.shape();
    }

    /** How this run trains, as a checkpoint records it. */
    public CheckpointInfo.Training trainingInfo() {
        return new CheckpointInfo.Training(loss.name().toString(), loss.arcScale(), loss.arcMarginRadians(),
                loss.arcEasyMargin(), loss.samplesEachClass(), loss.margin(), loss.npairsRegLambda(), loss.numShards(),
                classDim, trainBatchSize, numDevices, data.seed(), lr.baseLr(), LrSchedule.PIECEWISE_DECAY, lr.steps());
    }

    /** The flags of this run as a checkpoint writes them ({@link CheckpointInfo#flagsOf}). */
    public Map<String, String> flags() {
        return CheckpointInfo.flagsOf(architecture.backbone().name(), architecture.shape(), architecture.embeddingSize(),
                architecture.strideIn1x1(), trainingInfo());
    }

    /**
     * Checks that a checkpoint's training flags are values a run accepts, by the same rules as the
     * flags (a hand-edited or damaged checkpoint.json must not reach the network as a bad flag).
     *
     * @param file the checkpoint.json, for the message
     * @throws DataException naming the file and the first value no run accepts
     */
    public static void requireValid(CheckpointInfo.Training t, Path file) {
        LossName name = LossName.find(t.lossName());
        if (name == null) {
            throw new DataException(file + ": field 'loss_name' names no loss of dml4j (" + VisibleText.quote(
                    t.lossName()) + "; known: " + Arrays.stream(LossName.values()).map(LossName::toString)
                    .collect(Collectors.joining(", ")) + ")");
        }
        try {
            new LossConfig(name, t.arcScale(), t.arcMargin(), t.arcEasyMargin(), t.samplesEachClass(), t.margin(),
                    t.npairsRegLambda(), t.numShards());
            LrSchedule.parse(t.lr(), t.lrStrategy(), t.lrSteps() == null ? "" : t.lrSteps());
            positive("--train_batch_size", t.trainBatchSize());
            positive("--class_dim", t.classDim());
            positive("--num_devices", t.numDevices());
        } catch (UsageException e) {
            throw new DataException(file + ": holds a value no run accepts: " + e.getMessage(), e);
        }
    }

    private static void positive(String flag, int value) {
        if (value < 1) {
            throw new UsageException(flag + " must be >= 1, got " + value);
        }
    }

    /** Builds a {@link TrainConfig}; unset values are the original's train-elem defaults (docs/ORIGINAL.md §2.2). */
    public static final class Builder {
        private final Architecture architecture;
        private final LossConfig loss;
        private final DataConfig data;
        private int trainBatchSize = 256;
        private int testBatchSize = 50;
        private int classDim = 11318;
        private LrSchedule lr = new LrSchedule(0.01, new int[] {15000, 25000});
        private int totalIterNum = 30000;
        private int displayIterStep = 10;
        private int testIterStep = 1000;
        private int saveIterStep = 1000;
        private boolean useGpu;
        private int numDevices = 1;
        private String pretrainedModel;
        private String checkpoint;
        private Path modelSaveDir = Path.of("output");
        private boolean enableCe;
        private boolean overwrite;

        private Builder(Architecture architecture, LossConfig loss, DataConfig data) {
            this.architecture = architecture;
            this.loss = loss;
            this.data = data;
        }

        /** {@code --train_batch_size}. */
        public Builder trainBatchSize(int v) {
            trainBatchSize = v;
            return this;
        }

        /** {@code --test_batch_size}. */
        public Builder testBatchSize(int v) {
            testBatchSize = v;
            return this;
        }

        /** {@code --class_dim}. */
        public Builder classDim(int v) {
            classDim = v;
            return this;
        }

        /** {@code --lr} and {@code --lr_steps}. */
        public Builder lr(LrSchedule v) {
            lr = v;
            return this;
        }

        /** {@code --total_iter_num}. */
        public Builder totalIterNum(int v) {
            totalIterNum = v;
            return this;
        }

        /** {@code --display_iter_step}. */
        public Builder displayIterStep(int v) {
            displayIterStep = v;
            return this;
        }

        /** {@code --test_iter_step}. */
        public Builder testIterStep(int v) {
            testIterStep = v;
            return this;
        }

        /** {@code --save_iter_step}. */
        public Builder saveIterStep(int v) {
            saveIterStep = v;
            return this;
        }

        /** {@code --use_gpu}. */
        public Builder useGpu(boolean v) {
            useGpu = v;
            return this;
        }

        /** {@code --num_devices}, resolved (at least 1). */
        public Builder numDevices(int v) {
            numDevices = v;
            return this;
        }

        /** {@code --pretrained_model} (a path), or null. */
        public Builder pretrainedModel(String v) {
            pretrainedModel = v;
            return this;
        }

        /** {@code --checkpoint} (a checkpoint folder, or "latest" under the model folder), or null. */
        public Builder checkpoint(String v) {
            checkpoint = v;
            return this;
        }

        /** {@code --model_save_dir}. */
        public Builder modelSaveDir(Path v) {
            modelSaveDir = v;
            return this;
        }

        /** {@code --enable_ce}. */
        public Builder enableCe(boolean v) {
            enableCe = v;
            return this;
        }

        /** {@code --overwrite}. */
        public Builder overwrite(boolean v) {
            overwrite = v;
            return this;
        }

        /**
         * @throws UsageException naming the flag of the first value that cannot be used
         */
        public TrainConfig build() {
            return new TrainConfig(architecture, loss, data, trainBatchSize, testBatchSize, classDim, lr, totalIterNum,
                    displayIterStep, testIterStep, saveIterStep, useGpu, numDevices, pretrainedModel, checkpoint,
                    modelSaveDir, enableCe, overwrite);
        }
    }
}
