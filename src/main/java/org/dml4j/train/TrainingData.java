package org.dml4j.train;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.dml4j.data.BatchLoader;
import org.dml4j.data.BatchSampler;
import org.dml4j.data.ImageList;
import org.dml4j.data.ImageTransform;
import org.dml4j.data.Split;
import org.dml4j.error.DataException;
import org.dml4j.error.UsageException;
import org.dml4j.loss.LossName;
import org.dml4j.model.CheckpointInfo;
import org.dml4j.retrieval.RetrievalEvaluator;

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
            RetrievalEvaluator.requireQueries(test.size(), test.listFile() + " (the periodic test every --test_iter_step="
                    + config.testIterStep() + " iterations; after leaving out unreadable images)");
        }
        BatchSampler sampler = BatchSampler.training(config.loss().name().stream(), train,
                config.trainBatchSize(), config.loss().samplesEachClass(),
                config.loss().name() == LossName.NPAIRS, config.data().seed());
        return new TrainingData(config, train, test, sampler);
    }

    /** Both lists as a checkpoint records them: path, SHA-256 of the file, images and classes used. */
    public List<CheckpointInfo.DataList> lists() {
        return List.of(describe("train", train), describe("test", test));
    }

    private static CheckpointInfo.DataList describe(String split, ImageList list) {
        return new CheckpointInfo.DataList(split, list.listFile().toString(), sha256(list.listFile()), list.size(),
                list.classCount());
    }

    /** Hex SHA-256 of a file's bytes (a list file: a few megabytes at most). */
    static String sha256(Path file) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
            return HexFormat.of().formatHex(digest);
        } catch (IOException e) {
            throw DataException.reading(file, "list file", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** Training batches {@code first .. total_iter_num}, augmented. */
    public BatchLoader trainBatches(long first) {
        return new BatchLoader(train, new ImageTransform(config.imageShape().cropSize(), true), sampler::batch,
                first, config.totalIterNum() + 1L, config.data().numWorkers(), config.data().seed());
    }

    /** The training list, without the images left out as unreadable. */
    public ImageList train() {
        return train;
    }

    /** The test list of the periodic test, without the images left out as unreadable. */
    public ImageList test() {
        return test;
    }
}
