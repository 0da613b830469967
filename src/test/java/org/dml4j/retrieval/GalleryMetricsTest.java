package org.dml4j.retrieval;

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

/**
 * CMC and mAP of the query/gallery protocol against a float64 brute force written out here in
 * torchreid's terms (sort the whole gallery, drop junk and same-identity-same-camera entries, take
 * the cumulative match curve and AP of the remaining ranking).
 */
class GalleryMetricsTest {
    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int t = 0; t < a.length; t++) {
            dot += (double) a[t] * b[t];
            na += (double) a[t] * a[t];
            nb += (double) b[t] * b[t];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }

    /** {valid queries, hits at each of RANKS, mAP} by the definitions. */
    private static double[] reference(float[][] q, int[] ql, int[] qc, float[][] g, int[] gl, int[] gc) {
        int valid = 0;
        double apSum = 0;
        int[] hits = new int[GalleryMetrics.RANKS.length];
        for (int i = 0; i < q.length; i++) {
            List<double[]> ranked = new ArrayList<>();
            for (int j = 0; j < g.length; j++) {
                ranked.add(new double[] {cosine(q[i], g[j]), j});
            }
            ranked.sort(Comparator.<double[]>comparingDouble(a -> -a[0]).thenComparingDouble(a -> a[1]));
            List<Boolean> matches = new ArrayList<>();
            for (double[] e : ranked) {
                int j = (int) e[1];
                boolean junk = gl[j] == -1 || qc != null && gl[j] == ql[i] && gc[j] == qc[i];
                if (!junk) {
                    matches.add(gl[j] == ql[i]);
                }
            }
            if (!matches.contains(true)) {
                continue;
            }
            valid++;
            int first = matches.indexOf(true);
            for (int k = 0; k < hits.length; k++) {
                hits[k] += first < GalleryMetrics.RANKS[k] ? 1 : 0;
            }
            int seen = 0;
            double ap = 0;
            for (int k = 0; k < matches.size(); k++) {
                if (matches.get(k)) {
                    seen++;
                    ap += seen / (double) (k + 1);
                }
            }
            apSum += ap / seen;
        }
        double[] out = new double[hits.length + 2];
        out[0] = valid;
        for (int k = 0; k < hits.length; k++) {
            out[k + 1] = hits[k];
        }
        out[hits.length + 1] = apSum / valid;
        return out;
    }

    private static float[][] random(int n, int d, SplittableRandom r) {
        float[][] x = new float[n][d];
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        return x;
    }

    /** Whether every query's gallery cosines are at least 1e-6 apart (float32 ranks them as float64 does). */
    private static boolean separated(float[][] q, float[][] g) {
        for (float[] query : q) {
            double[] s = new double[g.length];
            for (int j = 0; j < g.length; j++) {
                s[j] = cosine(query, g[j]);
            }
            java.util.Arrays.sort(s);
            for (int j = 1; j < s.length; j++) {
                if (s[j] - s[j - 1] < 1e-6) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void randomQueriesCamerasAndJunkEqualTheDefinitions() {
        SplittableRandom r = new SplittableRandom(3);
        float[][] q;
        float[][] g;
        do {
            q = random(45, 5, r);
            g = random(120, 5, r);
        } while (!separated(q, g));
        int[] ql = new int[q.length];
        int[] qc = new int[q.length];
        int[] gl = new int[g.length];
        int[] gc = new int[g.length];
        for (int i = 0; i < ql.length; i++) {
            ql[i] = r.nextInt(14);          // labels 12, 13: never in the gallery, so not valid
            qc[i] = r.nextInt(3);
        }
        for (int j = 0; j < gl.length; j++) {
            gl[j] = r.nextInt(10) == 0 ? RetrievalEvaluator.JUNK : r.nextInt(12);
            gc[j] = r.nextInt(3);
        }
        for (boolean cameras : new boolean[] {true, false}) {
            int[] qcs = cameras ? qc : null;
            int[] gcs = cameras ? gc : null;
            double[] want = reference(q, ql, qcs, g, gl, gcs);
            GalleryMetrics m = RetrievalEvaluator.queryAgainstGallery(Nd4j.createFromArray(q), ql, qcs,
                    Nd4j.createFromArray(g), gl, gcs);
            assertEquals(45, m.queries());
            assertEquals((int) want[0], m.validQueries());
            assertTrue(m.validQueries() < 45 && m.validQueries() > 30, "some queries have no relevant entry: "
                    + m.validQueries());
            for (int k = 0; k < GalleryMetrics.RANKS.length; k++) {
                assertEquals(want[k + 1] / want[0], m.cmc().get(GalleryMetrics.RANKS[k]), 1e-15, "rank-" + k);
            }
            assertEquals(want[want.length - 1], m.meanAveragePrecision(), 1e-12);
        }
    }

    @Test
    void tiesGoToTheLowerGalleryIndexAndJunkIsNeverCounted() {
        float[] e1 = {1, 0, 0};
        float[] e2 = {0, 1, 0};
        // query label 3 (e1): ranking e1(5), e1(3), e1(junk), e1(3), e2(3): exact ties at cosine 1 and 0
        float[][] g = {e1, e1, e1, e2, e1};
        int[] gl = {5, 3, -1, 3, 3};
        GalleryMetrics m = RetrievalEvaluator.queryAgainstGallery(Nd4j.createFromArray(new float[][] {e1}),
                new int[] {3}, null, Nd4j.createFromArray(g), gl, null);
        // valid ranking: 0(5) 1(3) 4(3) 3(3): relevant at ranks 2, 3, 4
        assertEquals(0.0, m.rank1());
        assertEquals(1.0, m.cmc().get(5));
        assertEquals((1 / 2.0 + 2 / 3.0 + 3 / 4.0) / 3, m.meanAveragePrecision(), 1e-15);
    }

    @Test
    void aCameraThatRemovesEveryMatchAndALabelMissingFromTheGalleryLeaveTheQueryOut() {
        float[][] g = {{1, 0}, {0, 1}, {1, 1}};
        int[] gl = {1, 2, 2};
        int[] gc = {0, 0, 1};
        float[][] q = {{1, 0}, {0, 1}, {0, 1}};
        int[] ql = {1, 2, 7};
        int[] qc = {0, 1, 0};
        // query 0: its only match shares camera 0 → not valid; query 1 (camera 1): entry 2 is removed,
        // entry 1 (camera 0) is first; query 2: label 7 absent
        GalleryMetrics m = RetrievalEvaluator.queryAgainstGallery(Nd4j.createFromArray(q), ql, qc,
                Nd4j.createFromArray(g), gl, gc);
        assertEquals(3, m.queries());
        assertEquals(1, m.validQueries());
        assertEquals(1.0, m.rank1());
        assertEquals(1.0, m.meanAveragePrecision());
        GalleryMetrics none = RetrievalEvaluator.queryAgainstGallery(Nd4j.createFromArray(new float[][] {{1, 0}}),
                new int[] {1}, new int[] {0}, Nd4j.createFromArray(g), gl, gc);
        assertEquals(0, none.validQueries());
        assertTrue(Double.isNaN(none.rank1()) && Double.isNaN(none.meanAveragePrecision()));
    }

    @Test
    void badInputsAreDataErrors() {
        float[][] g = {{1, 0}, {0, 1}};
        DataException junkQuery = assertThrows(DataException.class, () -> RetrievalEvaluator.queryAgainstGallery(
                Nd4j.createFromArray(new float[][] {{1, 0}}), new int[] {-1}, null, Nd4j.createFromArray(g),
                new int[] {1, 2}, null));
        assertTrue(junkQuery.getMessage().contains("query row 0 has the junk label -1"), junkQuery.getMessage());
        DataException nan = assertThrows(DataException.class, () -> RetrievalEvaluator.queryAgainstGallery(
                Nd4j.createFromArray(new float[][] {{1, 0}}), new int[] {1}, null,
                Nd4j.createFromArray(new float[][] {{1, 0}, {Float.NaN, 1}}), new int[] {1, 2}, null));
        assertTrue(nan.getMessage().startsWith("gallery: 1 of 2 embeddings hold NaN") && nan.getMessage().contains("row 1"),
                nan.getMessage());
        DataException width = assertThrows(DataException.class, () -> RetrievalEvaluator.queryAgainstGallery(
                Nd4j.createFromArray(new float[][] {{1, 0, 0}}), new int[] {1}, null, Nd4j.createFromArray(g),
                new int[] {1, 2}, null));
        assertTrue(width.getMessage().contains("queries are 3 wide but the gallery 2"), width.getMessage());
    }
}
