package org.dml4j.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dml4j.data.ImageList;
import org.dml4j.data.ImageScan;
import org.dml4j.data.Sample;
import org.dml4j.data.Split;

/**
 * How fast the pre-scan ({@code --check_images}, {@link ImageScan}) goes through a data set:
 * images/s and MB/s per pass. The first pass over files that are not in the page cache measures
 * the disk; the later passes measure the scan itself.
 */
public final class ScanBenchmark {
    private ScanBenchmark() {
    }

    /**
     * The images of both SOP lists under {@code root}, as one list (for {@link #run}).
     */
    public static ImageList bothSplits(Path root) {
        List<Sample> all = new ArrayList<>(ImageList.read(root, Split.TRAIN).samples());
        all.addAll(ImageList.read(root, Split.TEST).samples());
        return new ImageList(root.resolve("(Ebay_train.txt + Ebay_test.txt)"), root, Split.TRAIN, all);
    }

    /**
     * @param list   the images to scan (a missing or bad file is counted as a problem, not an error)
     * @param passes passes over the list
     * @throws IOException when a file's size cannot be read
     */
    public static void run(ImageList list, int passes, PrintWriter out) throws IOException {
        out.printf(Locale.ROOT, "scan benchmark: %d images of %s%n", list.size(), list.listFile());
        out.printf(Locale.ROOT, "%-5s %10s %12s %12s %9s%n", "pass", "seconds", "images/s", "file MB/s", "problems");
        double[] seconds = new double[passes];
        int[] problems = new int[passes];
        for (int p = 0; p < passes; p++) {
            long start = System.nanoTime();
            ImageList kept = ImageScan.apply(list, true, new PrintWriter(new StringWriter()));
            seconds[p] = (System.nanoTime() - start) / 1e9;
            problems[p] = list.size() - kept.size();
        }
        long bytes = 0;        // after the passes, so that the first pass finds a cold cache cold
        for (int i = 0; i < list.size(); i++) {
            Path f = list.imagePath(i);
            bytes += Files.isRegularFile(f) ? Files.size(f) : 0;
        }
        for (int p = 0; p < passes; p++) {
            out.printf(Locale.ROOT, "%-5d %10.2f %12.0f %12.0f %9d%n", p + 1, seconds[p], list.size() / seconds[p],
                    bytes / 1e6 / seconds[p], problems[p]);
        }
        out.printf(Locale.ROOT, "mean file size %.1f KiB%n", bytes / 1024.0 / list.size());
        out.flush();
    }
}
