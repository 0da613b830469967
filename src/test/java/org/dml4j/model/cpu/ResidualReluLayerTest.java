package org.dml4j.model.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.loss.DoublePrecision;
import org.dml4j.model.ResidualRelu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/** The in-place ReLU after a residual sum against DL4J's ActivationLayer (float64), and its serialisation. */
@ExtendWith(DoublePrecision.class)
class ResidualReluLayerTest {

    /** in → conv a, conv b → a + b → ReLU (ours or DL4J's) → average pool → MSE output. */
    private static ComputationGraph net(boolean ours) {
        return TestGraphs.withPooledMseOutput(new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.DOUBLE)
                .updater(new Sgd(0.1)).graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(5, 5, 2))
                .addLayer("a", new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(3).activation(Activation.IDENTITY).build(), "in")
                .addLayer("b", new ConvolutionLayer.Builder(1, 1).nOut(3).activation(Activation.IDENTITY).build(), "in")
                .addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "a", "b")
                .addLayer("relu", ours ? new ResidualRelu() : new ActivationLayer.Builder().activation(Activation.RELU).build(),
                        "sum"), "relu");
    }

    @Test
    void equalsDl4jsActivationLayerInBothDirectionsAndThroughTraining() {
        ComputationGraph ours = net(true);
        ComputationGraph theirs = net(false);
        theirs.setParams(ours.params());
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 4, 2, 5, 5);
        INDArray y = Nd4j.randn(DataType.DOUBLE, 4, 2);
        for (boolean training : new boolean[] {false, true}) {
            assertTrue(ours.outputSingle(training, x).equalsWithEps(theirs.outputSingle(training, x), 1e-12));
        }
        assertTrue(ours.getLayer("relu") instanceof ResidualReluLayer);
        double difference = GradientComparison.relativeDifference(ours, theirs, x, y);
        assertTrue(difference <= 1e-12, "gradients differ by " + difference);
        for (int step = 0; step < 3; step++) {
            ours.fit(new INDArray[] {x}, new INDArray[] {y});
            theirs.fit(new INDArray[] {x}, new INDArray[] {y});
        }
        assertTrue(ours.params().equalsWithEps(theirs.params(), 1e-12), "parameters after three steps");
    }

    @Test
    void survivesJson() {
        ComputationGraphConfiguration conf = net(true).getConfiguration();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        assertTrue(((org.deeplearning4j.nn.conf.graph.LayerVertex) back.getVertices().get("relu")).getLayerConf()
                .getLayer() instanceof ResidualRelu);
    }
}
