package org.dml4j.model.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Two networks with the same parameters, one batch: how far apart their gradients are (each computed in
 * its own data type, compared in float64).
 */
final class GradientComparison {
    private GradientComparison() {
    }

    /** ‖g_ours − g_theirs‖ / ‖g_theirs‖ over all parameters (theirs must have a non-zero gradient). */
    static double relativeDifference(ComputationGraph ours, ComputationGraph theirs, INDArray x, INDArray y) {
        for (ComputationGraph n : new ComputationGraph[] {ours, theirs}) {
            DataType type = n.params().dataType();
            n.setInputs(x.castTo(type));
            n.setLabels(y.castTo(type));
            n.computeGradientAndScore();
        }
        INDArray a = ours.getFlattenedGradients().castTo(DataType.DOUBLE);
        INDArray b = theirs.getFlattenedGradients().castTo(DataType.DOUBLE);
        double norm = b.norm2Number().doubleValue();
        assertTrue(norm > 0, "a zero gradient compares with anything");
        return a.sub(b).norm2Number().doubleValue() / norm;
    }
}
