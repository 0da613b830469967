package org.dml4j.train;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads the embedding of the batch being trained from DL4J's forward pass, before the update, so
 * the loss and metrics the trainer prints come from the same pass and the same parameters as the
 * step (as the original fetched them from its executor run).
 */
public final class ForwardCapture extends BaseTrainingListener {
    /** What to compute from the batch's embedding: loss first, then the metrics. */
    public interface StepEvaluator {
        double[] evaluate(INDArray embedding, int[] labels);
    }

    private final String vertex;
    private final StepEvaluator evaluator;
    private int[] labels;
    private double[] result;

    /**
     * @param vertex    the vertex whose activations [N, D] are the embedding
     * @param evaluator what to compute from them and the batch's labels
     */
    public ForwardCapture(String vertex, StepEvaluator evaluator) {
        this.vertex = vertex;
        this.evaluator = evaluator;
    }

    /** Arms the capture for the next training step. */
    void expect(int[] batchLabels) {
        labels = batchLabels;
        result = null;
    }

    /** Loss and metrics of the last step. */
    double[] result() {
        if (result == null) {
            throw new IllegalStateException("the training step produced no forward pass for " + vertex);
        }
        return result;
    }

    @Override
    public void onForwardPass(Model model, Map<String, INDArray> activations) {
        if (labels != null && activations.containsKey(vertex)) {
            INDArray e = activations.get(vertex);
            // a copy: the activation array is still DL4J's, and the recall normalises in place
            result = evaluator.evaluate(e.reshape(e.size(0), -1).dup(), labels);
            labels = null;
        }
    }

    @Override
    public void onForwardPass(Model model, List<INDArray> activations) {
        // only computation graphs are trained here
    }
}
