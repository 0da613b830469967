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

    /** The original's {@code testbatch k, time t sec} line every 20th batch, with a percentage. */
    public static EmbeddingModel.BatchCallback testBatchLines(PrintWriter out) {
        return (k, batches, batch, features, seconds) -> {
            if (k % 20 == 0) {
                out.printf(Locale.ROOT, "[%s] testbatch %d, time %2.2f sec  [%d%%]%n", now(), k, seconds,
                        100 * (k + 1) / batches);
                out.flush();
            }
        };
    }
}
