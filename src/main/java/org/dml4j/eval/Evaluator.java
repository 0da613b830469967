package org.dml4j.eval;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.dml4j.data.ImageList;
import org.dml4j.data.Split;
import org.dml4j.error.DataException;
import org.dml4j.error.UsageException;
import org.dml4j.inference.EmbeddingModel;
import org.dml4j.inference.Progress;
import org.dml4j.retrieval.RetrievalEvaluator;
import org.dml4j.retrieval.RetrievalMetrics;
import org.nd4j.linalg.api.ndarray.INDArray;

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
        EmbeddingModel.Features f;
        String source;
        if (featuresFile != null) {
            f = givenFeatures(featuresFile, labelsFile);
            source = featuresFile.toString();
        } else {
            test = ImageList.read(config.data().dataDir(), Split.TEST);
            out.println("val dataset size: " + test.classCount());
            test = config.data().usable(test, out);
            RetrievalEvaluator.requireQueries(test.size(), test.listFile() + " (after leaving out unreadable images)");
            f = ModelSource.embed(ModelSource.open(config, out), test, config, Progress.testBatchLines(out));
            source = test.listFile().toString();
        }
        if (Arrays.stream(f.labels()).distinct().count() == 1) {
            out.println("warning: all " + f.labels().length + " images have the same label, so every neighbour is a"
                    + " hit and the metrics say nothing about the embeddings");
        }
        RetrievalEvaluator.Result result = RetrievalEvaluator.allAgainstAll(f.features(), f.labels(), source);
        RetrievalMetrics m = result.metrics();
        out.printf(Locale.ROOT, "[%s] End test %d, test_recall %.5f%n", Progress.now(), m.queries(), m.recallAt1());
        MetricsOutput.table(m, out);
        if (outputJson != null) {
            MetricsOutput.json(m, outputJson);
            out.println("metrics written to " + outputJson);
        }
        if (reportDir != null) {
            try {
                out.println("report written to " + Report.write(reportDir, result, f.features(), test,
                        config.data().seed()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the report to " + reportDir + ": " + e.getMessage(), e);
            }
        }
        out.flush();
        return m;
    }

    private static EmbeddingModel.Features givenFeatures(Path featuresFile, Path labelsFile) {
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
        return new EmbeddingModel.Features(features, LabelFile.dense(labels));
    }
}
