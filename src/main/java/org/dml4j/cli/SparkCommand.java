package org.dml4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.dml4j.data.AtomicFiles;
import org.dml4j.eval.MetricsOutput;
import org.dml4j.retrieval.GalleryMetrics;
import org.dml4j.retrieval.RetrievalMetrics;
import org.dml4j.spark.NpyImport;
import org.dml4j.spark.SparkEval;
import org.dml4j.spark.SparkInfer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The Spark jobs (docs/SCALE.md), run by {@code spark-submit --class org.dml4j.cli.SparkCommand}
 * or {@code scripts/spark_local.sh}; a separate entry point, since Spark is on the classpath only
 * there.
 */
@Command(name = "dml4j-spark", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
        description = "dml4j's infer and eval as Apache Spark jobs (embeddings as Parquet; exact retrieval metrics).",
        subcommands = {SparkCommand.Infer.class, SparkCommand.Eval.class, SparkCommand.Import.class})
public final class SparkCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** Also before the job's name: {@code dml4j-spark --verbose eval ...} ({@link Dml4j#verbose}). */
    @Mixin
    VerboseOption verbose;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The session spark-submit configured, or a local one for {@code --master}. */
    static SparkSession session(String master, String name) {
        SparkSession.Builder b = SparkSession.builder().appName(name);
        if (master != null) {
            b.master(master);
        }
        return b.getOrCreate();
    }

    @Command(name = "infer", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
            description = "Embed the test list of an SOP-style data root, or an image list, on the executors; write a"
                    + " Parquet dataset with columns path, label, embedding.")
    static final class Infer implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Option(names = {"--data_dir", "--data-dir"}, paramLabel = "DIR",
                description = "Data root whose Ebay_test.txt lists the images (any file system Spark reads).")
        String dataDir;

        @Option(names = {"--image_list", "--image-list"}, paramLabel = "FILE",
                description = "One image path per line, relative to FILE's folder (labels -1).")
        String imageList;

        @Option(names = {"--pretrained_model", "--pretrained-model"}, required = true, paramLabel = "DIR",
                description = "A dml4j checkpoint folder (or its model.zip) or a `dml4j export` folder.")
        String model;

        @Option(names = "--output", required = true, paramLabel = "DIR",
                description = "The Parquet dataset to write; must not exist.")
        String output;

        @Option(names = {"--batch_size", "--batch-size"}, paramLabel = "N", defaultValue = "32",
                description = "Images per forward pass. Default: ${DEFAULT-VALUE}.")
        int batchSize;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "8",
                description = "Tasks the image list is cut into. Default: ${DEFAULT-VALUE}.")
        int partitions;

        @Option(names = {"--skip_bad_images", "--skip-bad-images"}, arity = "0..1", fallbackValue = "True",
                defaultValue = "False", converter = PyBool.Converter.class, paramLabel = "BOOL",
                description = "Leave unreadable images out (counted and listed) instead of failing the job."
                        + " Default: ${DEFAULT-VALUE}.")
        PyBool skipBadImages;

        @Option(names = "--master", paramLabel = "URL",
                description = "Spark master when not run by spark-submit, e.g. local[2]. Default: spark-submit's.")
        String master;

        @Override
        public Integer call() {
            SparkInfer.Job job = new SparkInfer.Job(dataDir, imageList, model, output, batchSize, partitions,
                    skipBadImages.value());
            PrintWriter out = spec.commandLine().getOut();
            SparkSession spark = session(master, "dml4j infer");
            try {
                SparkInfer.run(spark, job, out);
            } finally {
                spark.stop();
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
            description = {"Exact retrieval metrics of embeddings written by `infer` on Spark: SOP's protocol"
                    + " (Recall@K, MAP@R, R-precision), or with --gallery_embeddings the query/gallery protocol (CMC"
                    + " rank-K, mAP; gallery label -1 is junk; a 'camera' column in both enables re-ID's exclusion).",
                "Rows are ordered by path; the metrics equal single-JVM eval's on the same rows in that order."})
    static final class Eval implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Option(names = "--embeddings", required = true, paramLabel = "DIR",
                description = "Parquet dataset of the queries (SOP protocol: of every image).")
        String embeddings;

        @Option(names = {"--gallery_embeddings", "--gallery-embeddings"}, paramLabel = "DIR",
                description = "Parquet dataset of the gallery (query/gallery protocol). Default: None.")
        String gallery;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "8",
                description = "Gallery partitions. Default: ${DEFAULT-VALUE}.")
        int partitions;

        @Option(names = {"--query_block", "--query-block"}, paramLabel = "N", defaultValue = "1024",
                description = "Queries per block at most (fewer when a partition is large, so that a task holds at"
                        + " most 2^26 similarities). Default: ${DEFAULT-VALUE}.")
        int queryBlock;

        @Option(names = {"--largest_k", "--largest-k"}, paramLabel = "K", defaultValue = "1000",
                description = "Report Recall@K for K in 1, 10, 100, 1000 up to K (single-JVM eval: 1000). Each"
                        + " partition sends max(K, R) candidates per query, so a smaller K shrinks the shuffle."
                        + " Default: ${DEFAULT-VALUE}.")
        int largestK;

        @Option(names = {"--output_json", "--output-json"}, paramLabel = "FILE",
                description = "Also write the metrics as JSON (on the driver's file system). Default: None.")
        Path outputJson;

        @Option(names = "--master", paramLabel = "URL",
                description = "Spark master when not run by spark-submit, e.g. local[2]. Default: spark-submit's.")
        String master;

        @Override
        public Integer call() {
            SparkEval.Job job = new SparkEval.Job(embeddings, gallery, partitions, queryBlock, largestK);
            if (outputJson != null) {
                AtomicFiles.requireWritable(outputJson, false, "--output_json");
            }
            PrintWriter out = spec.commandLine().getOut();
            SparkSession spark = session(master, "dml4j eval");
            Object m;
            try {
                m = SparkEval.run(spark, job, out);
            } finally {
                spark.stop();
            }
            if (m instanceof RetrievalMetrics r) {
                MetricsOutput.table(r, out);
                if (outputJson != null) {
                    MetricsOutput.json(r, outputJson);
                }
            } else {
                GalleryMetrics g = (GalleryMetrics) m;
                MetricsOutput.table(g, out);
                if (outputJson != null) {
                    MetricsOutput.json(g, outputJson);
                }
            }
            if (outputJson != null) {
                out.println("metrics written to " + outputJson);
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
            description = "Write single-JVM infer's output (features.npy, labels.txt, paths.txt) as the Parquet dataset"
                    + " spark eval reads; each task reads its own rows of features.npy.")
    static final class Import implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Option(names = "--features_dir", required = true, paramLabel = "DIR",
                description = "A folder written by `dml4j infer --output DIR`.")
        String dir;

        @Option(names = "--output", required = true, paramLabel = "DIR", description = "The Parquet dataset to write.")
        String output;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "8",
                description = "Tasks (and files). Default: ${DEFAULT-VALUE}.")
        int partitions;

        @Option(names = "--master", paramLabel = "URL",
                description = "Spark master when not run by spark-submit, e.g. local[2]. Default: spark-submit's.")
        String master;

        @Override
        public Integer call() {
            SparkSession spark = session(master, "dml4j import");
            try {
                NpyImport.run(spark, dir, output, partitions, spec.commandLine().getOut());
            } finally {
                spark.stop();
            }
            return ExitCodes.OK;
        }
    }

    /** Entry point for spark-submit; exits with dml4j's codes (2 usage, 3 data, 4 model mismatch, 1 other). */
    public static void main(String[] args) {
        System.exit(Dml4j.execute(new SparkCommand(), args));
    }
}
