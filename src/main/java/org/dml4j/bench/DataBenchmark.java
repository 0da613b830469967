package org.dml4j.bench;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.dml4j.data.BatchLoader;
import org.dml4j.data.BatchSampler;
import org.dml4j.data.ElementSampler;
import org.dml4j.data.ImageList;
import org.dml4j.data.ImageTransform;
import org.dml4j.data.Sample;
import org.dml4j.data.Split;
import org.dml4j.error.DataException;

/**
 * How fast the loader turns JPEG files into augmented batches: decoded + preprocessed images per
 * second for each thread count, train and test preprocessing. One warm-up pass, then the better of
 * two passes per row (the machine is shared; the better pass is the less disturbed one).
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
        long bytes = 0;
        for (int i = 0; i < list.size(); i++) {
            bytes += Files.size(list.imagePath(i));
        }
        out.printf(Locale.ROOT, "data benchmark: %d images in %s (mean %.1f KiB), crop %d, batch %d%n", list.size(), dir,
                bytes / 1024.0 / list.size(), cropSize, batchSize);
        out.printf(Locale.ROOT, "%-6s %-8s %12s %16s%n", "mode", "threads", "images/s", "images/s/thread");
        long batches = Math.max(2, (count + batchSize - 1) / batchSize);
        measure(list, new ImageTransform(cropSize, true), batchSize, batches, threads[threads.length - 1]); // warm-up
        for (boolean train : new boolean[] {true, false}) {
            for (int t : threads) {
                double rate = Math.max(measure(list, new ImageTransform(cropSize, train), batchSize, batches, t),
                        measure(list, new ImageTransform(cropSize, train), batchSize, batches, t));
                out.printf(Locale.ROOT, "%-6s %-8d %12.1f %16.1f%n", train ? "train" : "test", t, rate, rate / t);
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

    /**
     * Writes {@code count} 500×500 JPEGs of blurred colour noise under random rectangles: about
     * 35 KiB each, the size of an SOP photo, so decoding costs about what it costs there.
     */
    private static Path generate(int count) throws IOException {
        Path dir = Files.createTempDirectory("dml4j-bench-");
        dir.toFile().deleteOnExit();
        SplittableRandom rng = new SplittableRandom(0);
        byte[] noise = new byte[500 * 500 * 3];
        try (Mat img = new Mat(500, 500, CV_8UC3); Mat blurred = new Mat(); Size k = new Size(31, 31)) {
            for (int i = 0; i < count; i++) {
                rng.nextBytes(noise);
                img.data().put(noise);
                GaussianBlur(img, blurred, k, 0);
                for (int r = 0; r < 12; r++) {
                    try (Point a = new Point(rng.nextInt(500), rng.nextInt(500));
                         Point b = new Point(rng.nextInt(500), rng.nextInt(500));
                         Scalar colour = new Scalar(rng.nextInt(256), rng.nextInt(256), rng.nextInt(256), 0)) {
                        rectangle(blurred, a, b, colour, rng.nextBoolean() ? -1 : 3, LINE_AA, 0);
                    }
                }
                Path f = dir.resolve(String.format(Locale.ROOT, "img_%05d.jpg", i));
                if (!imwrite(f.toString(), blurred)) {
                    throw new IOException(f + ": JPEG write failed");
                }
                f.toFile().deleteOnExit();
            }
        }
        return dir;
    }
}
