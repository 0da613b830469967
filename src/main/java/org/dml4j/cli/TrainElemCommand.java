package org.dml4j.cli;

import java.io.PrintWriter;
import java.util.Map;
import org.dml4j.loss.LossConfig;
import org.dml4j.loss.LossName;
import org.dml4j.train.TrainConfig;
import org.dml4j.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** train_elem.py: classification-style training (softmax, arcmargin), docs/ORIGINAL.md §2.2. */
@Command(name = "train-elem", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
        defaultValueProvider = TrainElemCommand.Defaults.class,
        description = "Stage 1: train an embedding network with a classification loss"
        + " (softmax or arcmargin).")
public final class TrainElemCommand extends PipelineCommand {
    static final class Defaults extends CommandDefaults {
        Defaults() {
            super(TrainOptions.defaults(Map.ofEntries(Map.entry("--train_batch_size", "256"),
                    Map.entry("--lr", "0.01"), Map.entry("--lr_steps", "15000,25000"),
                    Map.entry("--total_iter_num", "30000"), Map.entry("--test_iter_step", "1000"),
                    Map.entry("--save_iter_step", "1000"), Map.entry("--loss_name", "softmax"),
                    Map.entry("--arc_scale", "80.0"), Map.entry("--arc_margin", "0.15"),
                    Map.entry("--arc_easy_margin", "False"), Map.entry("--enable_ce", "False"))));
        }
    }

    @Mixin
    TrainOptions train;

    @Option(names = {"--arc_scale", "--arc-scale"}, paramLabel = "X",
            description = "ArcFace scale s. Default: ${DEFAULT-VALUE}.")
    double arcScale;

    @Option(names = {"--arc_margin", "--arc-margin"}, paramLabel = "X",
            description = "ArcFace additive angular margin m, in radians. Default: ${DEFAULT-VALUE}.")
    double arcMargin;

    @Option(names = {"--arc_easy_margin", "--arc-easy-margin"}, arity = "1", converter = PyBool.Converter.class,
            paramLabel = "BOOL", description = "ArcFace easy-margin variant. Default: ${DEFAULT-VALUE}.")
    PyBool arcEasyMargin;

    @Option(names = {"--enable_ce", "--enable-ce"}, arity = "1", converter = PyBool.Converter.class,
            paramLabel = "BOOL", description = "Continuous-evaluation mode (ResNet50 + arcmargin only);"
            + " prints kpis lines at the end. Default: ${DEFAULT-VALUE}.")
    PyBool enableCe;

    @Override
    Runnable prepare(PrintWriter out) {
        LossConfig loss = LossConfig.elem(LossName.parse(train.lossName, false), arcScale, arcMargin, arcEasyMargin.value());
        TrainConfig config = train.toConfig(loss, enableCe.value(), common.toConfig());
        return () -> Trainer.train(config, out);
    }

    @Override
    CheckpointFlags.Pending adoptCheckpointFlags(PrintWriter out) {
        return train.adoptCheckpointFlags(spec, out);
    }

    @Override
    NetworkOptions network() {
        return train.network;
    }

    /** {@code train-elem} on its own (the original's train_elem.py entry point); exits with its code. */
    public static void main(String[] args) {
        System.exit(Dml4j.execute(new TrainElemCommand(), args));
    }
}
