package org.dml4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dml4j.data.AtomicFiles;
import org.dml4j.data.DataConfig;
import org.dml4j.error.UsageException;
import org.dml4j.loss.LossConfig;
import org.dml4j.model.Backbone;
import org.dml4j.model.Backbones;
import org.dml4j.model.CheckpointInfo;
import org.dml4j.model.Checkpoints;
import org.dml4j.model.Devices;
import org.dml4j.train.LrSchedule;
import org.dml4j.train.TrainConfig;
import org.dml4j.train.Trainer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The flags train_elem.py and train_pair.py share (docs/ORIGINAL.md §2.2–2.3); defaults come per command. */
final class TrainOptions {
    @Mixin
    NetworkOptions network;
    @Option(names = {"--train_batch_size", "--train-batch-size"}, paramLabel = "N",
            description = "Global training batch size. Default: ${DEFAULT-VALUE}.")
    int trainBatchSize;

    @Option(names = {"--test_batch_size", "--test-batch-size"}, paramLabel = "N",
            description = "Batch size of the periodic test pass. Default: ${DEFAULT-VALUE}.")
    int testBatchSize;

    @Option(names = {"--class_dim", "--class-dim"}, paramLabel = "N",
            description = "Number of training classes (the classifier width of train-elem; train-pair accepts and"
                    + " ignores it, as the original). Default: ${DEFAULT-VALUE}.")
    int classDim;

    @Option(names = "--lr", paramLabel = "X", description = "Base learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = {"--lr_strategy", "--lr-strategy"}, paramLabel = "NAME",
            description = "Learning-rate strategy; only piecewise_decay. Default: ${DEFAULT-VALUE}.")
    String lrStrategy;

    @Option(names = {"--lr_steps", "--lr-steps"}, paramLabel = "I,J,...",
            description = "Iterations at which the learning rate is multiplied by 0.1. Default: ${DEFAULT-VALUE}.")
    String lrSteps;

    @Option(names = {"--total_iter_num", "--total-iter-num"}, paramLabel = "N",
            description = "Last iteration index (iterations 0..N run). Default: ${DEFAULT-VALUE}.")
    int totalIterNum;

    @Option(names = {"--display_iter_step", "--display-iter-step"}, paramLabel = "N",
            description = "Print training statistics every N iterations. Default: ${DEFAULT-VALUE}.")
    int displayIterStep;

    @Option(names = {"--test_iter_step", "--test-iter-step"}, paramLabel = "N",
            description = "Test on the whole test split every N iterations. Default: ${DEFAULT-VALUE}.")
    int testIterStep;

    @Option(names = {"--save_iter_step", "--save-iter-step"}, paramLabel = "N",
            description = "Save a checkpoint every N iterations. Default: ${DEFAULT-VALUE}.")
    int saveIterStep;

    @Option(names = {"--num_devices", "--num-devices"}, paramLabel = "N",
            description = "Data-parallel replicas: the batch is split into N equal shares of whole class blocks,"
                    + " one per GPU (CUDA build) or worker thread (CPU), each with its own loss and BatchNorm"
                    + " statistics, gradients averaged every step. 0: every visible GPU with --use_gpu=True,"
                    + " else 1. Default: ${DEFAULT-VALUE}.")
    int numDevices;

    @Option(names = "--checkpoint", paramLabel = "PATH", converter = Dml4j.PathName.class,
            description = "Checkpoint folder to resume from exactly (parameters, optimiser state, schedule and sample"
                    + " stream), or 'latest' for the newest complete one under model_save_dir/model. Flags not given"
                    + " take the checkpoint's values; given ones must equal them. Default: None.")
    String checkpoint;

    @Option(names = {"--model_save_dir", "--model-save-dir"}, paramLabel = "DIR",
            description = "Checkpoint root. Default: ${DEFAULT-VALUE}.")
    Path modelSaveDir;

    @Option(names = "--overwrite", arity = "0..1", fallbackValue = "True", converter = PyBool.Converter.class,
            paramLabel = "BOOL", description = "Let a fresh run delete the checkpoints an earlier run left in"
                    + " model_save_dir/model, and a resume those after the checkpoint it resumes; without it such a"
                    + " run stops. Default: ${DEFAULT-VALUE}.")
    PyBool overwrite;

    @Option(names = {"--loss_name", "--loss-name"}, paramLabel = "NAME",
            description = "Loss: softmax or arcmargin (train-elem); triplet, quadruplet, eml or npairs (train-pair). Default: ${DEFAULT-VALUE}.")
    String lossName;

    /**
     * {@code --checkpoint} fixes every flag an exact resume depends on; {@code --pretrained_model}
     * as a dml4j checkpoint fixes the backbone and its stride rule, and lends its image shape and
     * embedding size when they are not given (fine-tuning may change them).
     */
    CheckpointFlags.Pending adoptCheckpointFlags(CommandSpec spec, PrintWriter out) {
        if (checkpoint != null) {
            if (network.pretrainedModel != null) {
                throw new UsageException("--checkpoint resumes a run with its own weights; --pretrained_model starts"
                        + " a new one from others: give one of them");
            }
            Path from = checkpoint.equals("latest") ? latest() : Path.of(checkpoint);
            checkpoint = from.toString();   // the configuration block and the trainer see the folder resolved here
            CheckpointInfo info = Trainer.resumable(from);
            CheckpointFlags.requireLossOfThisCommand(info, spec, "--checkpoint " + from);
            List<String> strict = new ArrayList<>(CheckpointInfo.ARCHITECTURE);
            strict.addAll(Trainer.resumeKeys(CheckpointFlags.PAIR_COMMAND.equals(spec.name())));
            return CheckpointFlags.adopt(spec, info, "--checkpoint " + from, strict, List.of(), out);
        }
        CheckpointInfo info = CheckpointFlags.infoOf(network.pretrainedModel);
        return info == null ? null : CheckpointFlags.adopt(spec, info, "--pretrained_model " + network.pretrainedModel,
                List.of("--model", "--stride_in_1x1"), List.of("--image_shape", "--embedding_size"), out);
    }

    /**
     * {@code --checkpoint latest}: the newest checkpoint under model_save_dir/model.
     *
     * @throws UsageException when there is none, naming the backbones that do have checkpoints there
     */
    private Path latest() {
        Path dir = modelSaveDir.resolve(network.model);
        if (!Checkpoints.iterations(dir).isEmpty()) {
            return Checkpoints.latest(dir);
        }
        List<String> elsewhere = Backbones.ALL.stream().map(Backbone::name)
                .filter(m -> !Checkpoints.iterations(modelSaveDir.resolve(m)).isEmpty()).toList();
        throw new UsageException("--checkpoint latest: no complete checkpoint in " + dir + (elsewhere.isEmpty() ? ""
                : "; " + modelSaveDir + " has checkpoints of " + String.join(", ", elsewhere)
                + ": pass --model=" + elsewhere.get(0)));
    }

    TrainConfig toConfig(LossConfig loss, boolean enableCe, DataConfig data) {
        AtomicFiles.requireWritable(modelSaveDir, true, "--model_save_dir");
        return TrainConfig.builder(network.architecture(), loss, data)
                .trainBatchSize(trainBatchSize).testBatchSize(testBatchSize).classDim(classDim)
                .lr(LrSchedule.parse(lr, lrStrategy, lrSteps)).totalIterNum(totalIterNum)
                .displayIterStep(displayIterStep).testIterStep(testIterStep).saveIterStep(saveIterStep).useGpu(network.useGpu.value())
                .numDevices(Devices.replicas(numDevices, network.useGpu.value())).pretrainedModel(network.pretrainedModel)
                .checkpoint(checkpoint).modelSaveDir(modelSaveDir).enableCe(enableCe).overwrite(overwrite.value())
                .build();
    }

    /**
     * Defaults of train_elem.py and train_pair.py: the shared ones plus each command's own
     * (batch size, learning rate and schedule, test/save steps, loss, loss parameters).
     */
    static Map<String, String> defaults(Map<String, String> specific) {
        Map<String, String> all = new HashMap<>(NetworkOptions.DEFAULTS);
        all.putAll(Map.of(
                "--test_batch_size", "50", "--class_dim", "11318", "--lr_strategy", "piecewise_decay",
                "--display_iter_step", "10", "--model_save_dir", "output", "--num_devices", "0", "--overwrite", "False"));
        all.putAll(specific);
        return all;
    }
}
