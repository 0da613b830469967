package org.dml4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.DataConfig;
import org.dml4j.data.ImageShape;
import org.dml4j.error.UsageException;
import org.dml4j.loss.EmlLoss;
import org.dml4j.loss.Heads;
import org.dml4j.loss.LossConfig;
import org.dml4j.loss.LossName;
import org.dml4j.model.Architecture;
import org.dml4j.model.ResNet;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * N replicas, each computing its share of the batch, must move the parameters exactly as one copy
 * computing the loss in N shards of the same batches. The network here has no BatchNorm: with it,
 * replicas normalise with their own share's statistics (as the original's GPUs do) and one copy
 * with the whole batch's, which is a difference by design, not an error.
 */
class DataParallelTest {
    private static final int BATCH = 32;
    private static final int STEPS = 6;

    private static ComputationGraph net(Layer head) {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .updater(new Momentum(0.05, null, 0.9)).l2(1e-3).l2Bias(1e-3).graphBuilder()
                .addInputs("in").setInputTypes(InputType.feedForward(6))
                .addLayer("fc_a", new DenseLayer.Builder().nOut(16).activation(Activation.TANH).build(), "in")
                .addLayer("fc_0", new DenseLayer.Builder().nOut(8).activation(Activation.IDENTITY).build(), "fc_a")
                .addLayer("head", head, "fc_0").setOutputs("head").build());
        g.init();
        return g;
    }

    /** Batches of 8 classes × 4 images in class blocks, as the pair sampler lays them out. */
    private static List<INDArray[]> batches(boolean oneHot) {
        Random r = new Random(11);
        return java.util.stream.IntStream.range(0, STEPS).mapToObj(s -> {
            INDArray x = Nd4j.create(DataType.FLOAT, BATCH, 6);
            int[] labels = new int[BATCH];
            for (int i = 0; i < BATCH; i++) {
                labels[i] = (i / 4 + s) % 10;
                for (int j = 0; j < 6; j++) {
                    x.putScalar(i, j, r.nextGaussian() + (j == labels[i] % 6 ? 1.5 : 0));
                }
            }
            INDArray y = oneHot ? Heads.oneHot(labels, 10, DataType.FLOAT)
                    : Heads.labels(LossName.EML, labels, 10, DataType.FLOAT);
            return new INDArray[] {x, y, Nd4j.createFromArray(labels)};
        }).toList();
    }

    private static ForwardCapture quiet(ComputationGraph n) {
        return new ForwardCapture("fc_0", (features, labels) -> new double[] {0});
    }

    private static double maxDifference(ComputationGraph a, ComputationGraph b) {
        return Transforms.abs(a.params().sub(b.params())).maxNumber().doubleValue();
    }

    private static ComputationGraph parallel(Layer head, int devices, boolean oneHot) {
        ComputationGraph master = net(head);
        try (DataParallel p = new DataParallel(master, devices, DataParallelTest::quiet)) {
            for (INDArray[] b : batches(oneHot)) {
                List<DataParallel.Share> shares = p.step(b[0], b[1], b[2].toIntVector());
                assertEquals(devices, shares.size());
                assertTrue(shares.stream().allMatch(s -> Double.isFinite(s.score()) && s.size() == BATCH / devices));
            }
        }
        return master;
    }

    private static ComputationGraph single(Layer head, boolean oneHot) {
        ComputationGraph g = net(head);
        for (INDArray[] b : batches(oneHot)) {
            g.fit(new MultiDataSet(new INDArray[] {b[0]}, new INDArray[] {b[1]}));
        }
        return g;
    }

    @Test
    void replicasMoveTheParametersAsOneCopyWithAsManyLossShards() {
        ComputationGraph start = net(new EmlLoss(BATCH, 2, 4));
        for (int devices : new int[] {2, 4}) {
            ComputationGraph one = single(new EmlLoss(BATCH, devices, 4), false);
            ComputationGraph many = parallel(new EmlLoss(BATCH / devices, 1, 4), devices, false);
            double moved = maxDifference(one, start);
            double gap = maxDifference(one, many);
            assertTrue(moved > 1e-2, "training moved the parameters by " + moved);
            assertTrue(gap <= 1e-5, devices + " replicas vs one copy with " + devices + " shards: " + gap);
            double unsharded = maxDifference(single(new EmlLoss(BATCH, 1, 4), false), many);
            System.out.printf("eml, %d replicas: moved %.4f, gap to %d shards %.2e, to no shards %.2e%n", devices, moved,
                    devices, gap, unsharded);
            assertTrue(unsharded > 1e-3, "the shards matter (one copy without shards differs by " + unsharded + ")");
        }
        // two replicas, each with two shards of its share = one copy with four shards
        double gap = maxDifference(single(new EmlLoss(BATCH, 4, 4), false), parallel(new EmlLoss(BATCH / 2, 2, 4), 2, false));
        assertTrue(gap <= 1e-5, "2 replicas x 2 shards vs 4 shards: " + gap);
    }

    @Test
    void aClassificationHeadAveragesToTheWholeBatchGradient() {
        Layer softmax = new OutputLayer.Builder(new LossMCXENT()).nOut(10).activation(Activation.SOFTMAX).build();
        double gap = maxDifference(single(softmax, true), parallel(softmax.clone(), 2, true));
        assertTrue(gap <= 1e-5, "softmax: 2 replicas vs one copy: " + gap);
    }

    @Test
    void unevenSplitsAreRejectedAndAFailingReplicaStopsTheStep() {
        Architecture arch = new Architecture(ResNet.RESNET18, new ImageShape(3, 16, 16), 0);
        DataConfig data = new DataConfig(Path.of("data"), 0, 1);
        RuntimeException e = assertThrows(UsageException.class, () -> TrainConfig.builder(arch,
                LossConfig.pair(LossName.EML, 2, 0.1, 0.01, 1), data).trainBatchSize(42).numDevices(4).build());
        assertEquals("--train_batch_size 42 does not split into 4 equal device shares (--num_devices 4)", e.getMessage());
        e = assertThrows(UsageException.class, () -> TrainConfig.builder(arch,
                LossConfig.pair(LossName.EML, 2, 0.1, 0.01, 3), data).trainBatchSize(48).numDevices(2).build());
        assertEquals("--num_shards 3 does not split over --num_devices 2 (it must be a multiple of it)", e.getMessage());

        ComputationGraph master = net(new EmlLoss(BATCH / 2, 1, 4));
        try (DataParallel p = new DataParallel(master, 2, DataParallelTest::quiet)) {
            INDArray[] b = batches(false).get(0);
            e = assertThrows(IllegalArgumentException.class, () -> p.step(b[0].get(
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 15)), b[1], b[2].toIntVector()));
            assertTrue(e.getMessage().startsWith("a batch of 15 does not split into 2 equal shares"), e.getMessage());
            // a replica that fails (inputs of the wrong width) ends the step with its error instead of hanging
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThrows(RuntimeException.class,
                    () -> p.step(Nd4j.zeros(DataType.FLOAT, BATCH, 5), b[1], b[2].toIntVector())));
        }
    }
}
