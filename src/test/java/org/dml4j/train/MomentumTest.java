package org.dml4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.conf.serde.JsonMappers;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.shade.jackson.databind.ObjectMapper;

class MomentumTest {
    @Test
    void heavyBallStepsWithThePiecewiseSchedule() {
        LrSchedule lr = LrSchedule.parse(0.1, "piecewise_decay", "2");
        Momentum m = new Momentum(0.1, lr.toDl4j(), 0.9);
        INDArray state = Nd4j.zeros(DataType.DOUBLE, 1, 2);
        GradientUpdater<?> u = m.instantiate(state, true);
        double[][] grads = {{1.0, -2.0}, {0.5, 0.5}, {-1.0, 3.0}};
        double[] v = {0, 0};
        for (int it = 0; it < 3; it++) {
            INDArray g = Nd4j.createFromArray(new double[][] {grads[it].clone()});
            u.applyUpdater(g, it, 0);
            double rate = it < 2 ? 0.1 : 0.01;
            for (int j = 0; j < 2; j++) {
                v[j] = 0.9 * v[j] + grads[it][j];
                assertEquals(rate * v[j], g.getDouble(0, j), 1e-12, "step " + it);
            }
        }
        assertEquals(v[1], state.getDouble(0, 1), 1e-12, "velocity lives in the state view (saved with the model)");
    }

    @Test
    void survivesJson() throws Exception {
        Momentum m = new Momentum(0.01, LrSchedule.parse(0.01, "piecewise_decay", "15000,25000").toDl4j(), 0.9);
        ObjectMapper mapper = JsonMappers.getMapper();
        Momentum back = (Momentum) mapper.readValue(mapper.writeValueAsString(m), IUpdater.class);
        assertEquals(m, back);
        assertEquals(0.001, back.getLearningRate(15000, 0), 1e-15);
    }
}
