package org.dml4j.train;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.Batch;
import org.dml4j.data.BatchLoader;
import org.dml4j.error.ModelMismatchException;
import org.dml4j.error.UsageException;
import org.dml4j.inference.EmbeddingModel;
import org.dml4j.inference.Progress;
import org.dml4j.loss.Heads;
import org.dml4j.loss.LossConfig;
import org.dml4j.model.Architecture;
import org.dml4j.model.CheckpointInfo;
import org.dml4j.model.Checkpoints;
import org.dml4j.model.EmbeddingNetwork;
import org.dml4j.model.cpu.Helpers;
import org.dml4j.model.weights.PretrainedWeights;
import org.dml4j.retrieval.Embeddings;
import org.dml4j.retrieval.Retrieval;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one trainer behind train-elem and train-pair (docs/ORIGINAL.md §6): iterations 0..total_iter_num, the
 * original's display, test and checkpoint steps, plus exact resume and a metrics file.
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    /** Weight decay of every parameter (docs/ORIGINAL.md §6.1). */
    public static final double L2 = 1e-4;
    static final double MOMENTUM = 0.9;

    private final TrainConfig config;
    private final PrintWriter out;
    private final TrainingData data;
    private final String embedding;
    private final Path modelDir;
    private ComputationGraph net;
    private long first;
    private double lastLoss = Double.NaN;
    private double lastRecall = Double.NaN;
    private Path lastSaved;
    private final InterruptFlag interrupt = new InterruptFlag();

    private Trainer(TrainConfig config, PrintWriter out) {
        this.config = config;
        this.out = out;
        this.data = TrainingData.open(config, out);
        this.embedding = EmbeddingNetwork.embeddingVertex(config.architecture());
        this.modelDir = config.modelSaveDir().resolve(config.architecture().backbone().name());
    }

    /**
     * Trains as configured, writing checkpoints and metrics under model_save_dir/model.
     *
     * @return the trained network
     */
    public static ComputationGraph train(TrainConfig config, PrintWriter out) {
        Trainer t = new Trainer(config, out);
        t.prepareNetwork();
        t.loop();
        return t.net;
    }

    /** The freshly initialised network this configuration trains (same seed, same weights). */
    public static ComputationGraph initialNetwork(TrainConfig config) {
        // with several devices each replica's head sees its share of the batch and its share of the shards
        int devices = config.numDevices();
        LossConfig perDevice = config.loss().withShards(config.loss().numShards() / devices);
        return EmbeddingNetwork.build(config.architecture(), Heads.create(perDevice, config.classDim(),
                        config.trainBatchSize() / devices),
                new Momentum(config.lr().baseLr(), config.lr().toDl4j(), MOMENTUM), L2, config.data().seed(),
                DataType.FLOAT);
    }

    private void prepareNetwork() {
        Checkpoints.recover(modelDir);
        if (config.checkpoint() != null) {
            Path from = config.checkpoint().equals("latest") ? Checkpoints.latest(modelDir) : Path.of(config.checkpoint());
            Checkpoints.Loaded loaded = Checkpoints.load(from, true);
            requireResumable(loaded.info(), from);
            net = loaded.net();
            first = loaded.iteration() + 1;
            out.println("Resuming from " + from + " at iteration " + first);
        } else {
            requireFreshFolder();
            net = initialNetwork(config);
            if (config.pretrainedModel() != null) {
                PretrainedWeights.load(net, Path.of(config.pretrainedModel()), out);
            }
            first = 0;
        }
        out.flush();
    }

    /**
     * A resumed run must be the run the checkpoint came from: every flag that shapes the network,
     * the loss, the batches or the schedule as it was (exit 4 naming each that differs); a training
     * list that changed since is said, since the sample stream then differs.
     */
    private void requireResumable(CheckpointInfo info, Path from) {
        if (info == null) {
            throw new ModelMismatchException("--checkpoint " + from + " has no " + Checkpoints.INFO_FILE
                    + ", so it cannot be resumed exactly; start from it with --pretrained_model instead");
        }
        List<String> keys = new ArrayList<>(CheckpointInfo.ARCHITECTURE);
        keys.addAll(CheckpointInfo.TRAINING);
        List<String> differ = info.contradictions(config.flags(), keys);
        if (!differ.isEmpty()) {
            throw new ModelMismatchException("--checkpoint " + from + " was trained with other flags: "
                    + String.join("; ", differ) + " (leave them out to resume with the checkpoint's)");
        }
        for (CheckpointInfo.DataList was : info.data()) {
            for (CheckpointInfo.DataList now : data.lists()) {
                if (was.split().equals(now.split()) && !was.sha256().equals(now.sha256())) {
                    out.println("note: the " + now.split() + " list " + now.path() + " differs from the one this"
                            + " checkpoint was trained on (" + was.images() + " images then, " + now.images()
                            + " now): the run continues, but not as an exact resume");
                }
            }
        }
    }

    /**
     * A fresh run must not mix its checkpoints with an earlier run's in the same folder (a later
     * {@code --checkpoint latest} would pick whichever is newest).
     */
    private void requireFreshFolder() {
        List<Long> earlier = Checkpoints.iterations(modelDir);
        if (earlier.isEmpty()) {
            return;
        }
        if (!config.overwrite()) {
            throw new UsageException(modelDir + " already holds checkpoints of an earlier run (iterations "
                    + earlier.stream().map(String::valueOf).collect(Collectors.joining(", ")) + "); resume it with"
                    + " --checkpoint latest, choose another --model_save_dir, or pass --overwrite=True to replace them");
        }
        Checkpoints.deleteAll(modelDir);
        out.println("removed the earlier run's checkpoints under " + modelDir + " (--overwrite=True)");
    }

    /** Ctrl-C during training: the run stopped after saving a checkpoint at this iteration. */
    public static final class Interrupted extends RuntimeException {
        Interrupted(long iteration, Path checkpoint) {
            super("interrupted at iteration " + iteration + "; checkpoint " + checkpoint
                    + " (resume with --checkpoint latest)");
        }
    }

    private void loop() {
        interrupt.install();
        try {
            steps();
        } finally {
            interrupt.uninstall();
        }
    }

    /**
     * Captures, from a network's forward pass, the loss (train-elem: from the head's logits) or,
     * for the pair losses, the regularisation term at forward time (which the layer's score
     * includes), then the metrics.
     */
    private ForwardCapture captureFor(ComputationGraph n, boolean pair) {
        return new ForwardCapture(embedding, (features, labels) -> {
            if (pair) {
                // non-finite features give a non-finite loss, which stops the run with its own message
                double recall = Embeddings.allFinite(features) ? Retrieval.recallAt1(features, labels) : Double.NaN;
                return new double[] {n.calcRegularizationScore(true), recall};
            }
            INDArray logits = Heads.accuracyLogits(n.getLayer(EmbeddingNetwork.HEAD), features, labels);
            double[] acc = Heads.topKAccuracy(logits, labels, 1, 5);
            return new double[] {Heads.crossEntropy(logits, labels), acc[0], acc[1]};
        });
    }

    /** Loss then metrics of one network's (share of a) step. */
    private static double[] stepResult(double[] captured, double score, int size, boolean pair) {
        double[] r = captured.clone();
        if (pair) {      // a SameDiff output layer's score is (loss sum + regularisation) / batch size
            r[0] = score - captured[0] / size;
        }
        return r;
    }

    /** Loss and metrics as the mean over devices, as the original prints them. */
    private static double[] meanOverDevices(List<DataParallel.Share> shares, boolean pair) {
        double[] mean = null;
        for (DataParallel.Share sh : shares) {
            double[] r = stepResult(sh.capture(), sh.score(), sh.size(), pair);
            if (mean == null) {
                mean = new double[r.length];
            }
            for (int i = 0; i < r.length; i++) {
                mean[i] += r[i];
            }
        }
        for (int i = 0; i < mean.length; i++) {
            mean[i] /= shares.size();
        }
        return mean;
    }

    private void steps() {
        boolean pair = config.loss().name().pair();
        String[] metricNames = pair ? new String[] {"recall"} : new String[] {"acc1", "acc5"};
        int devices = config.numDevices();
        DataParallel parallel = devices > 1 ? new DataParallel(net, devices, n -> captureFor(n, pair)) : null;
        ForwardCapture capture = parallel == null ? captureFor(net, pair) : null;
        if (capture != null) {
            net.setListeners(capture);
        }
        DisplayStats stats = new DisplayStats(config.displayIterStep(), metricNames);
        int crop = config.imageShape().cropSize();
        long runStart = System.nanoTime();
        long total = config.totalIterNum();
        try (DataParallel closeParallel = parallel;
             BatchLoader loader = data.trainBatches(first);
             MetricsLog metrics = new MetricsLog(modelDir.resolve("metrics.csv"), first > 0, metricNames)) {
            for (long t = first; t <= total; t++) {
                Batch b = loader.next();
                INDArray x = Nd4j.create(b.images(), new long[] {b.size(), 3, crop, crop}, DataType.FLOAT);
                INDArray y = Heads.labels(config.loss().name(), b.labels(), config.classDim(), DataType.FLOAT);
                double lr = config.lr().lrAt(t);
                long start = System.nanoTime();
                double[][] result = new double[1][];
                Runnable fit = parallel == null ? () -> {
                    capture.expect(b.labels());
                    net.fit(new MultiDataSet(new INDArray[] {x}, new INDArray[] {y}));
                    result[0] = stepResult(capture.result(), net.score(), b.size(), pair);
                } : () -> result[0] = meanOverDevices(parallel.step(x, y, b.labels()), pair);
                if (t == first) {
                    SameDiffQuiet.run(fit);
                } else {
                    fit.run();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                if (t == first) {
                    LOG.info("layer helpers: {}", Helpers.summary(net));
                }
                double[] r = result[0];
                double[] m = Arrays.copyOfRange(r, 1, r.length);
                double loss = r[0];
                lastLoss = loss;
                if (!Double.isFinite(loss) || !Checkpoints.finite(net)) {
                    throw new IllegalStateException("iteration " + t + ": the loss is " + loss
                            + (Double.isFinite(loss) ? " but the parameters are not finite" : "")
                            + "; stopping. Last good checkpoint: "
                            + (lastSaved == null ? "none" : lastSaved) + " (lower --lr or check the data)");
                }
                stats.add(loss, m, seconds);
                if (t % config.displayIterStep() == 0) {
                    out.println(stats.line(t, lr) + progress(t, runStart));
                    out.flush();
                    metrics.train(t, lr, stats.meanLoss(), stats.meanMetrics(), elapsed(runStart));
                }
                stats.maybeReset(t);
                if (t != 0 && t % config.testIterStep() == 0) {
                    lastRecall = test(t);
                    metrics.test(t, lr, lastRecall, elapsed(runStart));
                    metrics.chart();
                }
                if (t == total) {
                    metrics.chart();
                }
                if ((t != 0 && t % config.saveIterStep() == 0) || t == total) {
                    save(t);
                } else if (interrupt.requested()) {
                    save(t);
                }
                if (interrupt.requested()) {
                    throw new Interrupted(t, lastSaved);
                }
            }
        }
        if (config.enableCe()) {
            out.println("kpis\ttrain_cost\t" + lastLoss);
            out.println("kpis\ttest_recall\t" + lastRecall);
            out.flush();
        }
    }

    private double test(long t) {
        EmbeddingModel.Features f = EmbeddingModel.of(net, config.architecture(), embedding).embed(data.test(),
                config.testBatchSize(), config.data().numWorkers(), Progress.testBatchLines(out));
        EmbeddingModel.requireFinite(f, data.test(), "test embeddings at iteration " + t + " (last good checkpoint: "
                + (lastSaved == null ? "none" : lastSaved) + ")");
        double recall = Retrieval.recallAt1(f.features(), f.labels());
        out.printf(Locale.ROOT, "[%s] test_img_num %d, trainbatch %d, test_recall %.5f%n",
                Progress.now(), f.labels().length, t, recall);
        out.flush();
        return recall;
    }

    private void save(long t) {
        Architecture arch = config.architecture();
        CheckpointInfo info = new CheckpointInfo(CheckpointInfo.FORMAT, t, arch.backbone().name(), arch.shape(),
                arch.embeddingSize(), arch.strideIn1x1(), embedding, config.trainingInfo(), data.lists(),
                CheckpointInfo.versionsNow(), Instant.now());
        Path dir = Checkpoints.save(net, modelDir, info);
        lastSaved = dir;
        out.println("saved checkpoint " + dir);
        out.flush();
    }

    private String progress(long t, long runStart) {
        long done = t - first + 1;
        long left = config.totalIterNum() - t;
        double perStep = elapsed(runStart) / done;
        long eta = Math.round(perStep * left);
        return String.format(Locale.ROOT, "  [%d%%, eta %d:%02d:%02d]", 100 * (t + 1) / (config.totalIterNum() + 1),
                eta / 3600, eta / 60 % 60, eta % 60);
    }

    private static double elapsed(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
