package org.dml4j.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.TreeSet;
import org.dml4j.error.DataException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** Verification metrics against brute-force float64 definitions written out here. */
class VerificationTest {
    /** Scores rounded to 2 decimals so that many tie, half of them same pairs scoring higher on average. */
    private static double[][] data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] s = new double[n];
        double[] same = new double[n];
        for (int i = 0; i < n; i++) {
            same[i] = r.nextBoolean() ? 1 : 0;
            s[i] = Math.round((r.nextGaussian() * 0.25 + (same[i] == 1 ? 0.3 : 0)) * 100) / 100.0;
        }
        return new double[][] {s, same};
    }

    private static boolean[] bools(double[] v) {
        boolean[] b = new boolean[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = v[i] == 1;
        }
        return b;
    }

    /** Accuracy of "same iff score ≥ t", counted directly. */
    private static double accuracy(double[] s, boolean[] same, double t, int from, int to, boolean inside) {
        int correct = 0;
        int n = 0;
        for (int i = 0; i < s.length; i++) {
            if ((i >= from && i < to) == inside) {
                n++;
                correct += (s[i] >= t) == same[i] ? 1 : 0;
            }
        }
        return correct / (double) n;
    }

    @Test
    void everyMetricEqualsItsDefinition() {
        double[][] d = data(600, 11);
        double[] s = d[0];
        boolean[] same = bools(d[1]);
        Verification.Metrics m = Verification.evaluate(s, same, 10);

        // 10-fold accuracy: every candidate threshold tried on the other nine folds
        for (int f = 0; f < 10; f++) {
            TreeSet<Double> values = new TreeSet<>();
            for (int i = 0; i < s.length; i++) {
                if (i < f * 60 || i >= f * 60 + 60) {
                    values.add(s[i]);
                }
            }
            Double[] v = values.toArray(new Double[0]);
            double best = -1;
            double bestT = 0;
            double[] candidates = new double[v.length + 1];
            candidates[0] = Double.NEGATIVE_INFINITY;
            for (int k = 1; k < v.length; k++) {
                candidates[k] = (v[k - 1] + v[k]) / 2;
            }
            candidates[v.length] = Double.POSITIVE_INFINITY;
            for (double t : candidates) {           // ascending: ≥ keeps the highest of equal accuracies
                double a = accuracy(s, same, t, f * 60, f * 60 + 60, false);
                if (a >= best) {
                    best = a;
                    bestT = t;
                }
            }
            assertEquals(bestT, m.foldThreshold()[f], 0.0, "fold " + f);
            assertEquals(accuracy(s, same, bestT, f * 60, f * 60 + 60, true), m.foldAccuracy()[f], 0.0, "fold " + f);
        }

        // AUC: every (same, different) pair compared, ties ½
        double wins = 0;
        int pos = 0;
        int neg = 0;
        for (int i = 0; i < s.length; i++) {
            if (same[i]) {
                pos++;
                for (int j = 0; j < s.length; j++) {
                    if (!same[j]) {
                        wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                    }
                }
            } else {
                neg++;
            }
        }
        assertEquals(wins / ((double) pos * neg), m.auc(), 1e-12);
        assertEquals(pos, m.positives());
        assertEquals(neg, m.negatives());

        // TAR@FAR: the lowest candidate threshold with at most FAR·negatives different pairs above it
        for (double far : Verification.FARS) {
            double threshold = Double.POSITIVE_INFINITY;
            TreeSet<Double> candidates = new TreeSet<>();
            for (int i = 0; i < s.length; i++) {
                candidates.add(s[i]);
            }
            candidates.add(Double.NEGATIVE_INFINITY);
            for (double t : candidates.descendingSet()) {
                int above = 0;
                for (int i = 0; i < s.length; i++) {
                    above += !same[i] && s[i] > t ? 1 : 0;
                }
                if (above <= far * neg) {
                    threshold = t;
                }
            }
            int accepted = 0;
            for (int i = 0; i < s.length; i++) {
                accepted += same[i] && s[i] > threshold ? 1 : 0;
            }
            assertEquals(accepted / (double) pos, m.tarAtFar().get(far), 0.0, "far " + far);
        }

        // EER: the point (eer, 1 - eer) lies on the ROC polyline, whose vertices are (FAR, TAR) at every score
        Verification.RocPoint[] roc = m.roc();
        for (Verification.RocPoint p : roc) {
            int fa = 0;
            int ta = 0;
            for (int i = 0; i < s.length; i++) {
                if (s[i] >= p.threshold()) {
                    fa += same[i] ? 0 : 1;
                    ta += same[i] ? 1 : 0;
                }
            }
            assertEquals(fa / (double) neg, p.far(), 0.0);
            assertEquals(ta / (double) pos, p.tar(), 0.0);
        }
        assertTrue(onPolyline(roc, m.eer(), 1 - m.eer()), "EER " + m.eer());
        assertTrue(m.eer() > 0.1 && m.eer() < 0.4, "a noisy but informative score: EER " + m.eer());
    }

    private static boolean onPolyline(Verification.RocPoint[] roc, double x, double y) {
        for (int k = 1; k < roc.length; k++) {
            double x0 = roc[k - 1].far();
            double y0 = roc[k - 1].tar();
            double x1 = roc[k].far();
            double y1 = roc[k].tar();
            double cross = (x1 - x0) * (y - y0) - (y1 - y0) * (x - x0);
            boolean within = x >= Math.min(x0, x1) - 1e-12 && x <= Math.max(x0, x1) + 1e-12
                    && y >= Math.min(y0, y1) - 1e-12 && y <= Math.max(y0, y1) + 1e-12;
            if (within && Math.abs(cross) < 1e-12) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aHandWorkedExample() {
        // same: 0.9 0.6 0.4; different: 0.7 0.3 0.2 0.1 (sorted: .9s .7d .6s .4s .3d .2d .1d)
        double[] s = {0.9, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1, 0.9, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1};
        boolean[] same = {true, false, true, true, false, false, false, true, false, true, true, false, false, false};
        Verification.Metrics m = Verification.evaluate(s, same, 2);
        // AUC: 0.9 beats 4, 0.6 beats 3, 0.4 beats 3 of the different 0.7 0.3 0.2 0.1 → (4+3+3)/12 per copy
        assertEquals(10 / 12.0, m.auc(), 1e-15);
        // ROC vertices (0,0) (0,1/3) (1/4,1/3) (1/4,1) ...: crosses TAR = 1 - FAR on the vertical segment at FAR 1/4
        assertEquals(0.25, m.eer(), 1e-15);
        // each fold's threshold from the other: best accuracy 6/7 at (0.4 + 0.3) / 2 = 0.35
        assertArrayEquals(new double[] {0.35, 0.35}, m.foldThreshold(), 1e-15);
        assertEquals(6 / 7.0, m.accuracy(), 1e-15);
        assertEquals(0.0, m.accuracyStd());
        // FAR 1e-2 of 8 different pairs: none may lie above → threshold 0.7 → only the two 0.9 same pairs
        assertEquals(2 / 6.0, m.tarAtFar().get(1e-2), 1e-15);
    }

    @Test
    void scoresAreCosinesAndBadPairCountsAreDataErrors() {
        double[] s = Verification.scores(Nd4j.createFromArray(new float[][] {{3, 4}, {4, 3}, {0, 0}, {-3, -4}}),
                new int[] {0, 0, 0}, new int[] {1, 2, 3});
        assertArrayEquals(new double[] {24 / 25.0, 0, -1}, s, 1e-7);
        DataException folds = assertThrows(DataException.class,
                () -> Verification.evaluate(new double[] {1, 2, 3}, new boolean[] {true, false, true}, 10));
        assertTrue(folds.getMessage().contains("3 pairs do not make 10 equal folds"), folds.getMessage());
        DataException oneKind = assertThrows(DataException.class,
                () -> Verification.evaluate(new double[] {1, 2}, new boolean[] {true, true}, 2));
        assertTrue(oneKind.getMessage().contains("2 same and 0 different"), oneKind.getMessage());
    }
}
