package org.dml4j.train;

import java.io.PrintWriter;
import org.dml4j.data.BatchLoader;
import org.dml4j.data.BatchSampler;
import org.dml4j.data.ImageList;
import org.dml4j.data.ImageTransform;
import org.dml4j.data.Split;
import org.dml4j.error.DataException;
import org.dml4j.error.UsageException;
import org.dml4j.eval.Retrieval;
import org.dml4j.loss.LossName;

/**
 * The training and test lists of a run, checked up front, and loaders over them: every listed
 * image must exist, the labels must fit {@code --class_dim}, and the sample stream must be
 * possible, before any training starts.
 */
public final class TrainingData {
    private final TrainConfig config;
    private final ImageList train;
    private final ImageList test;
    private final BatchSampler sampler;

    private TrainingData(TrainConfig config, ImageList train, ImageList test, BatchSampler sampler) {
        this.config = config;
        this.train = train;
        this.test = test;
        this.sampler = sampler;
    }

    /**
     * Reads and checks both lists, printing the original's "dataset size" lines (class counts).
     *
     * @throws DataException            for a bad list, missing images or too few classes
     * @throws UsageException naming the flag when the configuration does not fit the data
     */
    public static TrainingData open(TrainConfig config, PrintWriter out) {
        var root = config.data().dataDir();
        ImageList train = ImageList.read(root, Split.TRAIN);
        out.println("train dataset size: " + train.classCount());
        ImageList test = ImageList.read(root, Split.TEST);
        out.println("val dataset size: " + test.classCount());
        out.flush();
        train = config.data().usable(train, out);
        test = config.data().usable(test, out);
        if (!config.loss().name().pair() && train.maxLabel() >= config.classDim()) {
            throw new UsageException("--class_dim (" + config.classDim() + ") must exceed the largest"
                    + " training label " + train.maxLabel() + " (class_id - 1) in " + train.listFile());
        }
        if (config.testIterStep() <= config.totalIterNum()) {
            Retrieval.requireQueries(test.size(), test.listFile() + " (the periodic test every --test_iter_step="
                    + config.testIterStep() + " iterations; after leaving out unreadable images)");
        }
        BatchSampler sampler = BatchSampler.training(config.loss().name().stream(), train,
                config.trainBatchSize(), config.loss().samplesEachClass(),
                config.loss().name() == LossName.NPAIRS, config.data().seed());
        return new TrainingData(config, train, test, sampler);
    }

    /** Training batches {@code first .. total_iter_num}, augmented. */
    public BatchLoader trainBatches(long first) {
        return new BatchLoader(train, new ImageTransform(config.imageShape().cropSize(), true), sampler::batch,
                first, config.totalIterNum() + 1L, config.data().numWorkers(), config.data().seed());
    }

    /** The whole test split in file order, test preprocessing. */
    public BatchLoader testBatches() {
        return BatchLoader.inOrder(test, new ImageTransform(config.imageShape().cropSize(), false),
                config.testBatchSize(), config.data().numWorkers());
    }

    public ImageList train() {
        return train;
    }

    public ImageList test() {
        return test;
    }
}
