package org.dml4j.data;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.randn;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * How fast the loader turns JPEG files into augmented batches: decoded + preprocessed images per
 * second for each thread count, train and test preprocessing, after a warm-up batch.
 */
public final class DataBenchmark {
    private DataBenchmark() {
    }

    /**
     * @param images     folder of JPEG/PNG files to read, or null to generate {@code count}
     *                   synthetic 500×500 JPEGs in a temporary folder
     * @param count      images per measured pass
     * @param cropSize   network input side
     * @param threads    thread counts to measure
     * @param batchSize  images per batch
     */
    public static void run(Path images, int count, int cropSize, int[] threads, int batchSize, PrintWriter out)
            throws IOException {
        Path dir = images != null ? images : generate(count);
        List<Sample> samples = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> p.toString().matches("(?i).*\\.(jpe?g|png)$")).sorted()
                    .forEach(p -> samples.add(new Sample(dir.relativize(p).toString(), 0, samples.size() + 1)));
        }
        if (samples.isEmpty()) {
            throw new DataException(dir + ": no .jpg or .png files to benchmark");
        }
        ImageList list = new ImageList(dir.resolve("(benchmark)"), dir, Split.TEST, samples);
        out.printf("data benchmark: %d images in %s, crop %d, batch %d%n", list.size(), dir, cropSize, batchSize);
        out.printf("%-6s %-8s %12s %16s%n", "mode", "threads", "images/s", "images/s/thread");
        long batches = Math.max(2, (count + batchSize - 1) / batchSize);
        for (boolean train : new boolean[] {true, false}) {
            for (int t : threads) {
                double rate = measure(list, new ImageTransform(cropSize, train), batchSize, batches, t);
                out.printf("%-6s %-8d %12.1f %16.1f%n", train ? "train" : "test", t, rate, rate / t);
                out.flush();
            }
        }
    }

    private static double measure(ImageList list, ImageTransform transform, int batchSize, long batches, int threads) {
        BatchSampler sampler = new ElementSampler(list.size(), batchSize, 0);
        try (BatchLoader loader = new BatchLoader(list, transform, sampler::batch, 0, batches + 1, threads, 0)) {
            loader.next();
            long start = System.nanoTime();
            long n = 0;
            while (loader.hasNext()) {
                n += loader.next().size();
            }
            return n / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** Writes {@code count} 500×500 JPEGs of blurred colour noise (decode cost like a photo). */
    private static Path generate(int count) throws IOException {
        Path dir = Files.createTempDirectory("dml4j-bench-");
        dir.toFile().deleteOnExit();
        try (Mat img = new Mat(500, 500, CV_8UC3); Mat blurred = new Mat(); Size k = new Size(9, 9);
             Scalar mean = new Scalar(128, 128, 128, 0); Scalar std = new Scalar(60, 60, 60, 0)) {
            for (int i = 0; i < count; i++) {
                randn(img, new Mat(mean), new Mat(std));
                GaussianBlur(img, blurred, k, 0);
                Path f = dir.resolve(String.format("img_%05d.jpg", i));
                if (!imwrite(f.toString(), blurred)) {
                    throw new IOException(f + ": JPEG write failed");
                }
                f.toFile().deleteOnExit();
            }
        }
        return dir;
    }
}
