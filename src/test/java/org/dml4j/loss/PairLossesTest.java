package org.dml4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.error.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Each pair loss against a float64 reference written here from the spec's formulas (no shared
 * code with the losses), gradient checks in double precision, edge cases and sharding.
 */
@ExtendWith(DoublePrecision.class)
class PairLossesTest {
    private static final int B = 12;
    private static final int D = 5;

    // ---------- fixtures ----------

    static double[][] embeddings(long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] x = new double[B][D];
        for (double[] row : x) {
            for (int j = 0; j < D; j++) {
                row[j] = scale * (r.nextDouble() * 2 - 1);
            }
        }
        return x;
    }

    /** Blocks of s consecutive rows share a label. */
    static int[] blockLabels(int s) {
        int[] y = new int[B];
        for (int i = 0; i < B; i++) {
            y[i] = i / s;
        }
        return y;
    }

    static ComputationGraph net(PairLoss loss, boolean denseFirst) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(5)
                .dataType(DataType.DOUBLE).updater(new NoOp()).graphBuilder().addInputs("x")
                .setInputTypes(InputType.feedForward(D));
        String in = "x";
        if (denseFirst) {
            g.addLayer("dense", new DenseLayer.Builder().nOut(D).activation(Activation.TANH).build(), "x");
            in = "dense";
        }
        ComputationGraph net = new ComputationGraph(g.addLayer("head", loss, in).setOutputs("head").build());
        net.init();
        return net;
    }

    static INDArray labels(int[] y) {
        return Heads.labels(LossName.EML, y, 0, DataType.DOUBLE);
    }

    static double score(PairLoss loss, double[][] x, int[] y) {
        return net(loss, false).score(new DataSet(Nd4j.createFromArray(x), labels(y)));
    }

    static boolean gradientsOk(PairLoss loss, double[][] x, int[] y) {
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net(loss, true))
                .inputs(new INDArray[] {Nd4j.createFromArray(x)}).labels(new INDArray[] {labels(y)})
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8));
    }

    // ---------- float64 references, straight from the spec ----------

    static double[] unit(double[] v) {
        double n = 0;
        for (double a : v) {
            n += a * a;
        }
        n = Math.sqrt(n);
        double[] u = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            u[i] = v[i] / n;
        }
        return u;
    }

    static double sq(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return s;
    }

    static double tripletRef(double[][] x, double margin) {
        double sum = 0;
        for (int t = 0; t < x.length; t += 3) {
            double[] a = unit(x[t]);
            double[] p = unit(x[t + 1]);
            double[] n = unit(x[t + 2]);
            sum += Math.max(0, sq(a, p) - sq(a, n) + margin);
        }
        return sum / (x.length / 3);
    }

    static double msmlRef(double[][] x, int s, double margin) {
        double pMax = Double.NEGATIVE_INFINITY;
        double nMin = Double.POSITIVE_INFINITY;
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x.length; j++) {
                double d = sq(unit(x[i]), unit(x[j]));
                if (i != j && i / s == j / s) {
                    pMax = Math.max(pMax, d);
                } else if (i / s != j / s) {
                    nMin = Math.min(nMin, d);
                }
            }
        }
        return Math.max(0, pMax - nMin + margin);
    }

    /** Returns {loss, rows with b > 20}. */
    static double[] emlRef(double[][] x, int s) {
        double beta = 1e5;
        double t = 20;
        double lnB1 = Math.log(1 + beta);
        double sum = 0;
        int big = 0;
        for (int i = 0; i < x.length; i++) {
            double pMax = Double.NEGATIVE_INFINITY;
            double nMin = Double.POSITIVE_INFINITY;
            for (int j = 0; j < x.length; j++) {
                double d = sq(x[i], x[j]);
                if (j != i && j / s == i / s) {
                    pMax = Math.max(pMax, d);
                } else if (j / s != i / s) {
                    nMin = Math.min(nMin, d);
                }
            }
            double a = 0;
            double n = 0;
            for (int j = 0; j < x.length; j++) {
                double d = sq(x[i], x[j]);
                if (j != i && j / s == i / s) {
                    a += Math.exp(d - pMax) / (s - 1);
                } else if (j / s != i / s) {
                    n += Math.exp(-(d - nMin)) / (x.length - s);
                }
            }
            double b = pMax - nMin;
            double theta = a * n;
            double fLow = Math.log(1 + beta * theta * Math.exp(Math.min(b, t))) / lnB1;
            double gHigh = (Math.log(theta) + Math.max(b, t) + Math.log(beta)) / lnB1;
            double fT = Math.log(1 + beta * theta * Math.exp(t)) / lnB1;
            sum += fLow + gHigh - fT;
            big += b > t ? 1 : 0;
        }
        return new double[] {sum / x.length, big};
    }

    static double npairsRef(double[][] x, int[] y, double lambda) {
        int c = x.length / 2;
        double xent = 0;
        for (int k = 0; k < c; k++) {
            double[] logits = new double[c];
            double max = Double.NEGATIVE_INFINITY;
            for (int l = 0; l < c; l++) {
                double dot = 0;
                for (int j = 0; j < D; j++) {
                    dot += x[2 * k][j] * x[2 * l + 1][j];
                }
                logits[l] = dot;
                max = Math.max(max, dot);
            }
            double z = 0;
            for (double v : logits) {
                z += Math.exp(v - max);
            }
            for (int l = 0; l < c; l++) {
                if (y[2 * k] == y[2 * l + 1]) {
                    xent -= (logits[l] - max - Math.log(z)) / (2 - 1);
                }
            }
        }
        xent /= c;
        double reg = 0;
        for (double[] row : x) {
            for (double v : row) {
                reg += v * v;
            }
        }
        reg /= x.length;
        return xent + 0.5 * lambda * reg;
    }

    // ---------- values ----------

    @Test
    void tripletEqualsTheReference() {
        double[][] x = embeddings(1, 1);
        double expected = tripletRef(x, 0.3);
        assertTrue(expected > 0);
        assertEquals(expected, score(new TripletLoss(B, 1, 0.3), x, blockLabels(3)), 1e-6 * expected);
    }

    @Test
    void quadrupletIsMarginSampleMiningAndEqualsTheReference() {
        double[][] x = embeddings(2, 1);
        double expected = msmlRef(x, 3, 0.1);
        assertTrue(expected > 0);
        assertEquals(expected, score(new MarginSampleMiningLoss(B, 1, 3, 0.1), x, blockLabels(3)), 1e-6 * expected);
    }

    @Test
    void emlEqualsTheReferenceOnBothSidesOfTheThreshold() {
        double[][] small = embeddings(3, 1);
        double[] refSmall = emlRef(small, 3);
        assertEquals(0, refSmall[1], "all rows take the b ≤ 20 branch");
        assertEquals(refSmall[0], score(new EmlLoss(B, 1, 3), small, blockLabels(3)), 1e-6 * refSmall[0]);

        double[][] large = embeddings(3, 4);
        double[] refLarge = emlRef(large, 3);
        assertTrue(refLarge[1] > 0 && refLarge[1] < B, "both branches among the rows: " + refLarge[1]);
        assertEquals(refLarge[0], score(new EmlLoss(B, 1, 3), large, blockLabels(3)), 1e-6 * Math.abs(refLarge[0]));
    }

    @Test
    void emlStableFormMatchesTheDirectFormula() {
        double[][] x = embeddings(4, 1);
        double ln = Math.log(1 + 1e5);
        double direct = 0;
        for (int i = 0; i < B; i++) {
            double sum = 0;
            int pq = 0;
            for (int j = 0; j < B; j++) {
                for (int k = 0; k < B; k++) {
                    if (j != i && j / 2 == i / 2 && k / 2 != i / 2) {
                        sum += Math.exp(sq(x[i], x[j]) - sq(x[i], x[k]));
                        pq++;
                    }
                }
            }
            direct += Math.log(1 + 1e5 * sum / pq) / ln;
        }
        direct /= B;
        assertEquals(direct, score(new EmlLoss(B, 1, 2), x, blockLabels(2)), 1e-4 * direct);
    }

    @Test
    void npairsEqualsTheReferenceWithLabelEquality() {
        double[][] x = embeddings(5, 1);
        int[] y = {0, 0, 1, 1, 2, 2, 3, 3, 1, 1, 4, 4}; // class 1 twice: two targets in its rows
        double expected = npairsRef(x, y, 0.02);
        assertEquals(expected, score(new NpairsLoss(B, 1, 0.02), x, y), 1e-6 * expected);
    }

    // ---------- gradients ----------

    @Test
    void everyLossPassesTheGradientCheck() {
        double[][] x = embeddings(6, 1);
        assertTrue(gradientsOk(new TripletLoss(B, 1, 0.5), x, blockLabels(3)), "triplet");
        assertTrue(gradientsOk(new MarginSampleMiningLoss(B, 1, 3, 0.5), x, blockLabels(3)), "quadruplet");
        assertTrue(gradientsOk(new EmlLoss(B, 1, 3), x, blockLabels(3)), "eml");
        assertTrue(gradientsOk(new NpairsLoss(B, 1, 0.01), x, blockLabels(2)), "npairs");
        assertTrue(gradientsOk(new EmlLoss(B, 2, 2), x, blockLabels(2)), "eml, 2 shards");
    }

    // ---------- edge cases ----------

    @Test
    void equalEmbeddingsGiveTheMarginOrTheSmoothMaxOfZero() {
        double[][] same = new double[B][D];
        for (double[] row : same) {
            java.util.Arrays.fill(row, 0.7);
        }
        assertEquals(0.2, score(new TripletLoss(B, 1, 0.2), same, blockLabels(3)), 1e-9);
        assertEquals(0.2, score(new MarginSampleMiningLoss(B, 1, 3, 0.2), same, blockLabels(3)), 1e-9);
        assertEquals(Math.log1p(1e5) / Math.log1p(1e5), score(new EmlLoss(B, 1, 3), same, blockLabels(3)), 1e-6);
        double npairs = score(new NpairsLoss(B, 1, 0.0), same, blockLabels(2));
        assertEquals(Math.log(B / 2.0), npairs, 1e-9, "uniform softmax over 6 positives");
    }

    @Test
    void zeroEmbeddingsStayFiniteInValueAndGradient() {
        double[][] x = embeddings(7, 1);
        java.util.Arrays.fill(x[0], 0.0);
        java.util.Arrays.fill(x[4], 0.0);
        for (PairLoss loss : new PairLoss[] {new TripletLoss(B, 1, 0.1), new MarginSampleMiningLoss(B, 1, 3, 0.1)}) {
            // an identity dense layer in front, so the zero rows reach the loss and the bias gradient
            // carries dL/d(embedding) of every row
            ComputationGraph net = net(loss, true);
            net.getLayer("dense").setParam("W", Nd4j.eye(D));
            net.getLayer("dense").setParam("b", Nd4j.zeros(1, D));
            ((DenseLayer) net.getLayer("dense").conf().getLayer()).setActivationFn(Activation.IDENTITY.getActivationFunction());
            net.fit(new DataSet(Nd4j.createFromArray(x), labels(blockLabels(3))));
            assertTrue(Double.isFinite(net.score()), loss.getClass().getSimpleName());
            INDArray g = net.gradient().gradient();
            assertFalse(g.isNaN().any() || g.isInfinite().any(), "finite gradient");
        }
        // a zero row of a normalised triplet counts as distance 1 to any unit vector
        double[][] t = embeddings(8, 1);
        java.util.Arrays.fill(t[2], 0.0);
        double[] a = unit(t[0]);
        double[] p = unit(t[1]);
        double expected = (Math.max(0, sq(a, p) - 1 + 0.1) + tripletRefRows(t, 3)) / 4;
        assertEquals(expected, score(new TripletLoss(B, 1, 0.1), t, blockLabels(3)), 1e-9);
    }

    /** Sum of the reference hinge over the triples after the first. */
    private static double tripletRefRows(double[][] x, int from) {
        double[][] rest = java.util.Arrays.copyOfRange(x, from, x.length);
        return tripletRef(rest, 0.1) * (rest.length / 3);
    }

    // ---------- sharding ----------

    @Test
    void twoShardsGiveTheMeanOfTheShardLosses() {
        double[][] x = embeddings(9, 2);
        double[][] first = java.util.Arrays.copyOfRange(x, 0, 6);
        double[][] second = java.util.Arrays.copyOfRange(x, 6, 12);
        double msml = (msmlRefRows(first) + msmlRefRows(second)) / 2;
        assertEquals(msml, score(new MarginSampleMiningLoss(B, 2, 3, 0.1), x, blockLabels(3)), 1e-6 * msml);
        double whole = msmlRef(x, 3, 0.1);
        assertTrue(Math.abs(whole - msml) > 1e-3, "sharding changes the mined pairs here");
        double trip = (tripletRef(first, 0.1) + tripletRef(second, 0.1)) / 2;
        assertEquals(trip, score(new TripletLoss(B, 2, 0.1), x, blockLabels(3)), 1e-6 * trip);
    }

    private static double msmlRefRows(double[][] rows) {
        return msmlRef(rows, 3, 0.1);
    }

    @Test
    void badBatchLayoutsAreFlagErrors() {
        assertThrowsMessage(() -> new TripletLoss(10, 1, 0.1), "must be a multiple of 3 for triplet");
        assertThrowsMessage(() -> new EmlLoss(12, 5, 2), "--num_shards (5) must divide --train_batch_size (12)");
        assertThrowsMessage(() -> new EmlLoss(12, 2, 4), "a loss shard of 6 rows (--train_batch_size split into"
                + " --num_shards shards, at least one per --num_devices device) must be a multiple of --samples_each_class (4)");
        assertThrowsMessage(() -> new MarginSampleMiningLoss(12, 1, 1, 0.1), "--samples_each_class must be >= 2");
    }

    private static void assertThrowsMessage(Runnable r, String part) {
        UsageException e = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class, r::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void lossConfigsSurviveJson() {
        ComputationGraph n = net(new EmlLoss(B, 2, 3), false);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(n.getConfiguration().toJson());
        EmlLoss eml = (EmlLoss) ((LayerVertex) back.getVertices().get("head")).getLayerConf().getLayer();
        assertEquals(B, eml.getBatchSize());
        assertEquals(2, eml.getNumShards());
        assertEquals(3, eml.getSamplesEachClass());
        NpairsLoss np = (NpairsLoss) ((LayerVertex) ComputationGraphConfiguration.fromJson(
                net(new NpairsLoss(B, 1, 0.03), false).getConfiguration().toJson()).getVertices().get("head"))
                .getLayerConf().getLayer();
        assertEquals(0.03, np.getRegLambda());
        TripletLoss tr = (TripletLoss) ((LayerVertex) ComputationGraphConfiguration.fromJson(
                net(new TripletLoss(B, 1, 0.25), false).getConfiguration().toJson()).getVertices().get("head"))
                .getLayerConf().getLayer();
        assertEquals(0.25, tr.getMargin());
    }
}
