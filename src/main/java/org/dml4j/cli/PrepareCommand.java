package org.dml4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dml4j.data.AtomicFiles;
import org.dml4j.data.FashionMnist;
import org.dml4j.data.VisibleText;
import org.dml4j.error.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Data preparation; one subcommand per source data set. */
@Command(name = "prepare", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
        description = "Convert a data set into the SOP layout.", subcommands = PrepareCommand.FashionMnistCommand.class)
final class PrepareCommand implements Runnable {
    @Spec
    CommandSpec spec;

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
}
