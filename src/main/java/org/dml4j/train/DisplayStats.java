package org.dml4j.train;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import org.dml4j.inference.Progress;

/**
 * The original's training display (docs/ORIGINAL.md §6.2): running sums of loss and metrics averaged at each
 * print, reset every 1000 iterations (after printing) whatever the display interval; time is the
 * mean step time of the N iterations before the printed one (N = display_iter_step), 0 at t = 0.
 */
final class DisplayStats {
    private static final int RESET_EVERY = 1000;

    private final String[] metricNames;
    private final int displayStep;
    private final Deque<Double> recentSeconds = new ArrayDeque<>();
    private double lossSum;
    private final double[] metricSums;
    private int count;

    DisplayStats(int displayStep, String... metricNames) {
        this.displayStep = displayStep;
        this.metricNames = metricNames;
        this.metricSums = new double[metricNames.length];
    }

    /**
     * Adds iteration t's values and the duration of its step.
     *
     * @param metrics by name; must hold every name this display prints
     */
    void add(double loss, Map<String, Double> metrics, double stepSeconds) {
        lossSum += loss;
        for (int i = 0; i < metricNames.length; i++) {
            Double v = metrics.get(metricNames[i]);
            if (v == null) {
                throw new IllegalArgumentException("the step reported no " + metricNames[i] + " (it has "
                        + metrics.keySet() + ")");
            }
            metricSums[i] += v;
        }
        count++;
        recentSeconds.addLast(stepSeconds);
        if (recentSeconds.size() > displayStep + 1) {
            recentSeconds.removeFirst();
        }
    }

    double meanLoss() {
        return lossSum / count;
    }

    double meanMetric(int i) {
        return metricSums[i] / count;
    }

    double[] meanMetrics() {
        double[] m = new double[metricSums.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = meanMetric(i);
        }
        return m;
    }

    /** The original's line for iteration t (call after {@link #add} for t). */
    String line(long t, double lr) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "[%s] trainbatch %d, lr %.6f, loss %.6f", Progress.now(),
                t, lr, meanLoss()));
        for (int i = 0; i < metricNames.length; i++) {
            sb.append(String.format(Locale.ROOT, ", %s %.4f", metricNames[i], meanMetric(i)));
        }
        double time = 0;
        if (recentSeconds.size() > 1) {
            time = recentSeconds.stream().limit(recentSeconds.size() - 1).mapToDouble(Double::doubleValue).sum()
                    / displayStep;
        }
        sb.append(String.format(Locale.ROOT, ", time %2.2f sec", time));
        return sb.toString();
    }

    /** The original resets its sums when t is a multiple of 1000, after printing. */
    void maybeReset(long t) {
        if (t % RESET_EVERY == 0) {
            lossSum = 0;
            Arrays.fill(metricSums, 0);
            count = 0;
        }
    }
}
