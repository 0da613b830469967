package org.dml4j.eval;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.dml4j.data.ImageList;
import org.dml4j.data.PairsFile;
import org.dml4j.data.Sample;
import org.dml4j.data.Split;
import org.dml4j.error.DataException;
import org.dml4j.inference.EmbeddingModel;
import org.dml4j.inference.Progress;
import org.dml4j.retrieval.Embeddings;
import org.dml4j.retrieval.GalleryMetrics;
import org.dml4j.retrieval.RetrievalEvaluator;
import org.dml4j.retrieval.RetrievalMetrics;
import org.dml4j.retrieval.Verification;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The eval command's work: embeddings of images (by the model) or given features, evaluated with
 * one of three protocols (docs/PROTOCOLS.md): SOP's all-against-all retrieval (docs/ORIGINAL.md
 * §7), queries against a gallery (In-Shop Clothes, person re-identification), or labelled pairs
 * (face verification).
 */
public final class Evaluator {
    private Evaluator() {
    }

    /**
     * @throws DataException     for unreadable or inconsistent inputs, naming the file and row
     * @throws org.dml4j.error.UsageException for flags that do not go together
     */
    public static void run(EvalConfig config, EvalInputs in, PrintWriter out) {
        switch (in.protocol()) {
            case ALL_AGAINST_ALL -> allAgainstAll(config, in, out);
            case QUERY_GALLERY -> queryGallery(config, in, out);
            case VERIFICATION -> verification(config, in, out);
        }
        out.flush();
    }

    private static void allAgainstAll(EvalConfig config, EvalInputs in, PrintWriter out) {
        ImageList test = null;
        EmbeddingModel.Features f;
        String source;
        if (in.features() != null) {
            Labelled given = given(in.features(), in.labels(), "--features", "--labels");
            f = new EmbeddingModel.Features(given.features, LabelFile.dense(given.labels));
            source = in.features().toString();
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
        if (in.outputJson() != null) {
            MetricsOutput.json(m, in.outputJson());
            out.println("metrics written to " + in.outputJson());
        }
        if (in.report() != null) {
            try {
                out.println("report written to " + Report.write(in.report(), result, f.features(), test,
                        config.data().seed()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the report to " + in.report() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Embeddings with their raw labels (−1 kept) and camera ids (or null). */
    private record Labelled(INDArray features, long[] labels, long[] cameras, String source) {
    }

    private static void queryGallery(EvalConfig config, EvalInputs in, PrintWriter out) {
        Path dataDir = config.data().dataDir();
        Path queryCameras = EvalInputs.inDataDir(in.cameras(), dataDir);
        Path galleryCameras = EvalInputs.inDataDir(in.galleryCameras(), dataDir);
        Labelled q;
        Labelled g;
        if (in.galleryFeatures() != null) {
            q = withCameras(given(in.features(), in.labels(), "--features", "--labels"), queryCameras);
            g = withCameras(given(in.galleryFeatures(), in.galleryLabels(), "--gallery_features", "--gallery_labels"),
                    galleryCameras);
            if (q.features.size(1) != g.features.size(1)) {
                throw new DataException("--features " + in.features() + " are " + q.features.size(1) + " wide but"
                        + " --gallery_features " + in.galleryFeatures() + " " + g.features.size(1)
                        + ": embeddings of different models?");
            }
        } else {
            ImageList queries = ImageList.readQueryOrGallery(dataDir, EvalInputs.inDataDir(in.queryList(), dataDir));
            ImageList gallery = ImageList.readQueryOrGallery(dataDir, EvalInputs.inDataDir(in.galleryList(), dataDir));
            for (int i = 0; i < queries.size(); i++) {
                if (queries.label(i) == RetrievalEvaluator.JUNK) {
                    throw new DataException(queries.describe(i) + ": a query has the class id -1 (junk); only gallery"
                            + " entries can be junk");
                }
            }
            long[] qc = cameras(queryCameras, queries);
            long[] gc = cameras(galleryCameras, gallery);
            out.printf(Locale.ROOT, "query set: %d images of %d identities; gallery: %d images%n", queries.size(),
                    queries.classCount(), gallery.size());
            EmbeddingModel model = ModelSource.open(config, out);
            q = embedded(model, queries, qc, config, out);
            g = embedded(model, gallery, gc, config, out);
        }
        requireNoJunkQuery(q);
        int[][] dense = LabelFile.denseTogether(q.labels, g.labels);
        int[][] cams = q.cameras == null ? null : LabelFile.denseTogether(q.cameras, g.cameras);
        GalleryMetrics m = RetrievalEvaluator.queryAgainstGallery(q.features, dense[0], cams == null ? null : cams[0],
                g.features, dense[1], cams == null ? null : cams[1]);
        out.printf(Locale.ROOT, "[%s] End test %d queries against %d gallery images, rank-1 %.5f%n", Progress.now(),
                m.queries(), g.labels.length, m.rank1());
        MetricsOutput.table(m, out);
        if (in.outputJson() != null) {
            MetricsOutput.json(m, in.outputJson());
            out.println("metrics written to " + in.outputJson());
        }
    }

    private static void verification(EvalConfig config, EvalInputs in, PrintWriter out) {
        Path pairsFile = EvalInputs.inDataDir(in.pairs(), config.data().dataDir());
        INDArray features;
        String source;
        PairsFile.Pairs pairs;
        if (in.features() != null) {
            features = Npy.read(in.features());
            source = in.features().toString();
            pairs = PairsFile.read(pairsFile, (int) features.size(0));
            Embeddings.requireFinite(features, source, Embeddings.numberedRows());
        } else {
            ImageList test = ImageList.read(config.data().dataDir(), Split.TEST);
            pairs = PairsFile.read(pairsFile, test.size());          // before the model runs: fail fast
            ImageList usable = config.data().usable(test, out);
            if (usable.size() != test.size()) {
                throw new DataException(test.listFile() + ": " + (test.size() - usable.size()) + " images were left out"
                        + " as unreadable, but --pairs index the list's rows: repair or remove them and remake the pairs");
            }
            features = ModelSource.embed(ModelSource.open(config, out), test, config,
                    Progress.testBatchLines(out)).features();
            source = test.listFile().toString();
        }
        int n = pairs.pairs().size();
        int[] first = new int[n];
        int[] second = new int[n];
        boolean[] same = new boolean[n];
        for (int p = 0; p < n; p++) {
            first[p] = pairs.pairs().get(p).i();
            second[p] = pairs.pairs().get(p).j();
            same[p] = pairs.pairs().get(p).same();
        }
        double[] scores = Verification.scores(features, first, second);
        Verification.Metrics m;
        try {
            m = Verification.evaluate(scores, same, pairs.folds());
        } catch (DataException e) {
            throw new DataException(pairsFile + ": " + e.getMessage(), e);
        }
        out.printf(Locale.ROOT, "[%s] End test %d pairs (%d same, %d different) of %s%n", Progress.now(), m.pairs(),
                m.positives(), m.negatives(), source);
        MetricsOutput.table(m, out);
        if (in.outputJson() != null) {
            MetricsOutput.json(m, in.outputJson());
            out.println("metrics written to " + in.outputJson());
        }
        if (in.report() != null) {
            try {
                out.println("ROC curve written to " + Report.writeRoc(in.report(), m));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the ROC curve to " + in.report() + ": " + e.getMessage(), e);
            }
        }
    }

    private static Labelled given(Path featuresFile, Path labelsFile, String featuresFlag, String labelsFlag) {
        INDArray features = Npy.read(featuresFile);
        long[] labels = LabelFile.read(labelsFile);
        if (labels.length != features.size(0)) {
            throw new DataException(labelsFile + ": " + labels.length + " labels for " + features.size(0)
                    + " feature rows in " + featuresFile + " (" + labelsFlag + " must match " + featuresFlag + ")");
        }
        if (!labelsFlag.equals("--gallery_labels") && Arrays.stream(labels).allMatch(l -> l == -1)) {
            throw new DataException(labelsFile + ": every label is -1, which infer writes for images without a label"
                    + " (--images, --image_list); retrieval needs the images' real labels");
        }
        Embeddings.requireFinite(features, featuresFile.toString(), Embeddings.numberedRows());
        return new Labelled(features, labels, null, featuresFile + " / " + labelsFile);
    }

    private static Labelled withCameras(Labelled l, Path camerasFile) {
        if (camerasFile == null) {
            return l;
        }
        long[] cameras = LabelFile.read(camerasFile, "camera id");
        if (cameras.length != l.labels.length) {
            throw new DataException(camerasFile + ": " + cameras.length + " camera ids for " + l.labels.length
                    + " rows of " + l.source);
        }
        return new Labelled(l.features, l.labels, cameras, l.source);
    }

    /** The camera of each image line of {@code list}, or null without a file. */
    private static long[] cameras(Path camerasFile, ImageList list) {
        if (camerasFile == null) {
            return null;
        }
        long[] cameras = LabelFile.read(camerasFile, "camera id");
        if (cameras.length != list.size()) {
            throw new DataException(camerasFile + ": " + cameras.length + " camera ids for the " + list.size()
                    + " images of " + list.listFile() + " (one per image line, in the same order)");
        }
        return cameras;
    }

    /** The embeddings of the usable images of {@code list}, with their labels and cameras. */
    private static Labelled embedded(EmbeddingModel model, ImageList list, long[] cameras, EvalConfig config,
                                     PrintWriter out) {
        Map<Integer, Integer> rowOfLine = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            rowOfLine.put(list.samples().get(i).line(), i);
        }
        ImageList usable = config.data().usable(list, out);
        EmbeddingModel.Features f = ModelSource.embed(model, usable, config, Progress.testBatchLines(out));
        long[] labels = usable.samples().stream().mapToLong(Sample::label).toArray();
        long[] kept = cameras == null ? null
                : usable.samples().stream().mapToLong(s -> cameras[rowOfLine.get(s.line())]).toArray();
        return new Labelled(f.features(), labels, kept, usable.listFile().toString());
    }

    private static void requireNoJunkQuery(Labelled q) {
        for (int i = 0; i < q.labels.length; i++) {
            if (q.labels[i] == RetrievalEvaluator.JUNK) {
                throw new DataException(q.source + ": query row " + i + " has the label -1 (junk); only gallery"
                        + " entries can be junk");
            }
        }
    }

}
