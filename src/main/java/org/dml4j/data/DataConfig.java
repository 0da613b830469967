package org.dml4j.data;

import java.nio.file.Path;

/**
 * Where the data is and how it is read.
 *
 * @param dataDir    root holding Ebay_train.txt, Ebay_test.txt and the images ({@code --data_dir})
 * @param seed       drives every random stream ({@code --seed}, default 0)
 * @param numWorkers image decoding threads ({@code --num_workers}, default: cores)
 */
public record DataConfig(Path dataDir, long seed, int numWorkers) {
    public DataConfig {
        if (numWorkers < 1) {
            throw new IllegalArgumentException("--num_workers must be >= 1, got " + numWorkers);
        }
    }
}
