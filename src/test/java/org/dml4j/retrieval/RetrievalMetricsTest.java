package org.dml4j.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** The blocked search and the metrics against a brute-force full-matrix sort in double precision. */
class RetrievalMetricsTest {

    /**
     * Random features with exact duplicates, so some similarities tie exactly (identical rows give
     * bit-identical gemm results); other similarities are continuous and far apart compared with
     * float rounding.
     */
    static float[][] features(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            if (i > 3 && r.nextInt(5) == 0) {
                x[i] = x[r.nextInt(i)].clone();   // duplicate vector
                continue;
            }
            for (int j = 0; j < d; j++) {
                x[i][j] = (float) (r.nextDouble() * 2 - 1);
            }
            if (allZero(x[i])) {
                x[i][0] = 1;
            }
        }
        return x;
    }

    private static boolean allZero(float[] v) {
        for (float f : v) {
            if (f != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Neighbours by sorting the whole similarity row: cosine descending, index ascending; a zero
     * row has cosine 0 to everything (the README's rule), and the query is never its own neighbour.
     */
    static int[][] bruteForce(float[][] x, int k) {
        int n = x.length;
        double[][] u = new double[n][];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (float v : x[i]) {
                norm += v * v;
            }
            norm = Math.sqrt(norm);
            u[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                u[i][j] = norm == 0 ? 0 : x[i][j] / norm;
            }
        }
        int[][] out = new int[n][];
        for (int q = 0; q < n; q++) {
            List<double[]> cand = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                if (j != q) {
                    double s = 0;
                    for (int t = 0; t < u[q].length; t++) {
                        s += u[q][t] * u[j][t];
                    }
                    cand.add(new double[] {s, j});
                }
            }
            cand.sort(Comparator.<double[]>comparingDouble(c -> -c[0]).thenComparingDouble(c -> c[1]));
            out[q] = cand.stream().limit(k).mapToInt(c -> (int) c[1]).toArray();
        }
        return out;
    }

    @Test
    void blockedSearchEqualsTheFullSortForBlocksThatDoNotDivideN() {
        float[][] x = features(53, 6, 1);
        int[][] expected = bruteForce(x, 12);
        for (int block : new int[] {1, 7, 16, 53, 100}) {
            int[][] got = NearestNeighbours.search(Nd4j.createFromArray(x), 12, block);
            for (int q = 0; q < x.length; q++) {
                assertArrayEquals(expected[q], got[q], "block " + block + ", query " + q);
            }
        }
    }

    /** The case from the issue: the zero row is a query and a database entry like any other. */
    @Test
    void aZeroRowHasCosineZeroToEverythingAndIsStillAQuery() {
        float[][] x = {{0, 0}, {1, 0}, {0.9f, 0.1f}, {0, 1}, {0.1f, 0.9f}, {0.95f, 0.05f}};
        int[] labels = {7, 0, 1, 1, 0, 0};
        for (int block : new int[] {1, 4, 6}) {
            int[][] nn = NearestNeighbours.search(Nd4j.createFromArray(x), 5, block);
            assertArrayEquals(new int[] {1, 2, 3, 4, 5}, nn[0], "the zero query: all ties, lower index first");
            assertArrayEquals(new int[] {5, 2, 4, 0, 3}, nn[1], "the zero row (cosine 0) before row 3 (cosine 0): lower index");
            RetrievalMetrics m = RetrievalMetrics.fromNeighbours(nn, labels);
            assertEquals(1 / 3.0, m.recallAt1(), 1e-12);
            assertEquals(5 / 6.0, m.recallAtK().get(5), 1e-12);
            assertEquals(0.2, m.mapAtR(), 1e-12);
            assertEquals(1, m.loneQueries());
        }
    }

    @Test
    void zeroRowsInAnyPositionFollowTheRuleForBlocksThatDoNotDivideN() {
        int n = 53;
        int[][] zeroSets = {{0}, {n - 1}, {17}, {0, 1}, {3, 30, 52}, {5, 6, 7, 8, 9, 10}};
        for (int[] zeros : zeroSets) {
            float[][] x = features(n, 6, 11 + zeros.length);
            for (int z : zeros) {
                x[z] = new float[6];
            }
            int[][] expected = bruteForce(x, n - 1);
            for (int block : new int[] {1, 2, 5, 7, 16, 52, 53, 100}) {
                int[][] got = NearestNeighbours.search(Nd4j.createFromArray(x), n - 1, block);
                for (int q = 0; q < n; q++) {
                    assertArrayEquals(expected[q], got[q], "zeros " + java.util.Arrays.toString(zeros) + ", block "
                            + block + ", query " + q);
                }
            }
        }
        float[][] allZero = new float[9][4];
        int[][] got = NearestNeighbours.search(Nd4j.createFromArray(allZero), 3, 4);
        for (int q = 0; q < 9; q++) {
            int self = q;
            int[] firstOthers = java.util.stream.IntStream.range(0, 9).filter(j -> j != self).limit(3).toArray();
            assertArrayEquals(firstOthers, got[q], "all rows zero: every query gets the lowest other indices");
        }
    }

    @Test
    void aQueryIsNeverItsOwnNeighbourEvenAmongIdenticalRows() {
        float[][] x = new float[7][3];
        for (float[] row : x) {
            row[1] = 2.5f;
        }
        int[][] nn = NearestNeighbours.search(Nd4j.createFromArray(x), 6, 3);
        for (int q = 0; q < x.length; q++) {
            int self = q;
            assertEquals(6, java.util.Arrays.stream(nn[q]).filter(j -> j != self).distinct().count(), "query " + q);
        }
    }

    @Test
    void metricsEqualTheirDefinitionsOnTheFullSort() {
        for (long seed : new long[] {2, 3, 4}) {
            float[][] x = features(61, 5, seed);
            SplittableRandom r = new SplittableRandom(seed);
            int[] labels = new int[x.length];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = r.nextInt(9);
            }
            labels[60] = 99; // a lone label
            RetrievalMetrics m = RetrievalMetrics.compute(Nd4j.createFromArray(x), labels, 8);

            int[][] all = bruteForce(x, x.length - 1);
            Map<Integer, Integer> counts = new HashMap<>();
            for (int l : labels) {
                counts.merge(l, 1, Integer::sum);
            }
            for (int k : new int[] {1, 10}) {
                int hits = 0;
                for (int q = 0; q < x.length; q++) {
                    for (int i = 0; i < k; i++) {
                        if (labels[all[q][i]] == labels[q]) {
                            hits++;
                            break;
                        }
                    }
                }
                assertEquals(hits / (double) x.length, m.recallAtK().get(k), 1e-12, "R@" + k);
            }
            assertEquals(60.0 / 61, m.recallAtK().get(60), 1e-12,
                    "R@100 is capped at N-1 = 60: every query but the lone one hits");
            double map = 0;
            double rp = 0;
            int scored = 0;
            for (int q = 0; q < x.length; q++) {
                int rr = counts.get(labels[q]) - 1;
                if (rr == 0) {
                    continue;
                }
                scored++;
                double ap = 0;
                int rel = 0;
                for (int i = 0; i < rr; i++) {
                    if (labels[all[q][i]] == labels[q]) {
                        rel++;
                        ap += rel / (double) (i + 1);
                    }
                }
                map += ap / rr;
                rp += rel / (double) rr;
            }
            assertEquals(map / scored, m.mapAtR(), 1e-12, "MAP@R");
            assertEquals(rp / scored, m.rPrecision(), 1e-12, "R-precision");
            assertEquals(1, m.loneQueries());
        }
    }

    @Test
    void recallAtOneMatchesTheSimpleDefinition() {
        float[][] x = features(40, 4, 5);
        int[] labels = new int[40];
        for (int i = 0; i < 40; i++) {
            labels[i] = i % 6;
        }
        int[][] nn = bruteForce(x, 1);
        int hits = 0;
        for (int q = 0; q < 40; q++) {
            hits += labels[nn[q][0]] == labels[q] ? 1 : 0;
        }
        assertEquals(hits / 40.0, RetrievalEvaluator.recallAt1(Nd4j.createFromArray(x), labels), 1e-12);
    }
}
