package org.dml4j.train;

import java.util.Arrays;
import java.util.List;

/**
 * What one training step reports, as the original prints it (docs/ORIGINAL.md §6.2): the loss and
 * the training metrics ({@code acc1, acc5} for train-elem, {@code recall} for train-pair).
 *
 * @param loss    the batch loss (without the L2 term)
 * @param metrics the metrics, in the order of the trainer's metric names
 */
record StepResult(double loss, double[] metrics) {
    StepResult {
        metrics = metrics.clone();
    }

    /**
     * One network's (or share's) result from what {@link ForwardCapture} read: train-elem's capture
     * is {loss, acc1, acc5}; a pair loss's is {regularisation score, recall}, and its loss is the
     * layer's score less that term (a SameDiff output layer's score is (loss sum + regularisation) /
     * batch size).
     */
    static StepResult of(double[] captured, double score, int size, boolean pair) {
        double loss = pair ? score - captured[0] / size : captured[0];
        return new StepResult(loss, Arrays.copyOfRange(captured, 1, captured.length));
    }

    /** The mean over devices, as the original prints a multi-device step. */
    static StepResult mean(List<StepResult> shares) {
        double loss = 0;
        double[] metrics = new double[shares.get(0).metrics.length];
        for (StepResult r : shares) {
            loss += r.loss;
            for (int i = 0; i < metrics.length; i++) {
                metrics[i] += r.metrics[i];
            }
        }
        for (int i = 0; i < metrics.length; i++) {
            metrics[i] /= shares.size();
        }
        return new StepResult(loss / shares.size(), metrics);
    }
}
