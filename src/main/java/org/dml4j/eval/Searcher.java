package org.dml4j.eval;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.bytedeco.opencv.opencv_core.Mat;
import org.dml4j.data.ImageScan;
import org.dml4j.data.ImageTransform;
import org.dml4j.data.TextLines;
import org.dml4j.data.VisibleText;
import org.dml4j.error.DataException;
import org.dml4j.error.ModelMismatchException;
import org.dml4j.retrieval.Embeddings;
import org.dml4j.retrieval.NearestNeighbours;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code search}: embeds one query image with the model and prints the most similar images of an
 * index written by {@code infer --output} (features.npy + paths.txt), by cosine similarity (a zero
 * row has cosine 0 to everything, {@link Embeddings}); ties go to the lower index.
 */
public final class Searcher {
    private Searcher() {
    }

    /**
     * @throws DataException for an index whose files disagree or hold non-finite features, or an
     *                       unreadable query image
     */
    public static void run(EvalConfig config, Path index, Path query, int top, PrintWriter out) {
        Path featuresFile = index.resolve("features.npy");
        INDArray features = Npy.read(featuresFile);
        List<String> paths;
        try {
            paths = TextLines.readRecords(index.resolve("paths.txt"), "path");
        } catch (IOException e) {
            throw DataException.reading(index.resolve("paths.txt"), "the index's paths (written by infer --output)", e);
        }
        if (paths.size() != features.size(0)) {
            throw new DataException(index + ": paths.txt has " + paths.size() + " lines but features.npy "
                    + features.size(0) + " rows");
        }
        Embeddings.requireFinite(features, featuresFile.toString(), r -> "row " + r + " (" + paths.get(r) + ")");
        String problem = ImageScan.problem(query);
        if (problem != null) {
            throw new DataException(VisibleText.escape(query.toString()) + ": " + problem);
        }
        INDArray q;
        try (Mat image = ImageTransform.decode(query)) {
            q = ModelSource.open(config, out).embedDecoded(List.of(image), 1);
        }
        Embeddings.requireFinite(q, "the model's embedding of " + VisibleText.escape(query.toString()),
                r -> "the query");
        if (q.size(1) != features.size(1)) {
            throw new ModelMismatchException("the model gives " + q.size(1) + "-d features but the index in " + index
                    + " holds " + features.size(1) + "-d ones (another --model or --embedding_size?)");
        }
        NearestNeighbours.Ranking ranking = NearestNeighbours.rank(features, q);
        int[] order = ranking.order();
        float[] sims = ranking.cosines();
        // file names come from the data: control characters in them must not reach the terminal raw
        out.printf(Locale.ROOT, "nearest to %s among %d images of %s:%n", VisibleText.escape(query.toString()),
                sims.length, VisibleText.escape(index.toString()));
        out.printf(Locale.ROOT, "%4s  %8s  %s%n", "rank", "cosine", "image");
        for (int r = 0; r < Math.min(top, order.length); r++) {
            out.printf(Locale.ROOT, "%4d  %8.4f  %s%n", r + 1, sims[order[r]], VisibleText.escape(paths.get(order[r])));
        }
        out.flush();
    }
}
