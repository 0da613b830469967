package org.dml4j.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one training step reports, as the original prints it (docs/ORIGINAL.md §6.2): the loss and
 * the training metrics by name ({@code acc1, acc5} for train-elem, {@code recall} for train-pair),
 * in the order they are printed.
 *
 * @param loss    the batch loss (without the L2 term)
 * @param metrics metric name → value, unmodifiable, in print order
 */
record StepResult(double loss, Map<String, Double> metrics) {
    StepResult {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /**
     * One network's (or share's) result from what {@link ForwardCapture} read: train-elem's capture
     * is {loss, acc1, acc5}; a pair loss's is {regularisation score, recall}, and its loss is the
     * layer's score less that term (a SameDiff output layer's score is (loss sum + regularisation) /
     * batch size).
     *
     * @param names the metrics' names, one per captured value after the first
     */
    static StepResult of(double[] captured, String[] names, double score, int size, boolean pair) {
        if (captured.length != names.length + 1) {
            throw new IllegalArgumentException("captured " + captured.length + " values for the loss and "
                    + names.length + " metrics");
        }
        double loss = pair ? score - captured[0] / size : captured[0];
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            metrics.put(names[i], captured[i + 1]);
        }
        return new StepResult(loss, metrics);
    }

    /** The mean over devices, as the original prints a multi-device step. */
    static StepResult mean(List<StepResult> shares) {
        double loss = 0;
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (StepResult r : shares) {
            loss += r.loss;
            r.metrics.forEach((name, v) -> metrics.merge(name, v / shares.size(), Double::sum));
        }
        return new StepResult(loss / shares.size(), metrics);
    }
}
