package org.dml4j.train;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.Batch;
import org.dml4j.data.BatchLoader;
import org.dml4j.error.DataException;
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
import org.dml4j.retrieval.RetrievalEvaluator;
import org.nd4j.linalg.api.buffer.DataType;
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
    private final Path resumeFrom;
    private final CheckpointInfo resumeInfo;
    private ComputationGraph net;
    private long first;
    private final InterruptFlag interrupt = new InterruptFlag();

    private Trainer(TrainConfig config, PrintWriter out) {
        this.config = config;
        this.out = out;
        this.embedding = EmbeddingNetwork.embeddingVertex(config.architecture());
        this.modelDir = config.modelSaveDir().resolve(config.architecture().backbone().name());
        Checkpoints.recover(modelDir);
        // everything about the checkpoint and the folder is checked before the data is read
        this.resumeFrom = config.checkpoint() == null ? null : config.checkpoint().equals("latest")
                ? Checkpoints.latest(modelDir) : Path.of(config.checkpoint());
        this.resumeInfo = resumeFrom == null ? null : requireResumable(resumeFrom);
        if (resumeFrom == null) {
            requireFreshFolder();
        }
        this.data = TrainingData.open(config, out);
    }

    /**
     * Trains as configured, writing checkpoints and metrics under model_save_dir/model.
     *
     * @return the trained network
     */
    public static ComputationGraph train(TrainConfig config, PrintWriter out) {
        Trainer t = new Trainer(config, out);
        t.prepareNetwork();
        if (t.first > config.totalIterNum()) {
            out.println("note: " + t.resumeFrom + " is at iteration " + (t.first - 1) + ", at or past --total_iter_num="
                    + config.totalIterNum() + ": nothing to train (raise --total_iter_num to continue)");
            out.flush();
            return t.net;
        }
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
        if (resumeFrom != null) {
            Checkpoints.Loaded loaded = Checkpoints.load(resumeFrom, true);
            noteChangedLists(resumeInfo);
            net = loaded.net();
            first = loaded.iteration() + 1;
            out.println("Resuming from " + resumeFrom + " at iteration " + first);
        } else {
            net = initialNetwork(config);
            if (config.pretrainedModel() != null) {
                PretrainedWeights.load(net, Path.of(config.pretrainedModel()), out);
            }
            first = 0;
        }
        out.flush();
    }

    /**
     * A resumed run must be the run the checkpoint came from: a checkpoint of a training run
     * (exit 4 otherwise), whose stored flags are valid (exit 3), with every flag that shapes the
     * network, the loss, the batches or the schedule as it was (exit 4 naming each that differs);
     * and the checkpoints after it in the same folder (another continuation of that run) are not
     * mixed with this one's: refused, or deleted with {@code --overwrite=True}.
     *
     * @return the checkpoint's description
     */
    private CheckpointInfo requireResumable(Path from) {
        CheckpointInfo info = resumable(from);
        List<String> keys = new ArrayList<>(CheckpointInfo.ARCHITECTURE);
        keys.addAll(resumeKeys(config.loss().name().pair()));
        info.requireCompatible(config.flags(), keys, "--checkpoint " + from);
        List<Long> later = Checkpoints.iterations(modelDir).stream().filter(i -> i > info.iteration()).toList();
        if (!later.isEmpty() && !config.overwrite()) {
            throw new UsageException(modelDir + " holds checkpoints after iteration " + info.iteration() + " ("
                    + later.stream().map(String::valueOf).collect(Collectors.joining(", ")) + "), which this resume"
                    + " would mix with its own; resume from the latest (--checkpoint latest), choose another"
                    + " --model_save_dir, or pass --overwrite=True to delete them");
        }
        for (long i : later) {
            Checkpoints.delete(modelDir, i);
            out.println("removed checkpoint " + modelDir.resolve(Long.toString(i)) + " (after the resumed one;"
                    + " --overwrite=True)");
        }
        return info;
    }

    /**
     * The description of a checkpoint that can be resumed: one of a training run, with a
     * checkpoint.json whose training flags are valid.
     *
     * @throws UsageException         when it is not there
     * @throws ModelMismatchException when it has no checkpoint.json or no training state
     * @throws DataException          naming the file and field of a value no run accepts
     */
    public static CheckpointInfo resumable(Path from) {
        if (!Files.exists(from)) {
            throw new UsageException("--checkpoint " + from + ": not found");
        }
        CheckpointInfo info = Checkpoints.info(from);
        if (info == null || info.training() == null || info.iteration() < 0) {
            throw new ModelMismatchException("--checkpoint " + from + (info == null ? " has no " + Checkpoints.INFO_FILE
                    : " holds no training state (loss, batch, schedule)") + ", so it cannot be resumed exactly;"
                    + " start from it with --pretrained_model instead");
        }
        TrainConfig.requireValid(info.training(), Checkpoints.infoFile(from));
        return info;
    }

    /**
     * The flags an exact resume compares besides the architecture: all of {@link CheckpointInfo#TRAINING}
     * but {@code --class_dim} for the pair losses, which have no classifier (the original's
     * train_pair.py accepts and ignores it).
     */
    public static List<String> resumeKeys(boolean pair) {
        return CheckpointInfo.TRAINING.stream().filter(k -> !(pair && k.equals("--class_dim"))).toList();
    }

    /** A training list that changed since the checkpoint is said: the sample stream then differs. */
    private void noteChangedLists(CheckpointInfo info) {
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

    /**
     * The loop: a step, then every listener (docs/ORIGINAL.md §6.2 for what they print and when);
     * Ctrl-C is turned into a request the checkpointing listener honours (a checkpoint, then the end).
     */
    private void loop() {
        interrupt.install();
        long total = config.totalIterNum();
        try (TrainingStep step = new TrainingStep(net, config, embedding);
             BatchLoader loader = data.trainBatches(first);
             MetricsLog metrics = new MetricsLog(modelDir.resolve("metrics.csv"), first > 0, step.metricNames())) {
            StepListeners.Checkpointing checkpoints = new StepListeners.Checkpointing(this::save, interrupt,
                    config.saveIterStep());
            StepListeners.Display display = new StepListeners.Display(new DisplayStats(config.displayIterStep(),
                    step.metricNames()), metrics, out, config.displayIterStep(), first, total);
            StepListeners.PeriodicTest test = new StepListeners.PeriodicTest(t -> test(t, checkpoints), metrics, display,
                    config.testIterStep());
            List<StepListener> listeners = new ArrayList<>(List.of(new StepListeners.DivergenceGuard(net, checkpoints),
                    display, test, checkpoints));
            if (config.enableCe()) {
                listeners.add(new StepListeners.ContinuousEvaluation(out, test));
            }
            for (long t = first; t <= total; t++) {
                Batch b = loader.next();
                long start = System.nanoTime();
                StepResult result = step.run(b, t == first);
                double seconds = (System.nanoTime() - start) / 1e9;
                if (t == first) {
                    LOG.info("layer helpers: {}", Helpers.summary(net));
                }
                StepListener.Step done = new StepListener.Step(t, config.lr().lrAt(t), result, seconds, t == total);
                for (StepListener l : listeners) {
                    l.afterStep(done);
                }
            }
            listeners.forEach(StepListener::afterRun);
        } finally {
            interrupt.uninstall();
        }
    }

    private double test(long t, StepListeners.Checkpointing checkpoints) {
        EmbeddingModel.Features f = EmbeddingModel.of(net, config.architecture(), embedding).embed(data.test(),
                config.testBatchSize(), config.data().numWorkers(), Progress.testBatchLines(out));
        EmbeddingModel.requireFinite(f, data.test(), "test embeddings at iteration " + t + " (last good checkpoint: "
                + checkpoints.describeLast() + ")");
        double recall = RetrievalEvaluator.recallAt1(f.features(), f.labels());
        out.printf(Locale.ROOT, "[%s] test_img_num %d, trainbatch %d, test_recall %.5f%n",
                Progress.now(), f.labels().length, t, recall);
        out.flush();
        return recall;
    }

    private Path save(long t) {
        Architecture arch = config.architecture();
        CheckpointInfo info = new CheckpointInfo(CheckpointInfo.FORMAT, t, arch.backbone().name(), arch.shape(),
                arch.embeddingSize(), arch.strideIn1x1(), embedding, config.trainingInfo(), data.lists(),
                CheckpointInfo.versionsNow(), Instant.now());
        Path dir = Checkpoints.save(net, modelDir, info);
        out.println("saved checkpoint " + dir);
        out.flush();
        return dir;
    }
}
