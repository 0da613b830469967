package org.dml4j.retrieval;

import java.io.Serializable;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Retrieval quality of queries against a reference set (immutable). Recall@K as in the SOP papers
 * and the original (docs/ORIGINAL.md §7: a hit when any of the K nearest references has the
 * query's label); MAP@R and R-precision as pytorch-metric-learning defines them (Musgrave et al.,
 * "A Metric Learning Reality Check", 2020: R = number of references with the query's label; queries
 * with R = 0 are left out of these two and counted in {@link #loneQueries}). In the SOP protocol
 * the references are all images and the query itself is excluded.
 *
 * @param queries     number of queries
 * @param recallAtK   K → Recall@K, K ∈ {1, 10, 100, 1000} capped at the references a query can have
 * @param mapAtR      mean average precision at R (NaN when no query has a relevant reference)
 * @param rPrecision  mean R-precision (NaN likewise)
 * @param loneQueries queries without any relevant reference
 */
public record RetrievalMetrics(int queries, Map<Integer, Double> recallAtK, double mapAtR, double rPrecision,
                               int loneQueries) {

    private static final int[] KS = {1, 10, 100, 1000};

    public RetrievalMetrics {
        recallAtK = Collections.unmodifiableMap(new LinkedHashMap<>(recallAtK));
    }

    /** Computes every metric of the SOP protocol with one neighbour search (which normalises {@code features} in place). */
    public static RetrievalMetrics compute(INDArray features, int[] labels, int block) {
        return fromNeighbours(NearestNeighbours.search(features, neighboursNeeded(labels), block), labels);
    }

    /** How many neighbours {@link #fromNeighbours} needs for these labels: max(min(1000, N−1), largest R). */
    public static int neighboursNeeded(int[] labels) {
        return neighboursNeeded(labels, labels, true);
    }

    /**
     * How many neighbours the SOP protocol needs when Recall@K is wanted only up to {@code largestK}:
     * max(min(largestK, N−1), largest R).
     */
    public static int neighboursNeeded(int[] labels, int largestK) {
        return neighboursNeeded(labels, labels, true, largestK);
    }

    /**
     * How many neighbours the metrics of {@code queryLabels} against {@code referenceLabels} need:
     * the largest K (1000, capped at what a query can have) and the largest R.
     */
    public static int neighboursNeeded(int[] queryLabels, int[] referenceLabels, boolean selfExcluded) {
        return neighboursNeeded(queryLabels, referenceLabels, selfExcluded, KS[KS.length - 1]);
    }

    private static int neighboursNeeded(int[] queryLabels, int[] referenceLabels, boolean selfExcluded,
                                        int largestK) {
        int available = referenceLabels.length - (selfExcluded ? 1 : 0);
        Map<Integer, Integer> counts = counts(referenceLabels);
        int maxR = 0;
        for (int l : queryLabels) {
            maxR = Math.max(maxR, counts.getOrDefault(l, 0) - (selfExcluded ? 1 : 0));
        }
        return Math.min(available, Math.max(Math.min(largestK, available), maxR));
    }

    private static Map<Integer, Integer> counts(int[] labels) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int l : labels) {
            counts.merge(l, 1, Integer::sum);
        }
        return counts;
    }

    /**
     * Average precision at R of each query (NaN for lone-label queries), for picking examples.
     *
     * @param selfExcluded the queries are the references and each query's own row is not a candidate
     */
    public static double[] averagePrecisionAtR(int[][] nn, int[] queryLabels, int[] referenceLabels,
                                               boolean selfExcluded) {
        Map<Integer, Integer> counts = counts(referenceLabels);
        double[] ap = new double[queryLabels.length];
        for (int q = 0; q < queryLabels.length; q++) {
            ap[q] = atR(nn[q], referenceLabels, queryLabels[q],
                    counts.getOrDefault(queryLabels[q], 0) - (selfExcluded ? 1 : 0))[0];
        }
        return ap;
    }

    /** Share of queries with their label among their first k neighbours (SOP protocol). */
    public static double recallAt(int[][] nn, int[] labels, int k) {
        return recallAt(nn, labels, labels, k);
    }

    /**
     * Share of queries with a reference of their label among their first {@code k} neighbours.
     *
     * @param k at most the neighbours each list holds
     */
    public static double recallAt(int[][] nn, int[] queryLabels, int[] referenceLabels, int k) {
        int hits = 0;
        for (int q = 0; q < queryLabels.length; q++) {
            for (int i = 0; i < k; i++) {
                if (referenceLabels[nn[q][i]] == queryLabels[q]) {
                    hits++;
                    break;
                }
            }
        }
        return hits / (double) queryLabels.length;
    }

    /** {AP@R, R-precision} of a query with label {@code label} and R relevant references (NaN, NaN when R = 0). */
    private static double[] atR(int[] neighbours, int[] referenceLabels, int label, int r) {
        if (r == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        int relevant = 0;
        double sum = 0;
        for (int i = 0; i < r && i < neighbours.length; i++) {
            if (referenceLabels[neighbours[i]] == label) {
                relevant++;
                sum += relevant / (double) (i + 1);
            }
        }
        return new double[] {sum / r, relevant / (double) r};
    }

    /** The SOP protocol's metrics from neighbour lists of at least {@link #neighboursNeeded} entries. */
    public static RetrievalMetrics fromNeighbours(int[][] nn, int[] labels) {
        return fromNeighbours(nn, labels, labels, true);
    }

    /**
     * The metrics of queries against references from their neighbour lists (each at least
     * {@link #neighboursNeeded} long).
     *
     * @param selfExcluded the queries are the references and each query's own row is not a candidate
     */
    public static RetrievalMetrics fromNeighbours(int[][] nn, int[] queryLabels, int[] referenceLabels,
                                                  boolean selfExcluded) {
        Map<Integer, Integer> counts = counts(referenceLabels);
        QueryResult[] results = new QueryResult[queryLabels.length];
        for (int q = 0; q < results.length; q++) {
            results[q] = score(nn[q], referenceLabels, queryLabels[q],
                    counts.getOrDefault(queryLabels[q], 0) - (selfExcluded ? 1 : 0));
        }
        return aggregate(results, referenceLabels.length - (selfExcluded ? 1 : 0));
    }

    /**
     * What one query contributes to the metrics.
     *
     * @param firstHit   position (0-based) of the first neighbour with the query's label, −1 when none is listed
     * @param ap         average precision at R (NaN when R = 0)
     * @param rPrecision R-precision (NaN when R = 0)
     */
    public record QueryResult(int firstHit, double ap, double rPrecision) implements Serializable {
        /** Whether the query has no relevant reference (R = 0). */
        public boolean lone() {
            return Double.isNaN(ap);
        }
    }

    /**
     * One query's contribution from its neighbour list (most similar first, at least
     * {@link #neighboursNeeded} long, or every candidate).
     *
     * @param r the number of references relevant to it
     */
    public static QueryResult score(int[] neighbours, int[] referenceLabels, int label, int r) {
        int first = -1;
        for (int i = 0; i < neighbours.length && first < 0; i++) {
            if (referenceLabels[neighbours[i]] == label) {
                first = i;
            }
        }
        double[] m = atR(neighbours, referenceLabels, label, r);
        return new QueryResult(first, m[0], m[1]);
    }

    /**
     * The metrics from every query's contribution, summed in query order (so that any way of
     * computing the contributions, one JVM or a cluster, gives the same numbers to the last bit).
     *
     * @param available references each query can have (R, or R − 1 when a query is among them)
     */
    public static RetrievalMetrics aggregate(QueryResult[] results, int available) {
        return aggregate(results, available, KS[KS.length - 1]);
    }

    /**
     * As {@link #aggregate(QueryResult[], int)}, reporting Recall@K only for K up to {@code largestK}
     * (the neighbour lists were that long, or R where longer).
     */
    public static RetrievalMetrics aggregate(QueryResult[] results, int available, int largestK) {
        int n = results.length;
        int lone = 0;
        double mapSum = 0;
        double rPrecSum = 0;
        for (QueryResult r : results) {
            if (r.lone()) {
                lone++;
                continue;
            }
            mapSum += r.ap();
            rPrecSum += r.rPrecision();
        }
        Map<Integer, Double> recall = new LinkedHashMap<>();
        for (int k : KS) {
            int capped = Math.min(k, available);
            if (!recall.containsKey(capped) && capped <= largestK) {
                int hits = 0;
                for (QueryResult r : results) {
                    hits += r.firstHit() >= 0 && r.firstHit() < capped ? 1 : 0;
                }
                recall.put(capped, hits / (double) n);
            }
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
