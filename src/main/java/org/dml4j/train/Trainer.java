package org.dml4j.train;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.Batch;
import org.dml4j.data.BatchLoader;
import org.dml4j.eval.FeatureExtractor;
import org.dml4j.eval.Retrieval;
import org.dml4j.loss.Heads;
import org.dml4j.model.Checkpoints;
import org.dml4j.model.EmbeddingNetwork;
import org.dml4j.model.Helpers;
import org.dml4j.model.PretrainedWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one trainer behind train-elem and train-pair (spec §6): iterations 0..total_iter_num, the
 * original's display, test and checkpoint steps, plus exact resume and a metrics file.
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    /** Weight decay of every parameter (spec §6.1). */
    static final double L2 = 1e-4;
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
        this.embedding = EmbeddingNetwork.embeddingVertex(config.embeddingSize());
        this.modelDir = config.modelSaveDir().resolve(config.model().name());
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
        return EmbeddingNetwork.build(config.architecture(), Heads.create(config.loss(), config.classDim(), config.trainBatchSize()),
                new Momentum(config.lr().baseLr(), config.lr().toDl4j(), MOMENTUM), L2, config.data().seed(),
                DataType.FLOAT);
    }

    private void prepareNetwork() {
        Checkpoints.recover(modelDir);
        if (config.checkpoint() != null) {
            Path from = config.checkpoint().equals("latest") ? Checkpoints.latest(modelDir) : Path.of(config.checkpoint());
            Checkpoints.Loaded loaded = Checkpoints.load(from, true);
            Object model = loaded.info().get("model");
            if (model != null && !model.equals(config.model().name())) {
                throw new IllegalArgumentException("--checkpoint " + config.checkpoint() + " holds a " + model
                        + ", not --model=" + config.model());
            }
            net = loaded.net();
            first = loaded.iteration() + 1;
            out.println("Resuming from " + from + " at iteration " + first);
        } else {
            net = initialNetwork(config);
            if (config.pretrainedModel() != null) {
                PretrainedWeights.load(net, Path.of(config.pretrainedModel()), out);
            }
            first = 0;
        }
        out.flush();
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

    private void steps() {
        boolean pair = config.loss().name().pair();
        String[] metricNames = pair ? new String[] {"recall"} : new String[] {"acc1", "acc5"};
        // Returns the loss (train-elem: from the head's logits) or, for the pair losses, the
        // regularisation term at forward time, which the layer's score includes; then the metrics.
        ForwardCapture capture = new ForwardCapture(embedding, (features, labels) -> {
            if (pair) {
                return new double[] {net.calcRegularizationScore(true), Retrieval.recallAt1(features, labels)};
            }
            INDArray logits = Heads.accuracyLogits(net.getLayer(EmbeddingNetwork.HEAD), features, labels);
            double[] acc = Heads.topKAccuracy(logits, labels, 1, 5);
            return new double[] {Heads.crossEntropy(logits, labels), acc[0], acc[1]};
        });
        net.setListeners(capture);
        DisplayStats stats = new DisplayStats(config.displayIterStep(), metricNames);
        int crop = config.imageShape().cropSize();
        long runStart = System.nanoTime();
        long total = config.totalIterNum();
        try (BatchLoader loader = data.trainBatches(first);
             MetricsLog metrics = new MetricsLog(modelDir.resolve("metrics.csv"), first > 0, metricNames)) {
            for (long t = first; t <= total; t++) {
                Batch b = loader.next();
                INDArray x = Nd4j.create(b.images(), new long[] {b.size(), 3, crop, crop}, DataType.FLOAT);
                INDArray y = Heads.labels(config.loss().name(), b.labels(), config.classDim(), DataType.FLOAT);
                double lr = config.lr().lrAt(t);
                long start = System.nanoTime();
                capture.expect(b.labels());
                MultiDataSet step = new MultiDataSet(new INDArray[] {x}, new INDArray[] {y});
                if (t == first) {
                    SameDiffQuiet.run(() -> net.fit(step));
                } else {
                    net.fit(step);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                if (t == first) {
                    LOG.info("layer helpers: {}", Helpers.summary(net));
                }
                double[] r = capture.result();
                double[] m = Arrays.copyOfRange(r, 1, r.length);
                // a SameDiff output layer's score is (loss sum + regularisation) / batch size
                double loss = pair ? net.score() - r[0] / b.size() : r[0];
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
        BatchLoader loader = data.testBatches();
        FeatureExtractor.Features f = FeatureExtractor.extract(net, embedding, loader,
                config.imageShape().cropSize(), FeatureExtractor.testBatchLines(out));
        double recall = Retrieval.recallAt1(f.features(), f.labels());
        out.printf("[%s] test_img_num %d, trainbatch %d, test_recall %.5f%n",
                LocalDateTime.now().format(FeatureExtractor.STAMP), f.labels().length, t, recall);
        out.flush();
        return recall;
    }

    private void save(long t) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("next_iteration", t + 1);
        info.put("model", config.model().name());
        info.put("embedding_vertex", embedding);
        info.put("embedding_size", config.embeddingSize());
        info.put("stride_in_1x1", config.strideIn1x1());
        info.put("loss_name", config.loss().name().toString());
        info.put("config", config.toString());
        Path dir = Checkpoints.save(net, modelDir, t, info);
        lastSaved = dir;
        out.println("saved checkpoint " + dir);
        out.flush();
    }

    private String progress(long t, long runStart) {
        long done = t - first + 1;
        long left = config.totalIterNum() - t;
        double perStep = elapsed(runStart) / done;
        long eta = Math.round(perStep * left);
        return String.format("  [%d%%, eta %d:%02d:%02d]", 100 * (t + 1) / (config.totalIterNum() + 1),
                eta / 3600, eta / 60 % 60, eta % 60);
    }

    private static double elapsed(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
