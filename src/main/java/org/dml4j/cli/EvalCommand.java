package org.dml4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.dml4j.data.AtomicFiles;
import org.dml4j.error.UsageException;
import org.dml4j.eval.EvalConfig;
import org.dml4j.eval.Evaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** eval.py: Recall@K, MAP@R and R-precision on the test split (docs/ORIGINAL.md §7). */
@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
        defaultValueProvider = EvalCommand.Defaults.class,
        description = "Recall@1 (and Recall@10/100/1000, MAP@R, R-precision) of a model on the test split,"
                + " or of features made elsewhere.")
public final class EvalCommand extends PipelineCommand {
    static final class Defaults extends CommandDefaults {
        Defaults() {
            super(ModelOptions.defaults(10));
        }
    }

    @Mixin
    ModelOptions model;

    @Option(names = {"--output_json", "--output-json"}, paramLabel = "FILE",
            description = "Also write the metrics as JSON. Default: None.")
    Path outputJson;

    @Option(names = "--report", paramLabel = "DIR",
            description = "Also write DIR/report.html: metrics, Recall@K curve, sample and worst queries with their"
                    + " nearest neighbours. Default: None.")
    Path report;

    @Option(names = "--features", paramLabel = "FILE.npy",
            description = "Evaluate these features (float32 [N, D] .npy) instead of running a model. Default: None.")
    Path features;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Labels of --features: a text file with one integer per line, or an integer .npy file."
                    + " Default: None.")
    Path labels;

    @Override
    Runnable prepare(PrintWriter out) {
        EvalConfig config = model.toConfig(common.toConfig());
        if (outputJson != null) {
            AtomicFiles.requireWritable(outputJson, false, "--output_json");
        }
        if (report != null) {
            AtomicFiles.requireWritable(report, true, "--report");
        }
        if (labels != null && features == null) {
            throw new UsageException("--labels goes with --features");
        }
        return () -> Evaluator.run(config, features, labels, outputJson, report, out);
    }

    @Override
    CheckpointFlags.Pending adoptCheckpointFlags(PrintWriter out) {
        return model.adoptCheckpointFlags(spec, out);
    }

    @Override
    NetworkOptions network() {
        return model.network;
    }

    @Override
    boolean needsDevice() {
        return features == null;
    }

    /** {@code eval} on its own (the original's eval.py entry point); exits with its code. */
    public static void main(String[] args) {
        System.exit(Dml4j.execute(new EvalCommand(), args));
    }
}
