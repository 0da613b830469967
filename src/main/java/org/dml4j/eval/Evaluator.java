package org.dml4j.eval;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.dml4j.data.AtomicFiles;
import org.dml4j.data.ImageList;
import org.dml4j.data.Split;
import org.dml4j.error.DataException;
import org.dml4j.error.UsageException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

/** The eval command's work (docs/ORIGINAL.md §7): features of the test split, or given ones, and their metrics. */
public final class Evaluator {
    private Evaluator() {
    }

    /**
     * @param featuresFile a .npy of precomputed features to evaluate instead of running a model, or null
     * @param labelsFile   their labels, one integer per line (required with featuresFile)
     * @param outputJson   where to write the metrics, or null
     * @param reportDir    where to write report.html, or null (needs the test split's images)
     */
    public static RetrievalMetrics run(EvalConfig config, Path featuresFile, Path labelsFile, Path outputJson,
                                       Path reportDir, PrintWriter out) {
        if (reportDir != null && featuresFile != null) {
            throw new UsageException("--report needs the test split's images; it does not go with --features");
        }
        ImageList test = null;
        FeatureExtractor.Features f;
        if (featuresFile != null) {
            f = givenFeatures(featuresFile, labelsFile);
        } else {
            test = ImageList.read(config.data().dataDir(), Split.TEST);
            out.println("val dataset size: " + test.classCount());
            test = config.data().usable(test, out);
            Retrieval.requireQueries(test.size(), test.listFile() + " (after leaving out unreadable images)");
            f = InferenceModel.open(config, out).embed(test, config, FeatureExtractor.testBatchLines(out));
        }
        if (Arrays.stream(f.labels()).distinct().count() == 1) {
            out.println("warning: all " + f.labels().length + " images have the same label, so every neighbour is a"
                    + " hit and the metrics say nothing about the embeddings");
        }
        INDArray x = Embeddings.normalizeRows(f.features());
        int[][] nn = NearestNeighbours.searchNormalized(x, RetrievalMetrics.neighboursNeeded(f.labels()),
                NearestNeighbours.DEFAULT_BLOCK);
        RetrievalMetrics m = RetrievalMetrics.fromNeighbours(nn, f.labels());
        out.printf(Locale.ROOT, "[%s] End test %d, test_recall %.5f%n", LocalDateTime.now().format(FeatureExtractor.STAMP),
                m.queries(), m.recallAt1());
        printTable(m, out);
        if (outputJson != null) {
            writeJson(m, outputJson);
            out.println("metrics written to " + outputJson);
        }
        if (reportDir != null) {
            try {
                out.println("report written to " + Report.write(reportDir, m, nn, x, f.labels(), test,
                        config.data().seed()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the report to " + reportDir + ": " + e.getMessage(), e);
            }
        }
        out.flush();
        return m;
    }

    private static FeatureExtractor.Features givenFeatures(Path featuresFile, Path labelsFile) {
        if (labelsFile == null) {
            throw new UsageException("--features needs --labels (one integer label per line)");
        }
        INDArray features = Npy.read(featuresFile);
        long[] labels = LabelFile.read(labelsFile);
        if (labels.length != features.size(0)) {
            throw new DataException(labelsFile + ": " + labels.length + " labels for " + features.size(0)
                    + " feature rows in " + featuresFile);
        }
        if (Arrays.stream(labels).allMatch(l -> l == -1)) {
            throw new DataException(labelsFile + ": every label is -1, which infer writes for images without a label"
                    + " (--images, --image_list); retrieval needs the images' real labels");
        }
        Embeddings.requireFinite(features, featuresFile.toString(), Embeddings.numberedRows());
        Retrieval.requireQueries(labels.length, featuresFile.toString());
        return new FeatureExtractor.Features(features, LabelFile.dense(labels));
    }

    static void printTable(RetrievalMetrics m, PrintWriter out) {
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
    static void writeJson(RetrievalMetrics m, Path file) {
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
