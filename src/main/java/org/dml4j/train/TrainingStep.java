package org.dml4j.train;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.Batch;
import org.dml4j.loss.Heads;
import org.dml4j.model.EmbeddingNetwork;
import org.dml4j.retrieval.Embeddings;
import org.dml4j.retrieval.RetrievalEvaluator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One training step on the network, or on its data-parallel replicas ({@link DataParallel}), and
 * its result read from the same forward pass ({@link ForwardCapture}).
 */
final class TrainingStep implements AutoCloseable {
    private final ComputationGraph net;
    private final TrainConfig config;
    private final String embedding;
    private final boolean pair;
    private final DataParallel parallel;
    private final ForwardCapture capture;

    TrainingStep(ComputationGraph net, TrainConfig config, String embedding) {
        this.net = net;
        this.config = config;
        this.embedding = embedding;
        this.pair = config.loss().name().pair();
        int devices = config.numDevices();
        this.parallel = devices > 1 ? new DataParallel(net, devices, this::captureFor) : null;
        this.capture = parallel == null ? captureFor(net) : null;
        if (capture != null) {
            net.setListeners(capture);
        }
    }

    /** The training metrics the original prints: {@code acc1, acc5} (train-elem) or {@code recall} (train-pair). */
    String[] metricNames() {
        return pair ? new String[] {"recall"} : new String[] {"acc1", "acc5"};
    }

    /**
     * Captures, from a network's forward pass, the loss (train-elem: from the head's logits) or,
     * for the pair losses, the regularisation term at forward time (which the layer's score
     * includes), then the metrics.
     */
    private ForwardCapture captureFor(ComputationGraph n) {
        return new ForwardCapture(embedding, (features, labels) -> {
            if (pair) {
                // non-finite features give a non-finite loss, which stops the run with its own message
                double recall = Embeddings.allFinite(features) ? RetrievalEvaluator.recallAt1(features, labels) : Double.NaN;
                return new double[] {n.calcRegularizationScore(true), recall};
            }
            INDArray logits = Heads.accuracyLogits(n.getLayer(EmbeddingNetwork.HEAD), features, labels);
            double[] acc = Heads.topKAccuracy(logits, labels, 1, 5);
            return new double[] {Heads.crossEntropy(logits, labels), acc[0], acc[1]};
        });
    }

    /** Fits one batch and returns its loss and metrics (quietly the first time: SameDiff prints while it builds). */
    StepResult run(Batch b, boolean first) {
        int crop = config.imageShape().cropSize();
        INDArray x = Nd4j.create(b.images(), new long[] {b.size(), 3, crop, crop}, DataType.FLOAT);
        INDArray y = Heads.labels(config.loss().name(), b.labels(), config.classDim(), DataType.FLOAT);
        StepResult[] result = new StepResult[1];
        Runnable fit = parallel == null ? () -> {
            capture.expect(b.labels());
            net.fit(new MultiDataSet(new INDArray[] {x}, new INDArray[] {y}));
            result[0] = StepResult.of(capture.result(), metricNames(), net.score(), b.size(), pair);
        } : () -> {
            List<DataParallel.Share> shares = parallel.step(x, y, b.labels());
            result[0] = StepResult.mean(shares.stream()
                    .map(sh -> StepResult.of(sh.capture(), metricNames(), sh.score(), sh.size(), pair)).toList());
        };
        if (first) {
            SameDiffQuiet.run(fit);
        } else {
            fit.run();
        }
        return result[0];
    }

    @Override
    public void close() {
        if (parallel != null) {
            parallel.close();
        }
    }
}
