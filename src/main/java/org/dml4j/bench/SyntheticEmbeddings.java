package org.dml4j.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.dml4j.data.AtomicFiles;
import org.dml4j.eval.Npy;

/**
 * Synthetic embeddings for scale benchmarks (docs/SCALE.md), in infer's output layout:
 * {@code features.npy} [N, D] float32, {@code labels.txt}, {@code paths.txt} (zero-padded row
 * numbers, so that ordering by path is row order). Classes of {@code perClass} rows around a
 * Gaussian centre (unit variance per coordinate) with noise of standard deviation {@code noise},
 * so that retrieval is neither trivial nor hopeless; seeded.
 */
public final class SyntheticEmbeddings {
    private SyntheticEmbeddings() {
    }

    /**
     * @throws UncheckedIOException when the folder cannot be written
     */
    public static void write(Path dir, int n, int dim, int perClass, double noise, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<String> labels = new ArrayList<>(n);
        List<String> paths = new ArrayList<>(n);
        try {
            Files.createDirectories(dir);
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve("features.npy")), 1 << 20)) {
                out.write(Npy.header(n, dim));
                float[] centre = new float[dim];
                byte[] row = new byte[dim * 4];
                for (int i = 0; i < n; i++) {
                    if (i % perClass == 0) {
                        for (int c = 0; c < dim; c++) {
                            centre[c] = (float) rng.nextGaussian();
                        }
                    }
                    for (int c = 0; c < dim; c++) {
                        int bits = Float.floatToIntBits(centre[c] + (float) (noise * rng.nextGaussian()));
                        row[4 * c] = (byte) bits;
                        row[4 * c + 1] = (byte) (bits >>> 8);
                        row[4 * c + 2] = (byte) (bits >>> 16);
                        row[4 * c + 3] = (byte) (bits >>> 24);
                    }
                    out.write(row);
                    labels.add(Integer.toString(i / perClass));
                    paths.add(String.format(Locale.ROOT, "%010d", i));
                }
            }
            AtomicFiles.writeLines(dir.resolve("labels.txt"), labels);
            AtomicFiles.writeLines(dir.resolve("paths.txt"), paths);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir + ": " + e.getMessage(), e);
        }
    }
}
