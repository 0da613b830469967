package org.dml4j.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.dml4j.retrieval.NearestNeighbours;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The exact neighbour search at SOP test scale on random features: seconds, achieved GFLOP/s
 * (2·N²·D per search) against ND4J's own sgemm on one block of the same shape measured in the same
 * run, and peak resident memory beside the size of the features.
 */
public final class KnnBenchmark {
    private KnnBenchmark() {
    }

    /**
     * Runs the benchmark and prints its figures.
     *
     * @param n     features (queries = references)
     * @param dim   their width D
     * @param k     neighbours kept per query
     * @param block query rows per similarity block
     */
    public static void run(int n, int dim, int k, int block, PrintWriter out) {
        INDArray features = Nd4j.randn(DataType.FLOAT, n, dim);
        out.printf(Locale.ROOT, "knn benchmark: N = %d, D = %d, k = %d, block %d; features %.0f MB%n", n, dim, k, block,
                n * (double) dim * 4 / 1e6);
        out.flush();
        // ND4J's sgemm on one block (warm-up, then best of three)
        INDArray queries = features.get(NDArrayIndex.interval(0, Math.min(block, n)), NDArrayIndex.all());
        INDArray c = Nd4j.create(DataType.FLOAT, queries.size(0), n);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            long t = System.nanoTime();
            Nd4j.gemm(queries, features, c, false, true, 1.0, 0.0);
            double s = (System.nanoTime() - t) / 1e9;
            if (i > 0) {
                best = Math.min(best, s);
            }
        }
        double gemmRate = 2.0 * queries.size(0) * n * dim / best / 1e9;
        c.close();
        long start = System.nanoTime();
        int[][] nn = NearestNeighbours.search(features, k, block);
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = 2.0 * n * (double) n * dim / seconds / 1e9;
        out.printf(Locale.ROOT, "search: %.1f s, %.0f GFLOP/s = %.0f%% of ND4J sgemm (%.0f GFLOP/s on one block); %d lists%n",
                seconds, rate, 100 * rate / gemmRate, gemmRate, nn.length);
        out.printf(Locale.ROOT, "peak RSS %s%n", peakRss());
        out.flush();
    }

    /** The process's peak resident memory (VmHWM from /proc/self/status), or "unknown". */
    public static String peakRss() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM:"))
                    .map(l -> l.substring(6).trim()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
