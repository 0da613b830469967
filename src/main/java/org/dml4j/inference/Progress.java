package org.dml4j.inference;

import java.io.PrintWriter;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The original's progress lines for an embedding loop, as a ready-made
 * {@link EmbeddingModel.BatchCallback} for a console (the model itself prints nothing).
 */
public final class Progress {
    /** Time stamps as the original prints them. */
    public static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private Progress() {
    }

    /** Now, as the original stamps its lines. */
    public static String now() {
        return LocalDateTime.now().format(STAMP);
    }

    /**
     * The original's {@code testbatch k, time t sec} line (that batch's seconds) every 20th batch,
     * and after the last one, with the share of batches done and the time left:
     * {@code [2024-05-01 10:00:00] testbatch 20, time 0.04 sec  [70%, eta 0:00:01]}. The time left
     * is counted from when this callback is made, just before the loop.
     */
    public static EmbeddingModel.BatchCallback testBatchLines(PrintWriter out) {
        long start = System.nanoTime();
        return (k, batches, batch, features, seconds) -> {
            if (k % 20 == 0 || k == batches - 1) {
                out.printf(Locale.ROOT, "[%s] testbatch %d, time %2.2f sec%s%n", now(), k, seconds,
                        bar(k + 1, batches, k + 1, (System.nanoTime() - start) / 1e9));
                out.flush();
            }
        };
    }

    /**
     * {@code "  [87%, eta 0:00:22]"}: {@code done} of {@code total} steps, and the time the rest
     * takes at the pace of the last {@code timed} steps, which took {@code seconds} (a resumed run
     * times only its own steps).
     */
    public static String bar(long done, long total, long timed, double seconds) {
        long eta = Math.round(seconds / timed * (total - done));
        return String.format(Locale.ROOT, "  [%d%%, eta %d:%02d:%02d]", 100 * done / total, eta / 3600, eta / 60 % 60,
                eta % 60);
    }
}
