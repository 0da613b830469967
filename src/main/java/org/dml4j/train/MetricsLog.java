package org.dml4j.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * {@code metrics.csv} in the run's folder: {@code iteration,lr,loss,<metrics>,test_recall,seconds},
 * one row per display step (test_recall empty) and per test. A resumed run appends.
 */
final class MetricsLog implements AutoCloseable {
    private final int metricCount;
    private final Path file;
    private final boolean append;
    private final String[] metricNames;
    /** Opened at the first row, so that a run stopped before its first step leaves no empty file. */
    private BufferedWriter out;

    MetricsLog(Path file, boolean append, String... metricNames) {
        this.metricCount = metricNames.length;
        this.file = file;
        this.append = append;
        this.metricNames = metricNames.clone();
    }

    private BufferedWriter open() throws IOException {
        if (out == null) {
            Files.createDirectories(file.getParent());
            boolean header = !append || !Files.exists(file) || Files.size(file) == 0;
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            if (header) {
                out.write("iteration,lr,loss," + String.join(",", metricNames) + ",test_recall,seconds\n");
            }
        }
        return out;
    }

    void train(long t, double lr, double loss, double[] metrics, double seconds) {
        StringBuilder sb = new StringBuilder().append(t).append(',').append(lr).append(',').append(loss);
        for (double m : metrics) {
            sb.append(',').append(m);
        }
        write(sb.append(",,").append(String.format(Locale.ROOT, "%.3f", seconds)).toString());
    }

    void test(long t, double lr, double recall, double seconds) {
        write(t + "," + lr + "," + ",".repeat(metricCount + 1) + recall + "," + String.format(Locale.ROOT, "%.3f", seconds));
    }

    /** Redraws training.png beside the CSV from everything written so far. */
    void chart() {
        try {
            if (out == null) {
                return;
            }
            out.flush();
            TrainingChart.render(file, file.resolveSibling("training.png"));
        } catch (IOException | RuntimeException e) {
            LoggerFactory.getLogger(MetricsLog.class).warn("cannot draw {}: {}", file.resolveSibling("training.png"), e.toString());
        }
    }

    private void write(String row) {
        try {
            BufferedWriter w = open();
            w.write(row);
            w.write('\n');
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            if (out != null) {
                out.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
