package org.dml4j.retrieval;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dml4j.error.DataException;
import org.dml4j.math.Rows;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Face verification on labelled pairs, as LFW defines it (Huang et al., "Labeled Faces in the
 * Wild", 2007; docs/PROTOCOLS.md "Verification"): the score of a pair is the cosine similarity of
 * its two embeddings, a pair is predicted "same" when its score is at least a threshold.
 * <ul>
 * <li>Accuracy: the pairs form {@code folds} consecutive equal folds; for each fold the threshold is
 * chosen on the other folds (the one with the highest accuracy there; candidates are the midpoints
 * between consecutive distinct scores, and −∞/+∞; among equally accurate thresholds the highest,
 * as insightface's argmax over ascending distance thresholds), then applied to the fold. Mean and
 * population standard deviation (numpy's default) over folds. With one fold (LFW's View 1 files)
 * there is no accuracy, only the threshold-free measures below.</li>
 * <li>ROC AUC over all pairs: the probability that a same pair scores above a different pair, ties
 * counting ½ (Mann–Whitney).</li>
 * <li>EER: where the ROC (FAR, TAR at every distinct score, joined by straight lines, as
 * scikit-learn's {@code roc_curve}) crosses TAR = 1 − FAR; the FAR there.</li>
 * <li>TAR@FAR f: the threshold is the lowest score such that at most f of the different pairs score
 * above it (the ⌊f·negatives⌋+1-th highest different-pair score); TAR is the share of same pairs
 * scoring above it.</li>
 * </ul>
 */
public final class Verification {
    /** The FARs at which TAR is reported. */
    public static final double[] FARS = {1e-2, 1e-3};

    private Verification() {
    }

    /**
     * One point of the ROC curve.
     *
     * @param far       false accept rate: share of different pairs with score ≥ threshold
     * @param tar       true accept rate: share of same pairs with score ≥ threshold
     * @param threshold the score threshold
     */
    public record RocPoint(double far, double tar, double threshold) {
    }

    /**
     * The verification metrics (immutable).
     *
     * @param pairs            number of pairs
     * @param positives        same pairs
     * @param negatives        different pairs
     * @param foldAccuracy     accuracy of each fold with its threshold chosen on the others
     * @param foldThreshold    that threshold, per fold
     * @param auc              ROC AUC
     * @param eer              equal error rate
     * @param tarAtFar         FAR → TAR, for {@link #FARS}
     * @param roc              the ROC curve from (0, 0) to (1, 1)
     */
    public record Metrics(int pairs, int positives, int negatives, double[] foldAccuracy, double[] foldThreshold,
                          double auc, double eer, Map<Double, Double> tarAtFar, RocPoint[] roc) {
        public Metrics {
            foldAccuracy = foldAccuracy.clone();
            foldThreshold = foldThreshold.clone();
            tarAtFar = Collections.unmodifiableMap(new LinkedHashMap<>(tarAtFar));
            roc = roc.clone();
        }

        /** Mean accuracy over folds (NaN with one fold: no other folds to choose its threshold on). */
        public double accuracy() {
            return Arrays.stream(foldAccuracy).average().orElse(Double.NaN);
        }

        /** Population standard deviation of the fold accuracies. */
        public double accuracyStd() {
            double mean = accuracy();
            return Math.sqrt(Arrays.stream(foldAccuracy).map(a -> (a - mean) * (a - mean)).average().orElse(0));
        }

        @Override
        public double[] foldAccuracy() {
            return foldAccuracy.clone();
        }

        @Override
        public double[] foldThreshold() {
            return foldThreshold.clone();
        }

        @Override
        public RocPoint[] roc() {
            return roc.clone();
        }
    }

    /**
     * Cosine similarity of each pair, in double precision.
     *
     * @param features [N, D], finite (checked by the caller, naming the source)
     * @param first    row of each pair's first image
     * @param second   row of each pair's second image
     * @return [pairs] scores in [−1, 1]; 0 when either row is zero
     */
    public static double[] scores(INDArray features, int[] first, int[] second) {
        Rows.RowAccess rows = new Rows.RowAccess(Embeddings.normalizeRows(features));
        double[] s = new double[first.length];
        for (int p = 0; p < s.length; p++) {
            double[] a = rows.get(first[p]);
            double[] b = rows.get(second[p]);
            double dot = 0;
            for (int c = 0; c < a.length; c++) {
                dot += a[c] * b[c];
            }
            s[p] = dot;
        }
        return s;
    }

    /**
     * @param scores the pairs' scores (higher = more alike)
     * @param same   whether each pair shows the same identity
     * @param folds  consecutive equal folds for the accuracy (LFW: 10)
     * @throws DataException when the pairs do not divide into the folds, or lack same or different pairs
     */
    public static Metrics evaluate(double[] scores, boolean[] same, int folds) {
        int n = scores.length;
        if (folds < 1) {
            throw new DataException("the pairs say folds=" + folds + "; at least 1 is needed");
        }
        if (n == 0 || n % folds != 0) {
            throw new DataException(n + " pairs do not make " + folds + " equal folds (LFW's layout: " + folds
                    + " consecutive folds of the same size)");
        }
        int positives = 0;
        for (boolean b : same) {
            positives += b ? 1 : 0;
        }
        int negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            throw new DataException("verification needs both same and different pairs, got " + positives + " same and "
                    + negatives + " different");
        }
        int size = n / folds;
        int scoredFolds = folds == 1 ? 0 : folds;     // one fold: no other folds to choose a threshold on
        double[] accuracy = new double[scoredFolds];
        double[] threshold = new double[scoredFolds];
        for (int f = 0; f < scoredFolds; f++) {
            int from = f * size;
            int to = from + size;
            double[] trainScores = new double[n - size];
            boolean[] trainSame = new boolean[n - size];
            int t = 0;
            for (int p = 0; p < n; p++) {
                if (p < from || p >= to) {
                    trainScores[t] = scores[p];
                    trainSame[t++] = same[p];
                }
            }
            threshold[f] = bestThreshold(trainScores, trainSame);
            int correct = 0;
            for (int p = from; p < to; p++) {
                correct += (scores[p] >= threshold[f]) == same[p] ? 1 : 0;
            }
            accuracy[f] = correct / (double) size;
        }
        RocPoint[] roc = roc(scores, same, positives, negatives);
        Map<Double, Double> tar = new LinkedHashMap<>();
        for (double far : FARS) {
            tar.put(far, tarAtFar(scores, same, far));
        }
        return new Metrics(n, positives, negatives, accuracy, threshold, auc(scores, same, positives, negatives),
                eer(roc), tar, roc);
    }

    /** The most accurate threshold on these pairs (the highest among equals); see the class comment. */
    static double bestThreshold(double[] scores, boolean[] same) {
        Integer[] order = sortedDescending(scores);
        int n = scores.length;
        int positives = 0;
        for (boolean b : same) {
            positives += b ? 1 : 0;
        }
        // threshold +∞: everything "different"; correct = the different pairs
        int correct = n - positives;
        int best = correct;
        double bestThreshold = Double.POSITIVE_INFINITY;
        int i = 0;
        while (i < n) {
            double v = scores[order[i]];
            while (i < n && scores[order[i]] == v) {       // lowering the threshold below v accepts this group
                correct += same[order[i]] ? 1 : -1;
                i++;
            }
            double next = i < n ? scores[order[i]] : Double.NEGATIVE_INFINITY;
            if (correct > best) {
                best = correct;
                double mid = (v + next) / 2;        // v itself when v and next are neighbouring doubles
                bestThreshold = i == n ? Double.NEGATIVE_INFINITY : mid > next ? mid : v;
            }
        }
        return bestThreshold;
    }

    private static Integer[] sortedDescending(double[] scores) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        return order;
    }

    /** The ROC at every distinct score, from (0, 0) to (1, 1). */
    static RocPoint[] roc(double[] scores, boolean[] same, int positives, int negatives) {
        Integer[] order = sortedDescending(scores);
        RocPoint[] points = new RocPoint[scores.length + 1];
        points[0] = new RocPoint(0, 0, Double.POSITIVE_INFINITY);
        int k = 1;
        int tp = 0;
        int fp = 0;
        int i = 0;
        while (i < order.length) {
            double v = scores[order[i]];
            while (i < order.length && scores[order[i]] == v) {
                if (same[order[i]]) {
                    tp++;
                } else {
                    fp++;
                }
                i++;
            }
            points[k++] = new RocPoint(fp / (double) negatives, tp / (double) positives, v);
        }
        return Arrays.copyOf(points, k);
    }

    /** Mann–Whitney AUC, ties ½. */
    static double auc(double[] scores, boolean[] same, int positives, int negatives) {
        Integer[] order = sortedDescending(scores);
        double sum = 0;         // Σ over same pairs of (different pairs below + ½ equal)
        int negativesAbove = 0;
        int i = 0;
        while (i < order.length) {
            double v = scores[order[i]];
            int p = 0;
            int q = 0;
            while (i < order.length && scores[order[i]] == v) {
                if (same[order[i]]) {
                    p++;
                } else {
                    q++;
                }
                i++;
            }
            sum += p * (negatives - negativesAbove - q + 0.5 * q);
            negativesAbove += q;
        }
        return sum / ((double) positives * negatives);
    }

    /** Where the piecewise-linear ROC crosses TAR = 1 − FAR. */
    static double eer(RocPoint[] roc) {
        for (int k = 1; k < roc.length; k++) {
            double g0 = roc[k - 1].tar() + roc[k - 1].far() - 1;
            double g1 = roc[k].tar() + roc[k].far() - 1;
            if (g1 >= 0) {
                double a = g1 == g0 ? 0 : -g0 / (g1 - g0);
                return roc[k - 1].far() + a * (roc[k].far() - roc[k - 1].far());
            }
        }
        return 1;       // not reached: the last point (1, 1) has g = 1
    }

    /** TAR at the lowest threshold with at most {@code far} of the different pairs above it. */
    static double tarAtFar(double[] scores, boolean[] same, double far) {
        double[] neg = new double[scores.length];
        int m = 0;
        for (int p = 0; p < scores.length; p++) {
            if (!same[p]) {
                neg[m++] = scores[p];
            }
        }
        neg = Arrays.copyOf(neg, m);
        Arrays.sort(neg);
        int allowed = (int) Math.floor(far * m + 1e-9);
        double threshold = allowed >= m ? Double.NEGATIVE_INFINITY : neg[m - 1 - allowed];
        int accepted = 0;
        int positives = 0;
        for (int p = 0; p < scores.length; p++) {
            if (same[p]) {
                positives++;
                accepted += scores[p] > threshold ? 1 : 0;
            }
        }
        return accepted / (double) positives;
    }
}
