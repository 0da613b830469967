package org.dml4j.eval;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.dml4j.data.AtomicFiles;
import org.dml4j.retrieval.GalleryMetrics;
import org.dml4j.retrieval.RetrievalMetrics;
import org.dml4j.retrieval.Verification;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

/** Retrieval and verification metrics rendered for people (a console table) and for programs (JSON). */
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

    /** The query/gallery table: CMC rank-K, mAP ("n/a" without a valid query), query counts. */
    public static void table(GalleryMetrics m, PrintWriter out) {
        out.println("metric          value");
        m.cmc().forEach((k, v) -> out.printf(Locale.ROOT, "%-15s %s%n", "rank-" + k, value(v)));
        out.printf(Locale.ROOT, "%-15s %s%n", "mAP", value(m.meanAveragePrecision()));
        out.printf(Locale.ROOT, "queries %d, valid queries (with a relevant gallery entry) %d%n", m.queries(),
                m.validQueries());
    }

    /** The verification table: accuracy over folds, AUC, EER, TAR@FAR. */
    public static void table(Verification.Metrics m, PrintWriter out) {
        out.println("metric          value");
        if (m.foldAccuracy().length == 0) {
            out.printf(Locale.ROOT, "%-15s n/a (one fold: no other folds to choose its threshold on)%n", "accuracy");
        } else {
            out.printf(Locale.ROOT, "%-15s %.5f +- %.5f (%d folds)%n", "accuracy", m.accuracy(), m.accuracyStd(),
                    m.foldAccuracy().length);
        }
        out.printf(Locale.ROOT, "%-15s %.5f%n", "AUC", m.auc());
        out.printf(Locale.ROOT, "%-15s %.5f%n", "EER", m.eer());
        m.tarAtFar().forEach((far, tar) -> out.printf(Locale.ROOT, "%-15s %.5f%n", "TAR@FAR=" + far, tar));
    }

    private static String value(double v) {
        return Double.isNaN(v) ? "n/a (no valid query)" : String.format(Locale.ROOT, "%.5f", v);
    }

    /** Writes the metrics as JSON through a temporary file, so a crash leaves no half-written file. */
    public static void json(RetrievalMetrics m, Path file) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("queries", m.queries());
        m.recallAtK().forEach((k, v) -> json.put("recall@" + k, v));
        json.put("map@r", Double.isNaN(m.mapAtR()) ? null : m.mapAtR());   // undefined when no label occurs twice
        json.put("r_precision", Double.isNaN(m.rPrecision()) ? null : m.rPrecision());
        json.put("lone_queries", m.loneQueries());
        write(json, file);
    }

    /** The query/gallery metrics as JSON: rank-K, mAP (null when no query is valid), query counts. */
    public static void json(GalleryMetrics m, Path file) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("queries", m.queries());
        json.put("valid_queries", m.validQueries());
        m.cmc().forEach((k, v) -> json.put("rank-" + k, Double.isNaN(v) ? null : v));
        json.put("mAP", Double.isNaN(m.meanAveragePrecision()) ? null : m.meanAveragePrecision());
        write(json, file);
    }

    /** The verification metrics as JSON, with each fold's accuracy and threshold. */
    public static void json(Verification.Metrics m, Path file) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("pairs", m.pairs());
        json.put("same_pairs", m.positives());
        json.put("different_pairs", m.negatives());
        boolean scored = m.foldAccuracy().length > 0;
        json.put("verification_accuracy", scored ? m.accuracy() : null);
        json.put("verification_accuracy_std", scored ? m.accuracyStd() : null);
        json.put("auc", m.auc());
        json.put("eer", m.eer());
        m.tarAtFar().forEach((far, tar) -> json.put("tar@far=" + far, tar));
        json.put("fold_accuracy", m.foldAccuracy());
        json.put("fold_threshold", Arrays.stream(m.foldThreshold()).mapToObj(t -> Double.isFinite(t) ? t
                : (Object) (t > 0 ? "Infinity" : "-Infinity")).toList());
        write(json, file);
    }

    private static void write(Map<String, Object> json, Path file) {
        try {
            AtomicFiles.write(file, o -> o.write(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsBytes(json)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
