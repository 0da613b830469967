package org.dml4j.train;

import java.io.PrintWriter;
import java.util.Arrays;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.ImageShape;
import org.dml4j.eval.KnnBenchmark;
import org.dml4j.loss.ArcMarginLayer;
import org.dml4j.loss.Heads;
import org.dml4j.model.Architecture;
import org.dml4j.model.Backbone;
import org.dml4j.model.EmbeddingNetwork;
import org.dml4j.model.Helpers;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training-step throughput of a backbone with an ArcFace head on synthetic input: warm-up steps,
 * then the median of measured steps, in images/s, with the process's peak resident memory.
 */
public final class TrainBenchmark {
    private TrainBenchmark() {
    }

    /**
     * @param helpers whether DL4J may use its oneDNN layer helpers (read when layers are created)
     */
    public static void run(Backbone backbone, int size, int batch, int warmup, int steps, boolean helpers,
                           PrintWriter out) {
        System.setProperty("org.eclipse.deeplearning4j.helpers.disable", Boolean.toString(!helpers));
        int classes = 1000;
        ComputationGraph net = EmbeddingNetwork.build(new Architecture(backbone, new ImageShape(3, size, size), 0),
                new ArcMarginLayer(classes, 80, 0.15, false), new Momentum(0.01, null, 0.9), Trainer.L2, 0,
                DataType.FLOAT);
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, 3, size, size);
        int[] labels = new int[batch];
        Arrays.setAll(labels, i -> i % classes);
        MultiDataSet step = new MultiDataSet(new INDArray[] {x},
                new INDArray[] {Heads.oneHot(labels, classes, DataType.FLOAT)});
        double[] seconds = new double[steps];
        for (int i = 0; i < warmup + steps; i++) {
            long start = System.nanoTime();
            if (i == 0) {
                SameDiffQuiet.run(() -> net.fit(step));
            } else {
                net.fit(step);
            }
            if (i >= warmup) {
                seconds[i - warmup] = (System.nanoTime() - start) / 1e9;
            }
        }
        Arrays.sort(seconds);
        double median = seconds[steps / 2];
        out.printf("train %s 3x%dx%d batch %d, helpers %s: median step %.3f s, %.1f images/s, peak RSS %s%n",
                backbone, size, size, batch, helpers ? "on" : "off", median, batch / median, KnnBenchmark.peakRss());
        out.printf("  layer helpers: %s%n", Helpers.summary(net));
        out.flush();
    }

}
