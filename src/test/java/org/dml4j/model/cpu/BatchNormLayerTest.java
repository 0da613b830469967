package org.dml4j.model.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.loss.DoublePrecision;
import org.dml4j.model.RegularizedBatchNorm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * Our BatchNorm layer against DL4J's own (float64, its built-in path): outputs, gradients, running
 * statistics after training steps, with and without the fused ReLU; the gradient check; serialisation.
 */
@ExtendWith(DoublePrecision.class)
class BatchNormLayerTest {

    /** conv → BatchNorm (ours, or DL4J's followed by an ActivationLayer) → average pool → MSE output. */
    private static ComputationGraph net(boolean ours, boolean relu, DataType type) {
        return net(ours, relu, type, new Sgd(0.1));
    }

    private static ComputationGraph net(boolean ours, boolean relu, DataType type, IUpdater updater) {
        return net(ours, relu, type, updater, 4);
    }

    private static ComputationGraph net(boolean ours, boolean relu, DataType type, IUpdater updater, int channels) {
        GraphBuilder g = new NeuralNetConfiguration.Builder().seed(4).dataType(type).updater(updater)
                .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(6, 6, 3))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(channels).hasBias(false)
                        .activation(Activation.IDENTITY).build(), "in");
        String last = "bn";
        if (ours) {
            RegularizedBatchNorm bn = RegularizedBatchNorm.of(0.9, 1e-5);
            g.addLayer("bn", relu ? bn.withRelu() : bn, "conv");
        } else {
            g.addLayer("bn", new BatchNormalization.Builder().decay(0.9).eps(1e-5).useLogStd(false).build(), "conv");
            if (relu) {
                g.addLayer("relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), "bn");
                last = "relu";
            }
        }
        return TestGraphs.withPooledMseOutput(g, last);
    }

    private static INDArray x(DataType type) {
        Nd4j.getRandom().setSeed(12);
        // an offset mean per example, so centring matters
        return Nd4j.randn(DataType.DOUBLE, 5, 3, 6, 6).addi(3.0).castTo(type);
    }

    private static INDArray y(DataType type) {
        return Nd4j.createFromArray(new double[][] {{1, 0}, {0, 1}, {0.5, 0.5}, {-1, 2}, {0.2, -0.3}}).castTo(type);
    }

    @Test
    void gradientCheckInDoublePrecisionWithAndWithoutRelu() {
        for (boolean relu : new boolean[] {true, false}) {
            ComputationGraph net = net(true, relu, DataType.DOUBLE, new NoOp());
            net.setParams(net.params().addi(Nd4j.rand(DataType.DOUBLE, net.params().shape()).muli(0.3)));
            assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                    .inputs(new INDArray[] {x(DataType.DOUBLE)}).labels(new INDArray[] {y(DataType.DOUBLE)})
                    .excludeParams(Set.of("bn_mean", "bn_var")).epsilon(1e-6).maxRelError(1e-5)
                    .minAbsoluteError(1e-9)), "relu " + relu);
        }
    }

    @Test
    void equalsDl4jsBatchNormInBothDirectionsAndInItsRunningStatistics() {
        for (boolean relu : new boolean[] {true, false}) {
            ComputationGraph ours = net(true, relu, DataType.DOUBLE);
            ComputationGraph theirs = net(false, relu, DataType.DOUBLE);
            // γ, β and the running statistics away from their initial values
            ours.setParams(ours.params().addi(Nd4j.rand(DataType.DOUBLE, ours.params().shape()).muli(0.5)));
            theirs.setParams(ours.params());
            INDArray x = x(DataType.DOUBLE);
            for (boolean training : new boolean[] {false, true}) {
                INDArray a = ours.outputSingle(training, x);
                INDArray b = theirs.outputSingle(training, x);
                assertTrue(a.equalsWithEps(b, 1e-12), "relu " + relu + " training " + training + "\n" + a + "\n" + b);
            }
            double difference = GradientComparison.relativeDifference(ours, theirs, x, y(DataType.DOUBLE));
            assertTrue(difference <= 1e-12, "relu " + relu + ": " + difference);
            for (int step = 0; step < 3; step++) {
                ours.fit(new INDArray[] {x}, new INDArray[] {y(DataType.DOUBLE)});
                theirs.fit(new INDArray[] {x}, new INDArray[] {y(DataType.DOUBLE)});
            }
            for (String p : new String[] {"gamma", "beta", "mean", "var"}) {
                INDArray a = ours.getLayer("bn").getParam(p);
                INDArray b = theirs.getLayer("bn").getParam(p);
                assertTrue(a.equalsWithEps(b, 1e-12), p + " relu " + relu + "\n" + a + "\n" + b);
            }
            assertTrue(ours.getLayer("bn").getParam("mean").minNumber().doubleValue() > 0.1,
                    "the running mean moved towards the batch mean");
        }
    }

    @Test
    void oneDnnsBatchNormInFloat32EqualsDl4jsInFloat64WithItsRunningStatistics() {
        // 4 channels: oneDNN on NCHW, ReLU by the layer; 16: oneDNN's blocked layout with the ReLU fused
        for (int channels : new int[] {4, 16}) {
            for (boolean relu : new boolean[] {true, false}) {
                oneDnnAgainstFloat64(relu, channels);
            }
        }
    }

    private static void oneDnnAgainstFloat64(boolean relu, int channels) {
        {
            ComputationGraph ours = net(true, relu, DataType.FLOAT, new Sgd(0.1), channels);
            ComputationGraph reference = net(false, relu, DataType.DOUBLE, new Sgd(0.1), channels);
            ours.setParams(ours.params().addi(Nd4j.rand(DataType.FLOAT, ours.params().shape()).muli(0.5)));
            reference.setParams(ours.params().castTo(DataType.DOUBLE));
            INDArray x = x(DataType.DOUBLE);
            INDArray out = ours.outputSingle(true, x.castTo(DataType.FLOAT)).castTo(DataType.DOUBLE);
            assertTrue(((BatchNormLayer) ours.getLayer("bn")).oneDnn(), Helpers.summary(ours));
            INDArray expected = reference.outputSingle(true, x);
            assertTrue(out.sub(expected).norm2Number().doubleValue() <= 1e-5 * expected.norm2Number().doubleValue(),
                    "relu " + relu + " channels " + channels + "\n" + out + "\n" + expected);
            double difference = GradientComparison.relativeDifference(ours, reference, x, y(DataType.DOUBLE));
            assertTrue(difference <= 1e-5, "relu " + relu + " channels " + channels + ": " + difference);
            for (int step = 0; step < 3; step++) {
                ours.fit(new INDArray[] {x.castTo(DataType.FLOAT)}, new INDArray[] {y(DataType.FLOAT)});
                reference.fit(new INDArray[] {x}, new INDArray[] {y(DataType.DOUBLE)});
            }
            for (String p : new String[] {"gamma", "beta", "mean", "var"}) {
                INDArray a = ours.getLayer("bn").getParam(p).castTo(DataType.DOUBLE);
                INDArray b = reference.getLayer("bn").getParam(p);
                assertTrue(a.sub(b).amaxNumber().doubleValue() <= 1e-4 * Math.max(1, b.amaxNumber().doubleValue()),
                        p + " relu " + relu + " channels " + channels + "\n" + a + "\n" + b);
            }
        }
    }

    @Test
    void inSinglePrecisionItAgreesWithDl4jsLayer() {
        inSinglePrecisionItAgreesWithDl4jsLayerOnce();
        OneDnnTesting.without(BatchNormLayerTest::inSinglePrecisionItAgreesWithDl4jsLayerOnce);
    }

    private static void inSinglePrecisionItAgreesWithDl4jsLayerOnce() {
        for (boolean relu : new boolean[] {true, false}) {
            ComputationGraph ours = net(true, relu, DataType.FLOAT);
            ComputationGraph theirs = net(false, relu, DataType.FLOAT);
            theirs.setParams(ours.params());
            INDArray x = x(DataType.FLOAT);
            double difference = GradientComparison.relativeDifference(ours, theirs, x, y(DataType.FLOAT));
            assertTrue(difference <= 1e-4, "relu " + relu + ": " + difference);
            assertTrue(ours.outputSingle(true, x).equalsWithEps(theirs.outputSingle(true, x), 1e-5));
        }
    }

    @Test
    void survivesJsonAndModelSerialisation() throws java.io.IOException {
        ComputationGraph net = net(true, true, DataType.DOUBLE);
        var conf = org.deeplearning4j.nn.conf.ComputationGraphConfiguration.fromJson(net.getConfiguration().toJson());
        assertEquals(net.getConfiguration(), conf);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        org.deeplearning4j.util.ModelSerializer.writeModel(net, bytes, false);
        ComputationGraph back = org.deeplearning4j.util.ModelSerializer.restoreComputationGraph(
                new java.io.ByteArrayInputStream(bytes.toByteArray()), false);
        assertTrue(back.getLayer("bn") instanceof BatchNormLayer);
        assertEquals(net.outputSingle(false, x(DataType.DOUBLE)), back.outputSingle(false, x(DataType.DOUBLE)));
    }
}
