package org.dml4j.eval;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.dml4j.data.DataException;
import org.dml4j.data.ImageList;
import org.dml4j.data.Sample;
import org.dml4j.data.Split;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code search}: embeds one query image with the model and prints the most similar images of an
 * index written by {@code infer --output} (features.npy + paths.txt), by cosine similarity.
 */
public final class Searcher {
    private Searcher() {
    }

    public static void run(EvalConfig config, Path index, Path query, int top, PrintWriter out) {
        INDArray features = Npy.read(index.resolve("features.npy"));
        List<String> paths;
        try {
            paths = Files.readAllLines(index.resolve("paths.txt"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DataException(index.resolve("paths.txt") + ": cannot read: " + e.getMessage(), e);
        }
        if (paths.size() != features.size(0)) {
            throw new DataException(index + ": paths.txt has " + paths.size() + " lines but features.npy "
                    + features.size(0) + " rows");
        }
        ImageList one = new ImageList(query, query.toAbsolutePath().getParent(), Split.TEST,
                List.of(new Sample(query.toAbsolutePath().toString(), -1, 1)));
        one = config.data().usable(one, out);
        INDArray q = InferenceModel.open(config, out).embed(one, config, null).features();
        if (q.size(1) != features.size(1)) {
            throw new IllegalArgumentException("the model gives " + q.size(1) + "-d features but the index in " + index
                    + " holds " + features.size(1) + "-d ones (another --model or --embedding_size?)");
        }
        INDArray x = features.div(features.norm2(1).reshape(-1, 1));
        INDArray qn = q.div(q.norm2(1).reshape(-1, 1));
        float[] sims = x.mmul(qn.transpose()).reshape(-1).toFloatVector();
        Integer[] order = new Integer[sims.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> sims[a] != sims[b] ? Float.compare(sims[b], sims[a]) : Integer.compare(a, b));
        out.printf("nearest to %s among %d images of %s:%n", query, sims.length, index);
        out.printf("%4s  %8s  %s%n", "rank", "cosine", "image");
        for (int r = 0; r < Math.min(top, order.length); r++) {
            out.printf("%4d  %8.4f  %s%n", r + 1, sims[order[r]], paths.get(order[r]));
        }
        out.flush();
    }
}
