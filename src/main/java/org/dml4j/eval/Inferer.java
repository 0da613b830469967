package org.dml4j.eval;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dml4j.data.AtomicFiles;
import org.dml4j.data.ImageList;
import org.dml4j.data.Split;
import org.dml4j.error.DataException;
import org.dml4j.inference.EmbeddingModel;
import org.dml4j.inference.Progress;
import org.dml4j.retrieval.Embeddings;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The infer command's work (docs/ORIGINAL.md §8): embeds the test split (or any images) in file order, prints
 * the original's {@code Test-<k>-feature: [v0 … v4]} line per batch (first image, first five
 * values of its raw feature) and eval's {@code testbatch} progress line every 20 batches and at the
 * end, and optionally writes all features for use elsewhere.
 */
public final class Inferer {
    private Inferer() {
    }

    /**
     * @param images    the images to embed; null for the test split of --data_dir
     * @param outputDir where to write features.npy, paths.txt and labels.txt, or null
     * @param normalize write unit-length features (a zero feature stays zero, {@link Embeddings})
     */
    public static void run(EvalConfig config, ImageList images, Path outputDir, boolean normalize, PrintWriter out) {
        ImageList list = config.data().usable(
                images != null ? images : ImageList.read(config.data().dataDir(), Split.TEST), out);
        EmbeddingModel model = ModelSource.open(config, out);
        EmbeddingModel.BatchCallback progress = Progress.testBatchLines(out);
        EmbeddingModel.Features f = ModelSource.embed(model, list, config, (k, batches, batch, features, seconds) -> {
            INDArray first = features.getRow(0);
            float[] v = first.get(NDArrayIndex.interval(0, Math.min(5, first.length()))).toFloatVector();
            out.println("Test-" + k + "-feature: " + NumpyFormat.array(v));
            out.flush();
            progress.done(k, batches, batch, features, seconds);
        });
        if (outputDir != null) {
            INDArray features = normalize ? Embeddings.normalizeRows(f.features()) : f.features();
            write(outputDir, features, list, f.labels());
            out.printf(Locale.ROOT, "wrote %d features of width %d to %s (features.npy, paths.txt, labels.txt)%n",
                    features.size(0), features.size(1), outputDir);
            out.flush();
        }
    }

    /** All three files are written to temporary names first and renamed together ({@link AtomicFiles#writeAll}). */
    static void write(Path dir, INDArray features, ImageList list, int[] labels) {
        try {
            List<String> paths = new ArrayList<>();
            List<String> labelLines = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                paths.add(list.samples().get(i).path());
                labelLines.add(Integer.toString(labels[i]));
            }
            Map<Path, AtomicFiles.Content> files = new LinkedHashMap<>();
            files.put(dir.resolve("features.npy"), o -> Npy.write(features, o));
            files.put(dir.resolve("paths.txt"), AtomicFiles.lines(paths));
            files.put(dir.resolve("labels.txt"), AtomicFiles.lines(labelLines));
            AtomicFiles.writeAll(files);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write features to " + dir + ": " + DataException.reason(e), e);
        }
    }
}
