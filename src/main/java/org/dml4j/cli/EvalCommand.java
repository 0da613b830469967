package org.dml4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.dml4j.data.AtomicFiles;
import org.dml4j.eval.EvalConfig;
import org.dml4j.eval.EvalInputs;
import org.dml4j.eval.Evaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * eval.py: Recall@K, MAP@R and R-precision on the test split (docs/ORIGINAL.md §7), and the
 * query/gallery and verification protocols (docs/PROTOCOLS.md).
 */
@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
        defaultValueProvider = EvalCommand.Defaults.class,
        description = {"Recall@1 (and Recall@10/100/1000, MAP@R, R-precision) of a model on the test split,"
                + " or of features made elsewhere.",
            "With a gallery (--gallery_features or --query_list/--gallery_list, optionally --cameras): CMC rank-1/5/"
                + "10/20/50 and mAP, as In-Shop Clothes and person re-identification report them.",
            "With --pairs: verification accuracy (10 folds), ROC AUC, EER and TAR@FAR=1e-2/1e-3, as LFW."})
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
                    + " nearest neighbours; with --pairs, DIR/roc.png. Default: None.")
    Path report;

    @Option(names = "--features", paramLabel = "FILE.npy",
            description = "Evaluate these features (float32 [N, D] .npy) instead of running a model; with a gallery,"
                    + " the queries' features. Default: None.")
    Path features;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Labels of --features: a text file with one integer per line, or an integer .npy file."
                    + " Default: None.")
    Path labels;

    @Option(names = {"--gallery_features", "--gallery-features"}, paramLabel = "FILE.npy",
            description = "Query/gallery protocol: the gallery's features; --features and --labels are then the"
                    + " queries'. Default: None.")
    Path galleryFeatures;

    @Option(names = {"--gallery_labels", "--gallery-labels"}, paramLabel = "FILE",
            description = "Labels of --gallery_features; -1 marks a junk entry, never counted. Default: None.")
    Path galleryLabels;

    @Option(names = {"--query_list", "--query-list"}, paramLabel = "FILE",
            description = "Query/gallery protocol on images: the query images, in the columns of Ebay_test.txt"
                    + " (class id 0: distractor, -1: junk); paths relative to --data_dir, and so is FILE when it is"
                    + " not found as given. Default: None.")
    Path queryList;

    @Option(names = {"--gallery_list", "--gallery-list"}, paramLabel = "FILE",
            description = "The gallery images, as --query_list. Default: None.")
    Path galleryList;

    @Option(names = "--cameras", paramLabel = "FILE",
            description = "Re-identification: the queries' camera ids, one integer per line; gallery entries with"
                    + " the query's identity and camera are then left out. Default: None.")
    Path cameras;

    @Option(names = {"--gallery_cameras", "--gallery-cameras"}, paramLabel = "FILE",
            description = "The gallery's camera ids, as --cameras. Default: None.")
    Path galleryCameras;

    @Option(names = "--pairs", paramLabel = "FILE",
            description = "Verification protocol: lines 'i j same' (0-based rows of --features or of Ebay_test.txt's"
                    + " images, same 1/0) in equal consecutive folds (a '# folds=F' line sets F, else 10): accuracy,"
                    + " AUC, EER, TAR@FAR; with --report, roc.png. Default: None.")
    Path pairs;

    @Override
    Runnable prepare(PrintWriter out) {
        EvalConfig config = model.toConfig(common.toConfig());
        EvalInputs inputs = new EvalInputs(features, labels, galleryFeatures, galleryLabels, queryList, galleryList,
                cameras, galleryCameras, pairs, outputJson, report);
        if (outputJson != null) {
            AtomicFiles.requireWritable(outputJson, false, "--output_json");
        }
        if (report != null) {
            AtomicFiles.requireWritable(report, true, "--report");
        }
        return () -> Evaluator.run(config, inputs, out);
    }

    /** A model runs only when no features are given (--gallery_features alone is refused as a usage error). */
    @Override
    boolean needsDevice() {
        return features == null && galleryFeatures == null;
    }

    @Override
    CheckpointFlags.Pending adoptCheckpointFlags(PrintWriter out) {
        return model.adoptCheckpointFlags(spec, out);
    }

    @Override
    NetworkOptions network() {
        return model.network;
    }

    /** {@code eval} on its own (the original's eval.py entry point); exits with its code. */
    public static void main(String[] args) {
        System.exit(Dml4j.execute(new EvalCommand(), args));
    }
}
