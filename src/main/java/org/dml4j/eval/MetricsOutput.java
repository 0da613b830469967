package org.dml4j.eval;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.dml4j.data.AtomicFiles;
import org.dml4j.retrieval.RetrievalMetrics;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

/** Retrieval metrics rendered for people (a console table) and for programs (JSON). */
public final class MetricsOutput {
    private MetricsOutput() {
    }

    /** The console table: Recall@K, MAP@R and R-precision ("n/a" when undefined), query counts. */
    public static void table(RetrievalMetrics m, PrintWriter out) {
        out.println("metric          value");
        m.recallAtK().forEach((k, v) -> out.printf(Locale.ROOT, "%-15s %.5f%n", "Recall@" + k, v));
        out.printf(Locale.ROOT, "%-15s %s%n", "MAP@R", atR(m.mapAtR()));
        out.printf(Locale.ROOT, "%-15s %s%n", "R-precision", atR(m.rPrecision()));
        out.printf(Locale.ROOT, "queries %d, lone-label queries (left out of MAP@R and R-precision) %d%n", m.queries(),
                m.loneQueries());
    }

    /** A metric at R, undefined (NaN) when no query has another image of its label. */
    private static String atR(double value) {
        return Double.isNaN(value) ? "n/a (no label occurs twice)" : String.format(Locale.ROOT, "%.5f", value);
    }

    /** Writes the metrics as JSON through a temporary file, so a crash leaves no half-written file. */
    public static void json(RetrievalMetrics m, Path file) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("queries", m.queries());
        m.recallAtK().forEach((k, v) -> json.put("recall@" + k, v));
        json.put("map@r", Double.isNaN(m.mapAtR()) ? null : m.mapAtR());   // undefined when no label occurs twice
        json.put("r_precision", Double.isNaN(m.rPrecision()) ? null : m.rPrecision());
        json.put("lone_queries", m.loneQueries());
        try {
            AtomicFiles.write(file, o -> o.write(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsBytes(json)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
