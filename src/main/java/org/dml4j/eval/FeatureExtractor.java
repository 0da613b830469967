package org.dml4j.eval;

import java.io.PrintWriter;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.Batch;
import org.dml4j.data.BatchLoader;
import org.dml4j.data.ImageList;
import org.dml4j.error.DataException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Runs a network in inference mode over a loader and stacks one vertex's output. */
public final class FeatureExtractor {
    /** Time stamps as the original prints them. */
    public static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /** Features [N, D] in loader order with their labels. */
    public record Features(INDArray features, int[] labels) {
    }

    /** Called after each batch with its index, the number of batches, the batch, its features and its seconds. */
    public interface BatchCallback {
        void done(int k, long batches, Batch batch, INDArray features, double seconds);
    }

    private FeatureExtractor() {
    }

    /** The original's {@code testbatch k, time t sec} line every 20th batch, with a percentage. */
    public static BatchCallback testBatchLines(PrintWriter out) {
        return (k, batches, batch, features, seconds) -> {
            if (k % 20 == 0) {
                out.printf(Locale.ROOT, "[%s] testbatch %d, time %2.2f sec  [%d%%]%n", LocalDateTime.now().format(STAMP), k,
                        seconds, 100 * (k + 1) / batches);
                out.flush();
            }
        };
    }

    /**
     * Checks that every embedding of {@code images} (in file order) is finite.
     *
     * @param source what the features are, for the message
     * @throws DataException naming each bad row's image and list line; when every row is bad, also
     *                       that the model itself gives no finite output
     */
    public static void requireFinite(Features f, ImageList images, String source) {
        int bad = Embeddings.nonFiniteRows(f.features()).length;
        if (bad > 0) {
            Embeddings.requireFinite(f.features(), source + (bad == f.labels().length
                    ? " (every image: the model's parameters are probably not finite)" : ""),
                    images::describe);
        }
    }

    /** Features of every batch of {@code loader} at {@code vertex}, in order; closes the loader. */
    public static Features extract(ComputationGraph net, String vertex, BatchLoader loader, int cropSize,
                                   BatchCallback callback) {
        List<INDArray> parts = new ArrayList<>();
        List<int[]> labels = new ArrayList<>();
        int k = 0;
        try (loader) {
            while (loader.hasNext()) {
                Batch b = loader.next();
                long start = System.nanoTime();
                INDArray x = Nd4j.create(b.images(), new long[] {b.size(), 3, cropSize, cropSize}, DataType.FLOAT);
                INDArray f = net.output(List.of(vertex), false, new INDArray[] {x}, null)[0];
                f = f.reshape(b.size(), -1).castTo(DataType.FLOAT).dup();
                parts.add(f);
                labels.add(b.labels());
                if (callback != null) {
                    callback.done(k, loader.batches(), b, f, (System.nanoTime() - start) / 1e9);
                }
                k++;
            }
        }
        int n = labels.stream().mapToInt(a -> a.length).sum();
        int[] all = new int[n];
        int pos = 0;
        for (int[] l : labels) {
            System.arraycopy(l, 0, all, pos, l.length);
            pos += l.length;
        }
        return new Features(Nd4j.concat(0, parts.toArray(INDArray[]::new)), all);
    }
}
