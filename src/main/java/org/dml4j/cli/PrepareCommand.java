package org.dml4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dml4j.data.AtomicFiles;
import org.dml4j.data.FashionMnist;
import org.dml4j.data.VisibleText;
import org.dml4j.data.prepare.Cub;
import org.dml4j.data.prepare.Folders;
import org.dml4j.data.prepare.InShop;
import org.dml4j.data.prepare.Lfw;
import org.dml4j.data.prepare.Market1501;
import org.dml4j.data.prepare.PreparedFolder;
import org.dml4j.data.prepare.VerificationPairs;
import org.dml4j.error.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Data preparation; one subcommand per source data set, and verification pairs from a list. */
@Command(name = "prepare", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
        description = "Convert a data set into the SOP layout (list files), or draw verification pairs from a list.",
        subcommands = {PrepareCommand.FashionMnistCommand.class, PrepareCommand.FoldersCommand.class,
            PrepareCommand.CubCommand.class, PrepareCommand.InShopCommand.class, PrepareCommand.Market1501Command.class,
            PrepareCommand.LfwCommand.class, PrepareCommand.PairsCommand.class})
final class PrepareCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** Also before the subcommand: {@code dml4j prepare --verbose cub ...} ({@link Dml4j#verbose}). */
    @Mixin
    VerboseOption verbose;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "fashion-mnist", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
            description = "Convert Fashion-MNIST's IDX files (Debian package dataset-fashion-mnist) into"
                    + " Ebay_train.txt, Ebay_test.txt and per-class JPEG folders.")
    static final class FashionMnistCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Option(names = "--source", paramLabel = "DIR",
                description = "Folder with the four IDX files (.gz or plain). Default: ${DEFAULT-VALUE}.")
        Path source = FashionMnist.DEFAULT_SOURCE;

        @Option(names = "--output", required = true, paramLabel = "DIR",
                description = "Folder to write; must not already hold list files.")
        Path output;

        @Option(names = "--split", paramLabel = "MODE", defaultValue = "classes",
                description = "classes: open set, train on classes 0-4, test on 5-9 (the SOP protocol);"
                        + " images: all 10 classes, train file vs t10k file. Default: ${DEFAULT-VALUE}.")
        String split;

        @Option(names = {"--per_class", "--per-class"}, paramLabel = "N", defaultValue = "0",
                description = "Images per class in each list, first in file order; 0 = all. Default: ${DEFAULT-VALUE}.")
        int perClass;

        @Option(names = "--size", paramLabel = "S", defaultValue = "28",
                description = "Side of the written images (28 = native, else Lanczos-4 resized). Default: ${DEFAULT-VALUE}.")
        int size;

        @Override
        public Integer call() {
            FashionMnist.SplitMode mode = switch (split) {
                case "classes" -> FashionMnist.SplitMode.CLASSES;
                case "images" -> FashionMnist.SplitMode.IMAGES;
                default -> throw new UsageException("--split: expected classes or images, got " + VisibleText.quote(split));
            };
            AtomicFiles.requireWritable(output, true, "--output");
            int n = FashionMnist.convert(source, output, mode, perClass, size);
            spec.commandLine().getOut().printf(Locale.ROOT, "wrote %d images and Ebay_train.txt, Ebay_test.txt to %s%n", n, output);
            return ExitCodes.OK;
        }
    }

    /** --output and --overwrite of the converters that write a folder. */
    static final class OutputFolder {
        @Option(names = "--output", required = true, paramLabel = "DIR",
                description = "Folder to write (as a whole: it appears complete or not at all); an existing one must be"
                        + " empty unless --overwrite.")
        Path output;

        @Option(names = "--overwrite", arity = "0..1", fallbackValue = "True", defaultValue = "False",
                converter = PyBool.Converter.class, paramLabel = "BOOL",
                description = "Replace an existing non-empty --output folder and everything in it (only once the new"
                        + " one is complete). Default: ${DEFAULT-VALUE}.")
        PyBool overwrite;

        /** Refuses an output in the way, and one that would replace or sit inside a source. */
        void check(Path source, String flag, boolean walked) {
            PreparedFolder.requireOutput(output, overwrite.value());
            if (source != null) {
                PreparedFolder.requireApart(output, source, flag, walked);
            }
        }

        /** Writes the folder; prints its warnings and the summary line. */
        Integer write(PreparedFolder folder, CommandSpec spec) {
            PrintWriter out = spec.commandLine().getOut();
            folder.warnings().forEach(w -> out.println("warning: " + w));
            out.println(folder.writeTo(output, overwrite.value()));
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "folders", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
            description = {"Convert a folder-per-class data set (class = first-level sub-folder, its images anywhere"
                    + " beneath it) into Ebay_train.txt and Ebay_test.txt, linking the image folders (nothing is"
                    + " copied).",
                "One root: the classes sorted by name, the first round(n*(1-test_ratio)) train and the rest test (open"
                    + " set, SOP's protocol). With --test_root: the root's classes train, the test root's test, class"
                    + " ids over both. Class folders without images are left out with a warning."})
    static final class FoldersCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Mixin
        OutputFolder output;

        @Option(names = "--root", required = true, paramLabel = "DIR",
                description = "Folder of class folders (all classes, or the training ones with --test_root).")
        Path root;

        @Option(names = {"--test_root", "--test-root"}, paramLabel = "DIR",
                description = "Folder of the test classes' folders. Default: none (split the root's classes).")
        Path testRoot;

        @Option(names = {"--test_ratio", "--test-ratio"}, paramLabel = "R",
                description = "Share of the root's classes that go to the test list, in (0, 1); not with --test_root."
                        + " Default: 0.5.")
        Double testRatio;

        @Override
        public Integer call() {
            if (testRoot != null && testRatio != null) {
                throw new UsageException("--test_ratio splits the classes of one root; with --test_root the test classes"
                        + " are the test root's, so leave --test_ratio out");
            }
            output.check(root, "--root", true);
            if (testRoot != null) {
                PreparedFolder.requireApart(output.output, testRoot, "--test_root", true);
            }
            return output.write(Folders.convert(root, testRoot, testRatio == null ? 0.5 : testRatio), spec);
        }
    }

    @Command(name = "cub", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
            description = "Convert CUB-200-2011 (images.txt, image_class_labels.txt, images/) into the zero-shot split"
                    + " of metric learning papers: classes 1-100 in Ebay_train.txt, 101-200 in Ebay_test.txt;"
                    + " images/ is linked, not copied.")
    static final class CubCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Mixin
        OutputFolder output;

        @Option(names = "--source", required = true, paramLabel = "DIR", description = "The CUB_200_2011 folder.")
        Path source;

        @Override
        public Integer call() {
            output.check(source, "--source", false);
            return output.write(Cub.convert(source), spec);
        }
    }

    @Command(name = "inshop", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
            description = "Convert DeepFashion In-shop Clothes Retrieval (Eval/list_eval_partition.txt, img/) into"
                    + " Ebay_train.txt (train), query.txt and gallery.txt, class id = item number; img/ is linked,"
                    + " not copied.")
    static final class InShopCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Mixin
        OutputFolder output;

        @Option(names = "--source", required = true, paramLabel = "DIR",
                description = "The In-shop folder, holding img/ and Eval/list_eval_partition.txt (or"
                        + " list_eval_partition.txt).")
        Path source;

        @Override
        public Integer call() {
            output.check(source, "--source", false);
            return output.write(InShop.convert(source), spec);
        }
    }

    @Command(name = "market1501", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
            description = {"Convert Market-1501 into Ebay_train.txt (bounding_box_train, identity = class id; junk -1"
                    + " and distractor 0000 images left out), query.txt and gallery.txt (bounding_box_test: -1 ="
                    + " class -1, junk; 0000 = class 0, distractor) with query_cameras.txt and gallery_cameras.txt;"
                    + " the three folders are linked, not copied."})
    static final class Market1501Command implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Mixin
        OutputFolder output;

        @Option(names = "--source", required = true, paramLabel = "DIR",
                description = "The Market-1501-v15.09.15 folder (bounding_box_train, query, bounding_box_test).")
        Path source;

        @Override
        public Integer call() {
            output.check(source, "--source", false);
            return output.write(Market1501.convert(source), spec);
        }
    }

    @Command(name = "lfw", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
            description = "Convert LFW (a folder per person) and its pairs file into Ebay_test.txt (every image, class"
                    + " = person) and pairs.txt (rows of Ebay_test.txt, LFW's folds in LFW's order); the source is"
                    + " linked as lfw/, not copied.")
    static final class LfwCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Mixin
        OutputFolder output;

        @Option(names = "--source", required = true, paramLabel = "DIR",
                description = "The folder of person folders (lfw, lfw-deepfunneled, ...).")
        Path source;

        @Option(names = "--pairs", required = true, paramLabel = "FILE",
                description = "LFW's pairs.txt (10 folds of 300 + 300), or pairsDevTrain.txt / pairsDevTest.txt.")
        Path pairs;

        @Override
        public Integer call() {
            output.check(source, "--source", true);
            return output.write(Lfw.convert(source, pairs), spec);
        }
    }

    @Command(name = "pairs", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
            description = {"Draw LFW-style verification pairs from a labelled list (e.g. an Ebay_test.txt): per fold"
                    + " --pairs_per_fold same-class pairs then as many different-class pairs, no pair twice, rows"
                    + " indexing the list's image lines.",
                "Folds are drawn from disjoint classes when the list has at least --folds classes with two or more"
                    + " images (and they suffice); otherwise the file's comment says the folds share classes."})
    static final class PairsCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Option(names = "--list", required = true, paramLabel = "FILE",
                description = "The list (image_id class_id super_class_id path lines, class ids from 1).")
        Path list;

        @Option(names = "--output", required = true, paramLabel = "FILE", description = "The pairs file to write.")
        Path output;

        @Option(names = "--overwrite", arity = "0..1", fallbackValue = "True", defaultValue = "False",
                converter = PyBool.Converter.class, paramLabel = "BOOL",
                description = "Replace an existing --output file. Default: ${DEFAULT-VALUE}.")
        PyBool overwrite;

        @Option(names = {"--pairs_per_fold", "--pairs-per-fold"}, paramLabel = "N", defaultValue = "300",
                description = "Same-class pairs per fold, and as many different-class pairs. Default: ${DEFAULT-VALUE}.")
        int pairsPerFold;

        @Option(names = "--folds", paramLabel = "N", defaultValue = "10", description = "Folds. Default: ${DEFAULT-VALUE}.")
        int folds;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Override
        public Integer call() {
            VerificationPairs.requireOutput(output, overwrite.value(), list);
            VerificationPairs.Result pairs = VerificationPairs.draw(list, folds, pairsPerFold, seed);
            PrintWriter out = spec.commandLine().getOut();
            out.println(VerificationPairs.write(pairs, output, overwrite.value(), list));
            out.flush();
            return ExitCodes.OK;
        }
    }
}
