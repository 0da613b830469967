package org.dml4j.model;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.eval.Npy;
import org.dml4j.loss.ArcMarginLayer;
import org.dml4j.loss.EmlLoss;
import org.dml4j.loss.MarginSampleMiningLoss;
import org.dml4j.loss.NpairsLoss;
import org.dml4j.loss.TripletLoss;
import org.dml4j.train.LrSchedule;
import org.dml4j.train.Momentum;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Writes a small checkpoint in the format of the day, for {@code StoredCheckpointTest}: DL4J
 * stores the class name of every one of our layer, loss and updater configurations inside
 * model.zip, so renaming or moving one breaks every saved model, and only loading a stored file
 * shows it. A full ResNet checkpoint is 45–90 MB; this graph holds each of those classes
 * (GemmConvolution 3×3 and 1×1, RegularizedBatchNorm with and without ReLU, the ArcFace head, the
 * four pair losses, the Momentum updater with its schedule) at a few kilobytes, with parameters and
 * running statistics set to seeded values, and a checkpoint.json as the trainer writes it that day
 * (the network's architecture fields describe a ResNet18 run; only the class names and the
 * features matter for this test).
 *
 * <p>Run once per format change, into a new folder, and commit the folder:
 * {@code java -cp "target/test-classes:target/classes:target/dml4j/lib/*" org.dml4j.model.CheckpointFixture
 * src/test/resources/checkpoints/<name>}. It writes the checkpoint under {@code 1/}, a fixed
 * input batch ({@code input.npy}, [4, 3, 8, 8]) and the features the network gave for it then
 * ({@code features.npy}, [4, 6], the {@code fc_0} output).
 */
public final class CheckpointFixture {
    /** Side of the fixture's input images. */
    static final int SIZE = 8;

    private CheckpointFixture() {
    }

    static ComputationGraph network() {
        GraphBuilder g = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT)
                .updater(new Momentum(0.01, LrSchedule.parse(0.01, "piecewise_decay", "3,5").toDl4j(), 0.9))
                .l2(1e-4).l2Bias(1e-4)
                .graphBuilder().addInputs("image").setInputTypes(InputType.convolutional(SIZE, SIZE, 3));
        g.addLayer("conv1", new GemmConvolution(new ConvolutionLayer.Builder(3, 3).stride(1, 1).padding(1, 1).nOut(4)
                .hasBias(false).convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY)), "image");
        g.addLayer("bn_conv1", RegularizedBatchNorm.of(0.9, 1e-5).withRelu(), "conv1");
        g.addLayer("res2a_branch2a", new GemmConvolution(new ConvolutionLayer.Builder(1, 1).stride(1, 1).nOut(5)
                .hasBias(false).convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY)), "bn_conv1");
        g.addLayer("bn2a_branch2a", RegularizedBatchNorm.of(0.9, 1e-5), "res2a_branch2a");
        g.addLayer("pool5", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "bn2a_branch2a");
        g.addLayer("fc_0", new DenseLayer.Builder().nOut(6).activation(Activation.IDENTITY).build(), "pool5");
        g.addLayer("head", new ArcMarginLayer(3, 16, 0.15, false), "fc_0");
        g.addLayer("eml", new EmlLoss(4, 1, 2), "fc_0");
        g.addLayer("quadruplet", new MarginSampleMiningLoss(4, 1, 2, 0.1), "fc_0");
        g.addLayer("npairs", new NpairsLoss(4, 1, 0.01), "fc_0");
        g.addLayer("triplet", new TripletLoss(6, 2, 0.1), "fc_0");
        g.setOutputs("head", "eml", "quadruplet", "npairs", "triplet");
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        Nd4j.getRandom().setSeed(11);
        INDArray p = net.params();
        p.assign(Nd4j.rand(DataType.FLOAT, p.shape()).subi(0.5));
        for (String bn : new String[] {"bn_conv1", "bn2a_branch2a"}) {
            net.getLayer(bn).getParam("var").assign(Nd4j.rand(DataType.FLOAT, 1, net.getLayer(bn).getParam("var")
                    .length()).addi(0.5));
        }
        return net;
    }

    static INDArray input() {
        Nd4j.getRandom().setSeed(13);
        return Nd4j.rand(DataType.FLOAT, 4, 3, SIZE, SIZE).muli(4).subi(2);
    }

    public static void main(String[] args) throws IOException {
        Path dir = Files.createDirectories(Path.of(args[0]));
        ComputationGraph net = network();
        // what the trainer writes into checkpoint.json (format 1; v0-2026-11-29 holds the untyped map before it)
        CheckpointInfo.Training training = new CheckpointInfo.Training("arcmargin", 16, 0.15, false, 2, 0.1, 0.01, 1, 3,
                4, 1, 0, 0.01, "piecewise_decay", "3,5");
        CheckpointInfo info = new CheckpointInfo(CheckpointInfo.FORMAT, 1, "ResNet18",
                new org.dml4j.data.ImageShape(3, SIZE, SIZE), 6, false, "fc_0", training, java.util.List.of(
                        new CheckpointInfo.DataList("train", "data/x/Ebay_train.txt", "ab".repeat(32), 12, 3),
                        new CheckpointInfo.DataList("test", "data/x/Ebay_test.txt", "cd".repeat(32), 6, 2)),
                CheckpointInfo.versionsNow(), java.time.Instant.parse("2026-11-29T17:00:00Z"));
        Checkpoints.save(net, dir, info);
        INDArray x = input();
        INDArray features = net.output(java.util.List.of("fc_0"), false, new INDArray[] {x}, null)[0];
        try (OutputStream o = Files.newOutputStream(dir.resolve("input.npy"))) {
            Npy.write(x.reshape(4, 3 * SIZE * SIZE), o);
        }
        try (OutputStream o = Files.newOutputStream(dir.resolve("features.npy"))) {
            Npy.write(features, o);
        }
        System.out.println("wrote " + dir);
    }
}
