package org.dml4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dml4j.bench.DataBenchmark;
import org.dml4j.bench.KnnBenchmark;
import org.dml4j.bench.ModelBenchmark;
import org.dml4j.bench.ScanBenchmark;
import org.dml4j.bench.SyntheticEmbeddings;
import org.dml4j.data.AtomicFiles;
import org.dml4j.data.ImageList;
import org.dml4j.data.VisibleText;
import org.dml4j.error.UsageException;
import org.dml4j.inference.EmbeddingModel;
import org.dml4j.loss.LossName;
import org.dml4j.model.Backbone;
import org.dml4j.model.Backbones;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Benchmarks that print figures; never run by the tests. */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
        description = "Measure throughput.", subcommands = {BenchCommand.DataCommand.class, BenchCommand.ScanCommand.class, BenchCommand.TrainCommand.class, BenchCommand.EmbeddingsCommand.class,
            BenchCommand.InferCommand.class, BenchCommand.KnnCommand.class})
final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** Also before the subcommand: {@code dml4j bench --verbose knn ...} ({@link Dml4j#verbose}). */
    @Mixin
    VerboseOption verbose;

    /** @throws UsageException naming {@code flag} when {@code value} is below {@code min} */
    static void atLeast(String flag, int value, int min) {
        if (value < min) {
            throw new UsageException(flag + " must be >= " + min + ", got " + value);
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "data", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
            description = "Decoded + preprocessed images per second of the batch loader, per thread count.")
    static final class DataCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Option(names = "--images", paramLabel = "DIR",
                description = "Folder of JPEG/PNG images. Default: generate synthetic 500x500 JPEGs.")
        Path images;

        @Option(names = "--count", paramLabel = "N", defaultValue = "500",
                description = "Images per measured pass (and synthetic images made). Default: ${DEFAULT-VALUE}.")
        int count;

        @Option(names = "--crop", paramLabel = "S", defaultValue = "224", description = "Crop size. Default: ${DEFAULT-VALUE}.")
        int crop;

        @Option(names = "--threads", paramLabel = "N,M", split = ",", defaultValue = "1,2",
                description = "Thread counts to measure. Default: ${DEFAULT-VALUE}.")
        int[] threads;

        @Option(names = "--batch", paramLabel = "N", defaultValue = "32", description = "Batch size. Default: ${DEFAULT-VALUE}.")
        int batch;

        @Override
        public Integer call() throws Exception {
            if (images != null && !Files.isDirectory(images)) {
                throw new UsageException("--images " + images + ": not a folder");
            }
            atLeast("--count", count, 1);
            atLeast("--crop", crop, 1);
            atLeast("--batch", batch, 1);
            for (int t : threads) {
                atLeast("--threads", t, 1);
            }
            DataBenchmark.run(images, count, crop, threads, batch, spec.commandLine().getOut());
            return ExitCodes.OK;
        }
    }

    @Command(name = "scan", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
            description = "Images per second of the pre-scan (--check_images) over a data set; the first pass"
                    + " over files not in the page cache measures the disk.")
    static final class ScanCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Option(names = {"--data_dir", "--data-dir"}, paramLabel = "DIR", defaultValue = "data/Stanford_Online_Products",
                description = "Data root: scans the images of Ebay_train.txt and Ebay_test.txt. Default: ${DEFAULT-VALUE}.")
        Path dataDir;

        @Option(names = "--images", paramLabel = "DIR", description = "Scan every image under DIR instead. Default: None.")
        Path images;

        @Option(names = "--passes", paramLabel = "N", defaultValue = "3", description = "Passes. Default: ${DEFAULT-VALUE}.")
        int passes;

        @Override
        public Integer call() throws Exception {
            if (images != null && !Files.isDirectory(images)) {
                throw new UsageException("--images " + images + ": not a folder");
            }
            atLeast("--passes", passes, 1);
            ImageList list = images != null ? ImageList.ofDirectory(images) : ScanBenchmark.bothSplits(dataDir);
            ScanBenchmark.run(list, passes, spec.commandLine().getOut());
            return ExitCodes.OK;
        }
    }

    /** The options train and infer share. */
    static final class ModelOptions {
        @Option(names = "--model", defaultValue = "ResNet50", description = "Backbone. Default: ${DEFAULT-VALUE}.")
        String model;

        @Option(names = "--size", defaultValue = "224", description = "Input side. Default: ${DEFAULT-VALUE}.")
        int size;

        @Option(names = "--batch", defaultValue = "8", description = "Batch size. Default: ${DEFAULT-VALUE}.")
        int batch;

        @Option(names = "--warmup", defaultValue = "2",
                description = "Unmeasured steps first (training reaches its steady speed after 10-40: the JVM"
                        + " compiles DL4J's code paths). Default: ${DEFAULT-VALUE}.")
        int warmup;

        @Option(names = "--steps", defaultValue = "5", description = "Measured steps (median). Default: ${DEFAULT-VALUE}.")
        int steps;

        @Option(names = "--helpers", arity = "1", defaultValue = "True", converter = PyBool.Converter.class,
                description = "Let DL4J use its oneDNN layer helpers. Default: ${DEFAULT-VALUE}.")
        PyBool helpers;

        @Option(names = "--profile",
                description = "Also print the time per layer kind: forward, and for train also backward, the head, and the"
                        + " time outside the layers (updater, parameter update, DL4J's bookkeeping).")
        boolean profile;

        ModelBenchmark.Setup setup(int devices) {
            atLeast("--size", size, 1);
            atLeast("--batch", batch, 1);
            atLeast("--warmup", warmup, 0);
            atLeast("--steps", steps, 1);
            atLeast("--devices", devices, 1);
            return new ModelBenchmark.Setup(Backbones.parse(model), size, batch, warmup, steps, helpers.value(), devices,
                    profile);
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
            description = "Training-step images/s of a backbone with an ArcFace head (1000 classes) or the eml loss on"
                    + " synthetic input, and peak resident memory. Run one configuration per process for a clean peak.")
    static final class TrainCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Mixin
        ModelOptions options;

        @Option(names = "--devices", defaultValue = "1",
                description = "Data-parallel worker copies (as train --num_devices). Default: ${DEFAULT-VALUE}.")
        int devices;

        @Option(names = "--loss", paramLabel = "NAME", defaultValue = "arcmargin",
                description = "arcmargin (the ArcFace head, s 80, m 0.15) or eml (blocks of "
                        + ModelBenchmark.EML_SAMPLES_EACH_CLASS + " images per class). Default: ${DEFAULT-VALUE}.")
        String loss;

        @Option(names = "--classes", paramLabel = "N", defaultValue = "1000",
                description = "Classes: the ArcFace head's width; for eml, labels cycle through them."
                        + " Default: ${DEFAULT-VALUE}.")
        int classes;

        @Override
        public Integer call() {
            atLeast("--classes", classes, 1);
            LossName name = switch (loss) {
                case "arcmargin" -> LossName.ARCMARGIN;
                case "eml" -> LossName.EML;
                default -> throw new UsageException("--loss: " + VisibleText.quote(loss) + " is not measured here;"
                        + " choose arcmargin or eml");
            };
            if (name == LossName.EML && options.batch % ModelBenchmark.EML_SAMPLES_EACH_CLASS != 0) {
                throw new UsageException("--batch: eml needs a multiple of " + ModelBenchmark.EML_SAMPLES_EACH_CLASS
                        + " (images per class), got " + options.batch);
            }
            ModelBenchmark.train(options.setup(devices), new ModelBenchmark.Loss(name, classes), spec.commandLine().getOut());
            return ExitCodes.OK;
        }
    }

    @Command(name = "infer", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
            description = "Inference images/s of a backbone (pooled features, as eval and infer) on synthetic input,"
                    + " and peak resident memory. Run one configuration per process for a clean peak.")
    static final class InferCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Mixin
        ModelOptions options;

        @Option(names = "--fold", arity = "1", defaultValue = "True", converter = PyBool.Converter.class,
                paramLabel = "BOOL", description = "dl4j engine: run the inference network eval and infer use (BatchNorms"
                + " folded into the convolutions); False runs the trained network as it is. Default: ${DEFAULT-VALUE}.")
        PyBool fold;

        @Option(names = "--engine", paramLabel = "NAME", defaultValue = "dl4j",
                description = "What runs the network: dl4j or onnxruntime (as infer --engine). Default: ${DEFAULT-VALUE}.")
        String engine;

        @Override
        public Integer call() {
            ModelBenchmark.infer(options.setup(1), EmbeddingModel.Engine.parse(engine), fold.value(),
                    spec.commandLine().getOut());
            return ExitCodes.OK;
        }
    }

    @Command(name = "knn", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
            description = "Exact neighbour search on random features (default: SOP test scale), against ND4J's"
                    + " sgemm speed, with peak resident memory.")
    static final class KnnCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Option(names = "--n", defaultValue = "60502", description = "Number of features. Default: ${DEFAULT-VALUE}.")
        int n;

        @Option(names = "--dim", defaultValue = "2048", description = "Feature width. Default: ${DEFAULT-VALUE}.")
        int dim;

        @Option(names = "--k", defaultValue = "1000", description = "Neighbours kept per query. Default: ${DEFAULT-VALUE}.")
        int k;

        @Option(names = "--block", defaultValue = "1024", description = "Query rows per gemm. Default: ${DEFAULT-VALUE}.")
        int block;

        @Override
        public Integer call() {
            atLeast("--n", n, 2);
            atLeast("--dim", dim, 1);
            atLeast("--k", k, 1);
            atLeast("--block", block, 1);
            KnnBenchmark.run(n, dim, Math.min(k, n - 1), block, spec.commandLine().getOut());
            return ExitCodes.OK;
        }
    }

    @Command(name = "embeddings", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
            description = "Write synthetic embeddings in infer's layout (features.npy, labels.txt, paths.txt) for scale"
                    + " benchmarks of eval and the Spark jobs (docs/SCALE.md).")
    static final class EmbeddingsCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Option(names = "--n", defaultValue = "100000", description = "Rows. Default: ${DEFAULT-VALUE}.")
        int n;

        @Option(names = "--dim", defaultValue = "512", description = "Width. Default: ${DEFAULT-VALUE}.")
        int dim;

        @Option(names = {"--per_class", "--per-class"}, defaultValue = "10",
                description = "Rows per class. Default: ${DEFAULT-VALUE}.")
        int perClass;

        @Option(names = "--noise", defaultValue = "1.5",
                description = "Noise around each class centre (its coordinates have unit variance). Default: ${DEFAULT-VALUE}.")
        double noise;

        @Option(names = "--seed", defaultValue = "0", description = "Seed. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--output", required = true, paramLabel = "DIR", description = "Folder to write.")
        Path output;

        @Override
        public Integer call() {
            atLeast("--n", n, 2);
            atLeast("--dim", dim, 1);
            atLeast("--per_class", perClass, 1);
            AtomicFiles.requireWritable(output, true, "--output");
            SyntheticEmbeddings.write(output, n, dim, perClass, noise, seed);
            spec.commandLine().getOut().printf(Locale.ROOT, "wrote %d x %d embeddings (%d per class) to %s%n", n, dim,
                    perClass, output);
            return ExitCodes.OK;
        }
    }
}
