package org.dml4j.train;

import java.nio.file.Path;
import org.dml4j.data.DataConfig;
import org.dml4j.data.ImageShape;
import org.dml4j.error.UsageException;
import org.dml4j.loss.LossConfig;
import org.dml4j.loss.LossName;
import org.dml4j.model.Architecture;
import org.dml4j.model.Backbone;
import org.dml4j.model.ResNet;

/**
 * Everything one training run needs: train-elem and train-pair differ only in the loss.
 * Flag semantics are the original's (docs/ORIGINAL.md §2.2–2.3, §6). With {@code numDevices} > 1 the batch is
 * split into that many equal shares (see {@link DataParallel}) and the loss has at least one shard
 * per device.
 */
public record TrainConfig(Backbone model, int embeddingSize, boolean strideIn1x1, int trainBatchSize, int testBatchSize,
                          ImageShape imageShape, int classDim, LrSchedule lr, int totalIterNum,
                          int displayIterStep, int testIterStep, int saveIterStep, boolean useGpu, int numDevices,
                          String pretrainedModel, String checkpoint, Path modelSaveDir, LossConfig loss,
                          boolean enableCe, DataConfig data) {

    public TrainConfig {
        positive("--train_batch_size", trainBatchSize);
        positive("--test_batch_size", testBatchSize);
        positive("--class_dim", classDim);
        positive("--display_iter_step", displayIterStep);
        positive("--test_iter_step", testIterStep);
        positive("--save_iter_step", saveIterStep);
        architecture();
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
        if (enableCe && (model != ResNet.RESNET50 || loss.name() != LossName.ARCMARGIN)) {
            throw new UsageException("--enable_ce=True requires --model=ResNet50 and --loss_name=arcmargin");
        }
    }

    /** The network these flags describe (validates --embedding_size and --stride_in_1x1). */
    public Architecture architecture() {
        return new Architecture(model, imageShape, embeddingSize, strideIn1x1);
    }

    private static void positive(String flag, int value) {
        if (value < 1) {
            throw new UsageException(flag + " must be >= 1, got " + value);
        }
    }
}
