package org.dml4j.data;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.dml4j.error.UsageException;

/**
 * Where the data is and how it is read.
 *
 * @param dataDir    root holding Ebay_train.txt, Ebay_test.txt and the images ({@code --data_dir})
 * @param seed       drives every random stream ({@code --seed}, default 0)
 * @param numWorkers    image decoding threads ({@code --num_workers}, default: cores)
 * @param checkImages   pre-scan every listed image before starting ({@code --check_images}, default true)
 * @param skipBadImages leave unreadable images out instead of stopping ({@code --skip_bad_images}, default false)
 */
public record DataConfig(Path dataDir, long seed, int numWorkers, boolean checkImages, boolean skipBadImages) {

    /** Defaults for the checks: scan, and stop on a bad image. */
    public DataConfig(Path dataDir, long seed, int numWorkers) {
        this(dataDir, seed, numWorkers, true, false);
    }

    /**
     * The images of {@code list} that this configuration lets through: all of them after a
     * successful scan, the readable ones with skipBadImages, or (without the scan) all of them once
     * every file is known to exist.
     */
    public ImageList usable(ImageList list, PrintWriter out) {
        if (checkImages) {
            return ImageScan.apply(list, skipBadImages, out);
        }
        list.requireImagesExist();
        return list;
    }

    public DataConfig {
        if (numWorkers < 1) {
            throw new UsageException("--num_workers must be >= 1, got " + numWorkers);
        }
    }
}
