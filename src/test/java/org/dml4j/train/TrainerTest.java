package org.dml4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.DataConfig;
import org.dml4j.data.ImageList;
import org.dml4j.data.ImageShape;
import org.dml4j.data.Split;
import org.dml4j.data.TestData;
import org.dml4j.error.ModelMismatchException;
import org.dml4j.inference.EmbeddingModel;
import org.dml4j.loss.LossConfig;
import org.dml4j.loss.LossName;
import org.dml4j.model.Architecture;
import org.dml4j.model.Checkpoints;
import org.dml4j.model.EmbeddingNetwork;
import org.dml4j.model.ResNet;
import org.dml4j.retrieval.RetrievalEvaluator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class TrainerTest {
    @TempDir
    Path dir;

    private TrainConfig config(Path data, Path out, LossName loss, int size, int batch, int total, int testStep,
                               int saveStep, String lrSteps, String checkpoint) {
        return TrainConfig.builder(new Architecture(ResNet.RESNET18, new ImageShape(3, size, size), 0),
                LossConfig.elem(loss, 8.0, 0.15, false), new DataConfig(data, 0, 2)).trainBatchSize(batch).classDim(4)
                .lr(LrSchedule.parse(0.02, "piecewise_decay", lrSteps)).totalIterNum(total).displayIterStep(1).testIterStep(testStep).saveIterStep(saveStep)
                .checkpoint(checkpoint).modelSaveDir(out).build();
    }

    private static String run(TrainConfig c) {
        StringWriter s = new StringWriter();
        Trainer.train(c, new PrintWriter(s));
        return s.toString();
    }

    @Test
    void resumingFromACheckpointEndsWhereAnUninterruptedRunEnds() throws IOException {
        Path data = TestData.stripes(dir.resolve("data"), 4, 6, 2, 16, 1);
        // lr drops at 3, so the schedule position must survive the resume too
        run(config(data, dir.resolve("straight"), LossName.ARCMARGIN, 16, 8, 5, 1000, 1000, "3", null));
        run(config(data, dir.resolve("first"), LossName.ARCMARGIN, 16, 8, 2, 1000, 1000, "3", null));
        String log = run(config(data, dir.resolve("second"), LossName.ARCMARGIN, 16, 8, 5, 1000, 1000, "3",
                dir.resolve("first/ResNet18/2").toString()));
        assertTrue(log.contains("Resuming from") && log.contains("at iteration 3"), log);
        assertTrue(log.contains("trainbatch 3, lr 0.002000"), log);
        Map<String, INDArray> a = Checkpoints.load(dir.resolve("straight/ResNet18/5"), false).net().paramTable();
        Map<String, INDArray> b = Checkpoints.load(dir.resolve("second/ResNet18/5"), false).net().paramTable();
        assertEquals(a.keySet(), b.keySet());
        double worst = 0;
        String worstKey = null;
        for (String k : a.keySet()) {
            double d = a.get(k).sub(b.get(k)).amaxNumber().doubleValue();
            if (d > worst) {
                worst = d;
                worstKey = k;
            }
        }
        assertTrue(worst <= 1e-6, "largest parameter difference " + worst + " in " + worstKey + "\n" + log);
        List<String> csv = Files.readAllLines(dir.resolve("second/ResNet18/metrics.csv"));
        assertEquals("iteration,lr,loss,acc1,acc5,test_recall,seconds", csv.get(0));
        assertTrue(csv.get(1).startsWith("3,0.002,"), csv.toString());
        java.awt.image.BufferedImage chart = javax.imageio.ImageIO.read(dir.resolve("second/ResNet18/training.png").toFile());
        assertEquals(1280, chart.getWidth(), "four 640x300 panels");
        assertEquals(600, chart.getHeight());
    }

    @Test
    void trainElemImprovesTestRecallOnImagesItHasNotSeen() throws IOException {
        Path data = TestData.stripes(dir.resolve("data"), 4, 40, 16, 16, 2);
        TrainConfig c = config(data, dir.resolve("out"), LossName.SOFTMAX, 16, 32, 120, 120, 120, "90", null);
        ImageList test = ImageList.read(data, Split.TEST);
        ComputationGraph before = Trainer.initialNetwork(c);
        double initial = recall(before, test, c);
        String log = run(c);
        double trained = recall(Checkpoints.load(dir.resolve("out/ResNet18/120"), false).net(), test, c);
        System.out.printf("train-elem on stripes: Recall@1 %.3f untrained -> %.3f trained%n", initial, trained);
        assertTrue(log.contains("test_img_num 64, trainbatch 120, test_recall"), log);
        assertTrue(trained >= initial + 0.1, "Recall@1 " + initial + " -> " + trained + "\n" + log);
        assertTrue(trained >= 0.55, "Recall@1 after training " + trained);
    }

    @Test
    void trainPairFineTunesAStageOneCheckpoint() throws IOException {
        Path data = TestData.stripes(dir.resolve("data"), 4, 40, 16, 16, 3);
        TrainConfig elem = config(data, dir.resolve("elem"), LossName.ARCMARGIN, 16, 32, 60, 1000, 1000, "45", null);
        run(elem);
        TrainConfig pair = TrainConfig.builder(new Architecture(ResNet.RESNET18, new ImageShape(3, 16, 16), 0),
                LossConfig.pair(LossName.EML, 4, 0.1, 0.01, 1), new DataConfig(data, 0, 2)).trainBatchSize(16)
                .classDim(4).lr(LrSchedule.parse(0.0001, "piecewise_decay", "30")).totalIterNum(30).displayIterStep(5).testIterStep(30).saveIterStep(1000)
                .pretrainedModel(dir.resolve("elem/ResNet18/60").toString()).modelSaveDir(dir.resolve("pair")).build();
        String log = run(pair);
        assertTrue(log.contains("Loading parameters from " + dir.resolve("elem/ResNet18/60")), log);
        assertTrue(log.matches("(?s).*loaded 100 parameters of 40 layers \\(conv1, bn_conv1, res2a_branch2a, …,"
                + " res5b_branch2b, bn5b_branch2b\\), skipped 0 \\(shape\\), 0 not in the source,"
                + " 1 unused in the source.*"), log);
        assertTrue(log.contains("trainbatch 0, lr 0.000100, loss "), log);
        assertTrue(log.contains(", recall "), log);
        ImageList test = ImageList.read(data, Split.TEST);
        double stage1 = recall(Checkpoints.load(dir.resolve("elem/ResNet18/60"), false).net(), test, elem);
        double stage2 = recall(Checkpoints.load(dir.resolve("pair/ResNet18/30"), false).net(), test, pair);
        System.out.printf("stripes: Recall@1 %.3f after arcmargin -> %.3f after eml%n", stage1, stage2);
        assertTrue(stage2 >= stage1 - 0.1, "stage 1 " + stage1 + ", stage 2 " + stage2);
    }

    @Test
    void aDivergingRunStopsAndNamesTheIterationAndTheLastCheckpoint() throws IOException {
        Path data = TestData.stripes(dir.resolve("data"), 4, 6, 2, 16, 6);
        TrainConfig c = TrainConfig.builder(new Architecture(ResNet.RESNET18, new ImageShape(3, 16, 16), 0),
                LossConfig.elem(LossName.SOFTMAX, 8.0, 0.15, false), new DataConfig(data, 0, 2)).trainBatchSize(8)
                .classDim(4).lr(LrSchedule.parse(1e9, "piecewise_decay", "")).totalIterNum(40).displayIterStep(1).testIterStep(1000).saveIterStep(1)
                .modelSaveDir(dir.resolve("out")).build();
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> run(c));
        assertTrue(e.getMessage().matches("iteration \\d+: the loss is .*; stopping\\. Last good checkpoint: .*"),
                e.getMessage());
        for (Path p : Files.list(dir.resolve("out/ResNet18")).filter(Files::isDirectory).toList()) {
            assertTrue(Checkpoints.finite(Checkpoints.load(p, false).net()), "saved checkpoints are finite: " + p);
        }
    }

    private static double recall(ComputationGraph net, ImageList test, TrainConfig c) {
        EmbeddingModel.Features f = EmbeddingModel.of(net, c.architecture(),
                EmbeddingNetwork.embeddingVertex(c.architecture())).embed(test, 16, 2, null);
        return RetrievalEvaluator.recallAt1(f.features(), f.labels());
    }

    @Test
    void twoWorkerCopiesTrainAPairLossAndAResumeMustKeepTheirNumber() throws IOException {
        Path data = TestData.stripes(dir.resolve("data"), 4, 12, 2, 16, 5);
        java.util.function.BiFunction<Integer, String, TrainConfig> pair = (devices, checkpoint) -> TrainConfig.builder(
                new Architecture(ResNet.RESNET18, new ImageShape(3, 16, 16), 0), LossConfig.pair(LossName.EML, 4, 0.1,
                0.01, 1), new DataConfig(data, 0, 2)).trainBatchSize(16).classDim(4)
                .lr(LrSchedule.parse(0.001, "piecewise_decay", "")).totalIterNum(4).displayIterStep(1).testIterStep(1000).saveIterStep(2).numDevices(devices)
                .checkpoint(checkpoint).modelSaveDir(dir.resolve("dp")).build();
        String log = run(pair.apply(2, null));
        assertTrue(log.matches("(?s).*trainbatch 4, lr 0.001000, loss [0-9.]+, recall [0-9.]+.*"), log);
        assertTrue(Checkpoints.finite(Checkpoints.load(dir.resolve("dp/ResNet18/4"), false).net()));
        ModelMismatchException e = assertThrows(ModelMismatchException.class,
                () -> run(pair.apply(1, dir.resolve("dp/ResNet18/2").toString())));
        assertTrue(e.getMessage().contains("was trained with other flags: --num_devices=1 here, 2 in the checkpoint"),
                e.getMessage());
    }
}
