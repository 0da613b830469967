package org.dml4j.train;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * SameDiff 1.0.0-M2.1 prints one "Added differentiated op …" line per op to System.out when it
 * first builds a gradient function (once per custom loss layer and process). This runs a step
 * with those lines dropped and everything else passed through.
 */
public final class SameDiffQuiet {
    private static final String NOISE = "Added differentiated op";

    private SameDiffQuiet() {
    }

    /** Runs {@code step} with SameDiff's per-op lines dropped from System.out (other output passes through). */
    public static synchronized void run(Runnable step) {
        PrintStream original = System.out;
        System.setOut(new PrintStream(new LineFilter(original), true, StandardCharsets.UTF_8));
        try {
            step.run();
        } finally {
            System.out.flush();
            System.setOut(original);
        }
    }

    /** Passes whole lines through unless they start with the noise prefix. */
    private static final class LineFilter extends OutputStream {
        private final PrintStream target;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineFilter(PrintStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) {
            line.write(b);
            if (b == '\n') {
                flush();
            }
        }

        @Override
        public void flush() {
            if (line.size() > 0 && !line.toString(StandardCharsets.UTF_8).startsWith(NOISE)) {
                target.write(line.toByteArray(), 0, line.size());
            }
            line.reset();
        }
    }
}
