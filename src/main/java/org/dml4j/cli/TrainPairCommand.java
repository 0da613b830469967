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

/** train_pair.py: fine-tuning with a pair loss (triplet, quadruplet, eml, npairs), docs/ORIGINAL.md §2.3. */
@Command(name = "train-pair", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
        defaultValueProvider = TrainPairCommand.Defaults.class,
        description = "Stage 2: fine-tune an embedding network with a pair loss"
        + " (triplet, quadruplet, eml or npairs).")
public final class TrainPairCommand extends PipelineCommand {
    static final class Defaults extends CommandDefaults {
        Defaults() {
            super(TrainOptions.defaults(Map.ofEntries(Map.entry("--train_batch_size", "120"),
                    Map.entry("--lr", "0.0001"), Map.entry("--lr_steps", "100000"),
                    Map.entry("--total_iter_num", "100000"), Map.entry("--test_iter_step", "5000"),
                    Map.entry("--save_iter_step", "5000"), Map.entry("--loss_name", "triplet"),
                    Map.entry("--samples_each_class", "2"), Map.entry("--margin", "0.1"),
                    Map.entry("--npairs_reg_lambda", "0.01"), Map.entry("--num_shards", "1"))));
        }
    }

    @Mixin
    TrainOptions train;

    @Option(names = {"--samples_each_class", "--samples-each-class"}, paramLabel = "N",
            description = "Images per class in a batch (quadruplet, eml, npairs; npairs needs 2). Default: ${DEFAULT-VALUE}.")
    int samplesEachClass;

    @Option(names = "--margin", paramLabel = "X", description = "Margin of triplet and quadruplet. Default: ${DEFAULT-VALUE}.")
    double margin;

    @Option(names = {"--npairs_reg_lambda", "--npairs-reg-lambda"}, paramLabel = "X",
            description = "Lambda of the npairs L2 embedding regulariser. Default: ${DEFAULT-VALUE}.")
    double npairsRegLambda;

    @Option(names = {"--num_shards", "--num-shards"}, paramLabel = "N",
            description = "Compute the loss inside N equal consecutive shards of each batch and average, as the"
                    + " original did per GPU; with --num_devices D, a multiple of D (1 means one per device)."
                    + " Default: ${DEFAULT-VALUE}.")
    int numShards;

    @Override
    Runnable prepare(PrintWriter out) {
        LossConfig loss = LossConfig.pair(LossName.parse(train.lossName, true), samplesEachClass, margin,
                npairsRegLambda, numShards);
        TrainConfig config = train.toConfig(loss, false, common.toConfig());
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

    /** {@code train-pair} on its own (the original's train_pair.py entry point); exits with its code. */
    public static void main(String[] args) {
        System.exit(Dml4j.execute(new TrainPairCommand(), args));
    }
}
