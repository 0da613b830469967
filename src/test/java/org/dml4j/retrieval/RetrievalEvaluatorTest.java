package org.dml4j.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.dml4j.error.DataException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** Queries against a separate reference set, against a float64 brute force written out here. */
class RetrievalEvaluatorTest {
    private static float[][] random(int n, int d, SplittableRandom r) {
        float[][] x = new float[n][d];
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = (float) (r.nextDouble() * 2 - 1);
            }
        }
        return x;
    }

    /** References sorted by cosine to the query (zero rows: cosine 0), descending, ties to the lower index. */
    private static int[] ranked(float[] q, float[][] refs) {
        List<double[]> c = new ArrayList<>();
        for (int j = 0; j < refs.length; j++) {
            double dot = 0;
            double nq = 0;
            double nr = 0;
            for (int t = 0; t < q.length; t++) {
                dot += (double) q[t] * refs[j][t];
                nq += (double) q[t] * q[t];
                nr += (double) refs[j][t] * refs[j][t];
            }
            c.add(new double[] {nq == 0 || nr == 0 ? 0 : dot / Math.sqrt(nq * nr), j});
        }
        c.sort(Comparator.<double[]>comparingDouble(a -> -a[0]).thenComparingDouble(a -> a[1]));
        return c.stream().mapToInt(a -> (int) a[1]).toArray();
    }

    @Test
    void queryAgainstReferenceEqualsTheDefinitions() {
        SplittableRandom r = new SplittableRandom(5);
        float[][] queries = random(37, 6, r);
        float[][] refs = random(61, 6, r);
        queries[4] = new float[6];
        refs[10] = new float[6];
        int[] ql = new int[37];
        int[] rl = new int[61];
        for (int i = 0; i < ql.length; i++) {
            ql[i] = r.nextInt(8);
        }
        for (int i = 0; i < rl.length; i++) {
            rl[i] = r.nextInt(7);        // label 7 occurs among queries only: lone queries
        }
        RetrievalEvaluator.Result result = RetrievalEvaluator.queryAgainstReference(Nd4j.createFromArray(queries), ql,
                Nd4j.createFromArray(refs), rl);
        double[] apOf = result.averagePrecisionAtR();
        double[] hits = new double[62];
        double map = 0;
        double rp = 0;
        int scored = 0;
        int lone = 0;
        for (int q = 0; q < queries.length; q++) {
            int[] order = ranked(queries[q], refs);
            assertArrayEquals(java.util.Arrays.copyOf(order, result.neighboursKept()), result.neighbours(q),
                    "query " + q);
            int first = 0;
            while (rl[order[first]] != ql[q] && first < order.length - 1) {
                first++;
            }
            for (int k = 1; k <= 61; k++) {
                hits[k] += rl[order[first]] == ql[q] && first < k ? 1 : 0;
            }
            int big = 0;
            for (int l : rl) {
                big += l == ql[q] ? 1 : 0;
            }
            if (big == 0) {
                lone++;
                assertTrue(Double.isNaN(apOf[q]), "a lone query has no AP@R");
                continue;
            }
            scored++;
            double ap = 0;
            int rel = 0;
            for (int i = 0; i < big; i++) {
                if (rl[order[i]] == ql[q]) {
                    rel++;
                    ap += rel / (double) (i + 1);
                }
            }
            assertEquals(ap / big, apOf[q], 1e-12, "AP@R of query " + q);
            map += ap / big;
            rp += rel / (double) big;
        }
        RetrievalMetrics m = result.metrics();
        assertEquals(hits[1] / 37, m.recallAtK().get(1), 1e-12);
        assertEquals(hits[10] / 37, m.recallAtK().get(10), 1e-12);
        assertEquals(hits[61] / 37, m.recallAtK().get(61), 1e-12, "Recall@K capped at the 61 references");
        for (int k = 1; k <= 61; k++) {
            assertEquals(hits[k] / 37, result.recallAt(k), 1e-12, "Recall@" + k);
        }
        int[] taken = result.neighbours(0);
        taken[0] = -5;
        assertEquals(ranked(queries[0], refs)[0], result.neighbours(0)[0], "a result is not changed through a copy");
        assertEquals(map / scored, m.mapAtR(), 1e-12);
        assertEquals(rp / scored, m.rPrecision(), 1e-12);
        assertEquals(lone, m.loneQueries());
        assertTrue(lone > 0, "the test has lone queries");
    }

    @Test
    void allAgainstAllIsTheSopProtocolAndBadInputsAreDataErrors() {
        float[][] x = random(30, 4, new SplittableRandom(2));
        int[] labels = new int[30];
        for (int i = 0; i < 30; i++) {
            labels[i] = i % 4;
        }
        RetrievalMetrics expected = RetrievalMetrics.compute(Nd4j.createFromArray(x), labels, 7);
        assertEquals(expected, RetrievalEvaluator.allAgainstAll(Nd4j.createFromArray(x), labels, "x").metrics());
        x[3][1] = Float.NaN;
        assertThrows(DataException.class, () -> RetrievalEvaluator.allAgainstAll(Nd4j.createFromArray(x), labels, "x"));
        assertThrows(DataException.class, () -> RetrievalEvaluator.queryAgainstReference(Nd4j.createFromArray(
                new float[][] {{1, 2}}), new int[] {1}, Nd4j.createFromArray(new float[][] {{1, 2, 3}}), new int[] {1}));
    }
}
