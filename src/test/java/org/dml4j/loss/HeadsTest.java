package org.dml4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/** Heads against float64 values computed by hand, and gradient checks in double precision. */
@ExtendWith(DoublePrecision.class)
class HeadsTest {
    private static final int[] LABELS = {0, 2, 1, 2};
    /** Four 3-d features at fixed angles, one nearly opposite its class weight (fallback branch). */
    private static final double[][] X = {{1.0, 0.2, -0.3}, {0.1, 0.9, 0.4}, {-0.5, 0.3, 0.8}, {-0.2, -1.0, -0.5}};
    /** Class weights as columns: W[d][c]. */
    private static final double[][] W = {{0.9, -0.2, 0.1}, {0.1, 0.8, 1.0}, {-0.3, 0.4, 0.6}};


    private static ComputationGraph net(Layer head, boolean denseFirst) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.DOUBLE).updater(new NoOp()).graphBuilder().addInputs("x")
                .setInputTypes(InputType.feedForward(3));
        String in = "x";
        if (denseFirst) {
            g.addLayer("dense", new DenseLayer.Builder().nOut(3).activation(Activation.TANH).build(), "x");
            in = "dense";
        }
        ComputationGraph net = new ComputationGraph(g.addLayer("head", head, in).setOutputs("head").build());
        net.init();
        return net;
    }

    private static INDArray x() {
        return Nd4j.createFromArray(X);
    }

    private static INDArray y() {
        return Heads.oneHot(LABELS, 3, DataType.DOUBLE);
    }

    /** The original's ArcFace loss in plain double arithmetic. */
    static double arcFaceByHand(double s, double m, boolean easy) {
        double th = Math.cos(Math.PI - m);
        double mm = Math.sin(Math.PI - m) * m;
        double total = 0;
        for (int i = 0; i < X.length; i++) {
            double xn = Math.sqrt(X[i][0] * X[i][0] + X[i][1] * X[i][1] + X[i][2] * X[i][2]);
            double[] z = new double[3];
            for (int c = 0; c < 3; c++) {
                double wn = Math.sqrt(W[0][c] * W[0][c] + W[1][c] * W[1][c] + W[2][c] * W[2][c]);
                double cos = (X[i][0] * W[0][c] + X[i][1] * W[1][c] + X[i][2] * W[2][c]) / (xn * wn);
                if (c == LABELS[i]) {
                    double sin = Math.sqrt(1 - cos * cos + 1e-6);
                    double phi = cos * Math.cos(m) - sin * Math.sin(m);
                    cos = easy ? (cos > 0 ? phi : cos) : (cos > th ? phi : cos - mm);
                }
                z[c] = s * cos;
            }
            double sumExp = Math.exp(z[0]) + Math.exp(z[1]) + Math.exp(z[2]);
            total += -Math.log(Math.exp(z[LABELS[i]]) / sumExp);
        }
        return total / X.length;
    }

    private static double cosToTarget(int i) {
        int c = LABELS[i];
        double xn = Math.sqrt(X[i][0] * X[i][0] + X[i][1] * X[i][1] + X[i][2] * X[i][2]);
        double wn = Math.sqrt(W[0][c] * W[0][c] + W[1][c] * W[1][c] + W[2][c] * W[2][c]);
        return (X[i][0] * W[0][c] + X[i][1] * W[1][c] + X[i][2] * W[2][c]) / (xn * wn);
    }

    @Test
    void arcMarginLossEqualsTheFloat64Formula() {
        for (boolean easy : new boolean[] {false, true}) {
            for (double m : new double[] {0.15, 1.0}) {
                ComputationGraph net = net(new ArcMarginLayer(3, 8.0, m, easy), false);
                net.getLayer("head").getParam("W").assign(Nd4j.createFromArray(W));
                double score = net.score(new org.nd4j.linalg.dataset.DataSet(x(), y()));
                double expected = arcFaceByHand(8.0, m, easy);
                assertEquals(expected, score, 1e-6 * expected, "easy=" + easy + " m=" + m);
                double printed = Heads.crossEntropy(Heads.accuracyLogits(net.getLayer("head"), x(), LABELS), LABELS);
                assertEquals(expected, printed, 1e-6 * expected, "the trainer's printed loss, easy=" + easy);
            }
        }
    }

    @Test
    void theFallbackCaseIsReallyBelowTheThreshold() {
        assertTrue(cosToTarget(3) < Math.cos(Math.PI - 1.0), "sample 3 must take the cos − mm branch at m = 1");
        assertTrue(cosToTarget(0) > Math.cos(Math.PI - 1.0));
    }

    @Test
    void arcMarginGradientsPassTheGradientCheck() {
        for (Object[] c : new Object[][] {{false, 0.15}, {true, 0.15}, {false, 1.0}}) {
            ComputationGraph net = net(new ArcMarginLayer(3, 4.0, (double) c[1], (boolean) c[0]), false);
            net.getLayer("head").getParam("W").assign(Nd4j.createFromArray(W));
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                    .inputs(new INDArray[] {x()}).labels(new INDArray[] {y()})
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9));
            assertTrue(ok, "easy=" + c[0] + " m=" + c[1]);
            // and through a layer before the head, so the input gradient is checked too
            ComputationGraph deep = net(new ArcMarginLayer(3, 4.0, (double) c[1], (boolean) c[0]), true);
            assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(deep)
                    .inputs(new INDArray[] {x()}).labels(new INDArray[] {y()})
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)), "with dense, easy=" + c[0]);
        }
    }

    @Test
    void softmaxLossEqualsTheFloat64Formula() {
        ComputationGraph net = net(Heads.create(LossConfig.elem(LossName.SOFTMAX, 80, 0.15, false), 3, 4), false);
        INDArray w = Nd4j.createFromArray(W);
        INDArray b = Nd4j.createFromArray(new double[][] {{0.1, -0.2, 0.05}});
        net.getLayer("head").setParam("W", w);
        net.getLayer("head").setParam("b", b);
        double expected = 0;
        for (int i = 0; i < X.length; i++) {
            double[] z = new double[3];
            for (int c = 0; c < 3; c++) {
                z[c] = X[i][0] * W[0][c] + X[i][1] * W[1][c] + X[i][2] * W[2][c] + b.getDouble(0, c);
            }
            expected += -Math.log(Math.exp(z[LABELS[i]]) / (Math.exp(z[0]) + Math.exp(z[1]) + Math.exp(z[2])));
        }
        expected /= X.length;
        assertEquals(expected, net.score(new org.nd4j.linalg.dataset.DataSet(x(), y())), 1e-6 * expected);
        assertEquals(expected, Heads.crossEntropy(Heads.accuracyLogits(net.getLayer("head"), x(), LABELS), LABELS),
                1e-6 * expected);
    }

    @Test
    void initialisationBoundsAreTheOriginals() {
        ComputationGraph soft = net(Heads.create(LossConfig.elem(LossName.SOFTMAX, 80, 0.15, false), 400, 4), false);
        INDArray w = soft.getLayer("head").getParam("W");
        double bound = 1 / Math.sqrt(3);
        assertTrue(w.maxNumber().doubleValue() <= bound && w.minNumber().doubleValue() >= -bound);
        assertTrue(w.maxNumber().doubleValue() > 0.9 * bound, "uniform over the whole range");
        assertEquals(0.0, soft.getLayer("head").getParam("b").sumNumber().doubleValue());
        ComputationGraph arc = net(new ArcMarginLayer(400, 80, 0.15, false), false);
        INDArray aw = arc.getLayer("head").getParam("W");
        double arcBound = Math.sqrt(6.0 / (3 + 400));
        assertTrue(aw.maxNumber().doubleValue() <= arcBound && aw.minNumber().doubleValue() >= -arcBound);
        assertTrue(aw.maxNumber().doubleValue() > 0.9 * arcBound);
    }

    @Test
    void topKAccuracyCountsTiesAgainstTheLabel() {
        INDArray logits = Nd4j.createFromArray(new double[][] {
            {5, 1, 0, 0, 0, 0}, {1, 5, 2, 3, 4, 6}, {1, 1, 1, 1, 1, 1}, {0, 0, 0, 0, 9, 0}});
        double[] acc = Heads.topKAccuracy(logits, new int[] {0, 1, 2, 0}, 1, 5);
        assertArrayEquals(new double[] {0.25, 0.5}, acc, 1e-12);
    }

    @Test
    void arcMarginConfigSurvivesJson() {
        ComputationGraph net = net(new ArcMarginLayer(3, 12.5, 0.3, true), false);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(net.getConfiguration().toJson());
        ArcMarginLayer head = (ArcMarginLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex)
                back.getVertices().get("head")).getLayerConf().getLayer();
        assertEquals(3, head.getInputSize());
        assertEquals(3, head.getClassCount());
        assertEquals(12.5, head.getScale());
        assertEquals(0.3, head.getMarginRadians());
        assertTrue(head.isEasyMargin());
    }
}
