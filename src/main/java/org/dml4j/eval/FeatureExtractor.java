package org.dml4j.eval;

import java.io.PrintWriter;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.Batch;
import org.dml4j.data.BatchLoader;
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

    private FeatureExtractor() {
    }

    /**
     * @param vertex which vertex's output to collect (the embedding)
     * @param out    receives the original's {@code testbatch k, time t sec} line every 20th batch;
     *               may be null
     */
    public static Features extract(ComputationGraph net, String vertex, BatchLoader loader, int cropSize,
                                   PrintWriter out) {
        List<INDArray> parts = new ArrayList<>();
        List<int[]> labels = new ArrayList<>();
        int k = 0;
        try (loader) {
            while (loader.hasNext()) {
                Batch b = loader.next();
                long start = System.nanoTime();
                INDArray x = Nd4j.create(b.images(), new long[] {b.size(), 3, cropSize, cropSize}, DataType.FLOAT);
                INDArray f = net.output(List.of(vertex), false, new INDArray[] {x}, null)[0];
                parts.add(f.reshape(b.size(), -1).castTo(DataType.FLOAT).dup());
                labels.add(b.labels());
                if (out != null && k % 20 == 0) {
                    out.printf("[%s] testbatch %d, time %2.2f sec%n", LocalDateTime.now().format(STAMP), k,
                            (System.nanoTime() - start) / 1e9);
                    out.flush();
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
