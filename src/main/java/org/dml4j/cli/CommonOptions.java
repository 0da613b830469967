package org.dml4j.cli;

import java.nio.file.Path;
import org.dml4j.data.DataConfig;
import picocli.CommandLine.Option;

/** Flags every pipeline command has beyond the original's. */
final class CommonOptions {
    @Option(names = {"--data_dir", "--data-dir"}, paramLabel = "DIR",
            description = "Data root holding Ebay_train.txt, Ebay_test.txt and the images. Default: ${DEFAULT-VALUE}.")
    Path dataDir;

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of every random stream (sampling, augmentation, initialisation). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = {"--num_workers", "--num-workers"}, paramLabel = "N",
            description = "Image decoding threads. Default: the number of cores (${DEFAULT-VALUE} here).")
    int numWorkers;

    @Option(names = {"--check_images", "--check-images"}, arity = "1", converter = PyBool.Converter.class,
            paramLabel = "BOOL", description = "Scan every listed image before starting (missing, empty, truncated or"
            + " not an image); a bad one stops the run with the list. Default: ${DEFAULT-VALUE}.")
    PyBool checkImages;

    @Option(names = {"--skip_bad_images", "--skip-bad-images"}, arity = "1", converter = PyBool.Converter.class,
            paramLabel = "BOOL", description = "Leave images the scan finds unreadable out (and say how many) instead"
            + " of stopping. Default: ${DEFAULT-VALUE}.")
    PyBool skipBadImages;

    @Option(names = "--verbose", arity = "0..1", fallbackValue = "True", converter = PyBool.Converter.class,
            paramLabel = "BOOL", description = "Print stack traces with errors. Default: ${DEFAULT-VALUE}.")
    PyBool verbose;

    DataConfig toConfig() {
        return new DataConfig(dataDir, seed, numWorkers, checkImages.value(), skipBadImages.value());
    }
}
