package org.dml4j.eval;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Retrieval quality of a set of embeddings against itself (every image is a query, all others are
 * the database). Recall@K as in the SOP papers and the original (a hit when any of the K nearest
 * has the query's label, over all queries); MAP@R and R-precision as pytorch-metric-learning
 * defines them (R = number of other images with the query's label; queries whose label occurs only
 * once are excluded from these two and counted in {@link #loneQueries}).
 *
 * @param queries     number of queries (N)
 * @param recallAtK   K → Recall@K, K ∈ {1, 10, 100, 1000} capped at N − 1
 * @param mapAtR      mean average precision at R
 * @param rPrecision  mean R-precision
 * @param loneQueries queries without any other image of their label
 */
public record RetrievalMetrics(int queries, Map<Integer, Double> recallAtK, double mapAtR, double rPrecision,
                               int loneQueries) {

    private static final int[] KS = {1, 10, 100, 1000};

    /** Computes every metric with one neighbour search (which normalises {@code features} in place). */
    public static RetrievalMetrics compute(INDArray features, int[] labels, int block) {
        int n = labels.length;
        if (n < 2) {
            throw new IllegalArgumentException("retrieval needs at least 2 images, got " + n);
        }
        return fromNeighbours(NearestNeighbours.search(features, neighboursNeeded(labels), block), labels);
    }

    /** How many neighbours {@link #fromNeighbours} needs for these labels: max(min(1000, N−1), largest R). */
    public static int neighboursNeeded(int[] labels) {
        int n = labels.length;
        int maxR = counts(labels).values().stream().mapToInt(c -> c - 1).max().orElse(0);
        return Math.min(n - 1, Math.max(Math.min(KS[KS.length - 1], n - 1), maxR));
    }

    private static Map<Integer, Integer> counts(int[] labels) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int l : labels) {
            counts.merge(l, 1, Integer::sum);
        }
        return counts;
    }

    /** Average precision at R of each query (NaN for lone-label queries), for picking examples. */
    public static double[] averagePrecisionAtR(int[][] nn, int[] labels) {
        Map<Integer, Integer> counts = counts(labels);
        double[] ap = new double[labels.length];
        for (int q = 0; q < labels.length; q++) {
            ap[q] = atR(nn[q], labels, q, counts.get(labels[q]) - 1)[0];
        }
        return ap;
    }

    /** Share of queries with their label among their first k neighbours. */
    public static double recallAt(int[][] nn, int[] labels, int k) {
        int hits = 0;
        for (int q = 0; q < labels.length; q++) {
            for (int i = 0; i < k; i++) {
                if (labels[nn[q][i]] == labels[q]) {
                    hits++;
                    break;
                }
            }
        }
        return hits / (double) labels.length;
    }

    /** {AP@R, R-precision} of query q with R relevant images (NaN, NaN when R = 0). */
    private static double[] atR(int[] neighbours, int[] labels, int q, int r) {
        if (r == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        int relevant = 0;
        double sum = 0;
        for (int i = 0; i < r && i < neighbours.length; i++) {
            if (labels[neighbours[i]] == labels[q]) {
                relevant++;
                sum += relevant / (double) (i + 1);
            }
        }
        return new double[] {sum / r, relevant / (double) r};
    }

    /** The metrics from neighbour lists of at least {@link #neighboursNeeded} entries. */
    public static RetrievalMetrics fromNeighbours(int[][] nn, int[] labels) {
        Map<Integer, Integer> counts = counts(labels);
        int n = labels.length;
        int lone = 0;
        double mapSum = 0;
        double rPrecSum = 0;
        for (int q = 0; q < n; q++) {
            int r = counts.get(labels[q]) - 1;
            if (r == 0) {
                lone++;
                continue;
            }
            double[] m = atR(nn[q], labels, q, r);
            mapSum += m[0];
            rPrecSum += m[1];
        }
        Map<Integer, Double> recall = new LinkedHashMap<>();
        for (int k : KS) {
            recall.putIfAbsent(Math.min(k, n - 1), recallAt(nn, labels, Math.min(k, n - 1)));
        }
        int scored = n - lone;
        return new RetrievalMetrics(n, recall, scored == 0 ? Double.NaN : mapSum / scored,
                scored == 0 ? Double.NaN : rPrecSum / scored, lone);
    }

    /** Recall@1. */
    public double recallAt1() {
        return recallAtK.get(1);
    }
}
