package org.dml4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.ImageShape;
import org.dml4j.loss.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * dml4j's L2 weight decay against DL4J's L2 (float64): the same parameters after training steps, a score
 * without ½λ‖w‖² (DL4J's score less its regularisation term), and serialisation.
 */
@ExtendWith(DoublePrecision.class)
class L2WeightDecayTest {
    private static final double L2 = 0.05;

    private static ComputationGraph net(boolean ours) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder().seed(9).dataType(DataType.DOUBLE)
                .updater(new Nesterovs(0.1, 0.9));
        if (ours) {
            b.regularization(new ArrayList<>(List.of(new L2WeightDecay(L2))))
                    .regularizationBias(new ArrayList<>(List.of(new L2WeightDecay(L2))));
        } else {
            b.l2(L2).l2Bias(L2);
        }
        ComputationGraphConfiguration conf = b.graphBuilder().addInputs("in").setInputTypes(InputType.feedForward(4))
                .addLayer("dense", new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "dense")
                .setOutputs("out").build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    @Test
    void trainsAsDl4jsL2AndLeavesTheTermOutOfTheScore() {
        ComputationGraph ours = net(true);
        ComputationGraph theirs = net(false);
        theirs.setParams(ours.params());
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 6, 4);
        INDArray y = Nd4j.randn(DataType.DOUBLE, 6, 2);
        for (int step = 0; step < 3; step++) {
            ours.fit(new INDArray[] {x}, new INDArray[] {y});
            theirs.fit(new INDArray[] {x}, new INDArray[] {y});
        }
        assertTrue(ours.params().equalsWithEps(theirs.params(), 1e-12), "the same decay in the gradient");
        double l2Term = theirs.calcRegularizationScore(true);
        assertTrue(l2Term > 1e-4, "DL4J's L2 puts a term in the score: " + l2Term);
        assertEquals(0, ours.calcRegularizationScore(true));
        // DL4J adds the regularisation term to the mean loss
        assertEquals(theirs.score(new org.nd4j.linalg.dataset.MultiDataSet(x, y)) - l2Term,
                ours.score(new org.nd4j.linalg.dataset.MultiDataSet(x, y)), 1e-12);
    }

    @Test
    void survivesJsonAndCloning() {
        ComputationGraphConfiguration conf = net(true).getConfiguration();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        List<Regularization> r = ((org.deeplearning4j.nn.conf.graph.LayerVertex) back.getVertices().get("dense"))
                .getLayerConf().getLayer().getRegularizationByParam("W");
        assertInstanceOf(L2WeightDecay.class, r.get(0));
        assertInstanceOf(L2WeightDecay.class, r.get(0).clone());
        assertNotEquals(new L2Regularization(L2), new L2WeightDecay(L2));
        assertNotEquals(new L2WeightDecay(L2), new L2Regularization(L2));
        assertEquals(new L2WeightDecay(L2), new L2WeightDecay(L2));
    }

    @Test
    void theEmbeddingNetworkDecaysEveryTrainableParameterThisWay() {
        ComputationGraph net = EmbeddingNetwork.forInference(new Architecture(ResNet.RESNET18, new ImageShape(3, 32, 32), 0), 0);
        // forInference has no decay (λ = 0); a training network has it on convolutions and BatchNorm's γ, β
        assertTrue(net.getLayer("conv1").conf().getLayer().getRegularizationByParam("W").isEmpty());
        ComputationGraph trained = EmbeddingNetwork.build(new Architecture(ResNet.RESNET18, new ImageShape(3, 32, 32), 0),
                new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build(),
                new Nesterovs(0.1, 0.9), 1e-4, 0, DataType.FLOAT);
        assertInstanceOf(L2WeightDecay.class, trained.getLayer("conv1").conf().getLayer().getRegularizationByParam("W").get(0));
        assertInstanceOf(L2WeightDecay.class, trained.getLayer("bn_conv1").conf().getLayer().getRegularizationByParam("gamma").get(0));
        assertEquals(0, trained.calcRegularizationScore(true));
    }
}
