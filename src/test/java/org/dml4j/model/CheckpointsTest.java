package org.dml4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.ImageShape;
import org.dml4j.error.DataException;
import org.dml4j.error.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.shade.jackson.databind.ObjectMapper;

class CheckpointsTest {
    @TempDir
    Path dir;

    private static ComputationGraph net() {
        return EmbeddingNetwork.build(ARCH,
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build(),
                new Sgd(0.1), 1e-4, 1, DataType.FLOAT);
    }

    private static final Architecture ARCH = new Architecture(ResNet.RESNET18, new ImageShape(3, 16, 16), 0);

    private static CheckpointInfo info(long iteration) {
        return CheckpointInfo.of(ARCH, ResNet.POOL, iteration);
    }

    @Test
    void latestPicksTheNewestCompleteCheckpointAndRecoverTidiesAKilledWrite() throws IOException {
        ComputationGraph net = net();
        Checkpoints.save(net, dir, info(2));
        Checkpoints.save(net, dir, info(10));
        Files.createDirectories(dir.resolve("12"));                 // incomplete: no files
        Files.createDirectories(dir.resolve(".14.partial-123"));    // a write that was killed
        assertEquals(dir.resolve("10"), Checkpoints.latest(dir));
        // a kill between setting 4 aside and moving its replacement in
        Path four = Checkpoints.save(net, dir, info(4));
        Files.move(four, dir.resolve(".4.old-99"));
        Checkpoints.recover(dir);
        assertTrue(Files.isRegularFile(dir.resolve("4/model.zip")), "the set-aside checkpoint is put back");
        assertFalse(Files.exists(dir.resolve(".14.partial-123")));
        assertEquals(2, Checkpoints.load(dir.resolve("2"), true).iteration());
        assertEquals(java.util.List.of(2L, 4L, 10L), Checkpoints.iterations(dir), "only complete checkpoints count");
        CheckpointInfo read = Checkpoints.info(dir.resolve("2"));
        assertEquals(info(2).flags(), read.flags(), "checkpoint.json round trip");
        assertEquals(CheckpointInfo.FORMAT, read.format());
        UsageException none = assertThrows(UsageException.class,
                () -> Checkpoints.latest(dir.resolve("12")));
        assertTrue(none.getMessage().contains("no complete checkpoint"), none.getMessage());
    }

    @Test
    void anUnwritableFolderIsReportedAndTheOldCheckpointStays() throws IOException {
        ComputationGraph net = net();
        Path models = dir.resolve("models");
        Checkpoints.save(net, models, info(3));
        Files.writeString(dir.resolve("blocked"), "a file where a folder should be");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> Checkpoints.save(net, dir.resolve("blocked"), info(4)));
        assertTrue(e.getMessage().startsWith("cannot write checkpoint " + dir.resolve("blocked/4")), e.getMessage());
        assertEquals(3, Checkpoints.load(models.resolve("3"), false).iteration());
    }

    @Test
    void nonFiniteParametersAreNeverSaved() {
        ComputationGraph net = net();
        net.params().putScalar(0, Double.NaN);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Checkpoints.save(net, dir, info(1)));
        assertTrue(e.getMessage().contains("not finite"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("1")));
    }

    /** The checkpoint.json of output/demo (format 0), byte for byte as dml4j wrote it before format 1. */
    private static final String LEGACY = """
            {
              "iteration" : 300,
              "next_iteration" : 301,
              "model" : "ResNet18",
              "embedding_vertex" : "pool5",
              "embedding_size" : 0,
              "stride_in_1x1" : false,
              "num_devices" : 1,
              "loss_name" : "arcmargin",
              "config" : "TrainConfig[model=ResNet18, embeddingSize=0, strideIn1x1=false, trainBatchSize=40, \
            testBatchSize=50, imageShape=3,32,32, classDim=10, lr=LrSchedule[baseLr=0.01, boundaries=[225]], \
            totalIterNum=300, displayIterStep=20, testIterStep=300, saveIterStep=300, useGpu=false, numDevices=1, \
            pretrainedModel=null, checkpoint=null, modelSaveDir=output/demo/elem, loss=LossConfig[name=arcmargin, \
            arcScale=16.0, arcMarginRadians=0.15, arcEasyMargin=false, samplesEachClass=2, margin=0.1, \
            npairsRegLambda=0.01, numShards=1], enableCe=false, data=DataConfig[dataDir=data/fashion-mnist-closed-sample, \
            seed=0, numWorkers=2, checkImages=true, skipBadImages=false]]"
            }
            """;

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(String text) throws IOException {
        return new ObjectMapper().readValue(text, Map.class);
    }

    @Test
    void theFirstFormatsConfigurationTextGivesBackShapeLossAndSchedule() throws IOException {
        CheckpointInfo info = CheckpointInfo.fromJson(json(LEGACY), "legacy.json");
        assertEquals(0, info.format());
        assertEquals(300, info.iteration());
        assertEquals(new ImageShape(3, 32, 32), info.imageShape());
        assertEquals(ResNet.POOL, info.embeddingVertex());
        Map<String, String> f = info.flags();
        assertEquals("arcmargin", f.get("--loss_name"));
        assertEquals("16.0", f.get("--arc_scale"));
        assertEquals("0.15", f.get("--arc_margin"));
        assertEquals("10", f.get("--class_dim"));
        assertEquals("40", f.get("--train_batch_size"));
        assertEquals("0.01", f.get("--lr"));
        assertEquals("225", f.get("--lr_steps"), "boundaries=[225] is the schedule");
        assertEquals("1", f.get("--num_shards"));

        Map<String, Object> hashed = json(LEGACY.replace("boundaries=[225]", "boundaries=[I@1b2c3d4"));
        assertFalse(CheckpointInfo.fromJson(hashed, "x").flags().containsKey("--lr_steps"),
                "a schedule the text does not show is unknown, not 'no decay'");
    }

    @Test
    void brokenValuesAreDataErrorsNamingTheFileAndTheField() throws IOException {
        String good = Files.readString(Path.of("src/test/resources/checkpoints/v1-2026-11-29/1/checkpoint.json"));
        assertEquals("3,8,8", CheckpointInfo.fromJson(json(good), "c.json").flags().get("--image_shape"));
        String[][] cases = {
            {"\"ResNet18\"", "\"ResNet81\"", "c.json: field 'model' names no backbone of this dml4j ('ResNet81'"},
            {"\"3,8,8\"", "\"3,8\"", "c.json: field 'image_shape' expected C,H,W"},
            {"\"3,8,8\"", "\"1,8,8\"", "c.json: field 'image_shape' channels must be 3"},
            {"\"embedding_size\" : 6", "\"embedding_size\" : -6", "c.json: field 'embedding_size' must be >= 0"},
            {"\"embedding_size\" : 6", "\"embedding_size\" : 6.5", "c.json: field 'embedding_size' must be an integer"},
            {"\"embedding_size\" : 6", "\"embedding_size\" : 4294967302",
                "c.json: field 'embedding_size' must be an integer between"},
            {"\"class_dim\" : 3", "\"class_dim\" : \"3\"", "c.json: field 'class_dim' must be an integer"},
            {"\"lr\" : 0.01", "\"lr\" : \"NaN\"", "c.json: field 'lr' must be a finite number"},
            {"\"images\" : 12", "\"images\" : null", "c.json ('data' item 1): field 'images' must be an integer"},
            {"\"data\" : [ {", "\"data\" : [ 7, {", "c.json: item 1 of 'data' must be an object, got 7"},
            {"\"data\" : [", "\"data\" : {\"a\": [", "c.json: field 'data' must be a list"},
            {"2026-11-29T17:00:00Z", "yesterday", "c.json: field 'created' must be a time"},
            {"\"format\" : 1", "\"format\" : 2", "c.json: checkpoint format 2 is newer than this dml4j reads (1)"},
            {"\"format\" : 1", "\"format\" : -1", "c.json: field 'format' must be 1"},
        };
        for (String[] c : cases) {
            String broken = good.replace(c[0], c[1]);
            if (c[1].startsWith("\"data\" : {")) {
                broken = broken.replace("} ],\n  \"versions\"", "} ]},\n  \"versions\"");
            }
            assertTrue(!broken.equals(good), c[0]);
            Map<String, Object> parsed = json(broken);
            DataException e = assertThrows(DataException.class, () -> CheckpointInfo.fromJson(parsed, "c.json"), c[1]);
            assertTrue(e.getMessage().startsWith(c[2]), e.getMessage());
        }
    }

    @Test
    void checkpointJsonMustDescribeTheModelBesideIt() throws IOException {
        Path saved = Checkpoints.save(net(), dir, info(4));
        assertEquals(4, Checkpoints.load(saved, false).iteration());
        Path infoFile = saved.resolve(Checkpoints.INFO_FILE);
        String good = Files.readString(infoFile);
        String describes = infoFile + " does not describe " + saved.resolve(Checkpoints.MODEL_FILE) + ": ";
        String[][] cases = {
            {"\"model\" : \"ResNet18\"", "\"model\" : \"ResNet34\"", describes + "it names --model=ResNet34, the zip"
                + " holds ResNet18"},
            {"\"embedding_size\" : 0,\n    \"stride_in_1x1\" : false\n  },\n  \"embedding_vertex\" : \"pool5\"",
                "\"embedding_size\" : 8,\n    \"stride_in_1x1\" : false\n  },\n  \"embedding_vertex\" : \"fc_0\"",
                describes + "it says --embedding_size=8, the zip's fc_0 is missing"},
            {"\"embedding_vertex\" : \"pool5\"", "\"embedding_vertex\" : \"fc_9\"", infoFile
                + ": field 'embedding_vertex' must be 'pool5' for embedding_size 0, got 'fc_9'"},
        };
        for (String[] c : cases) {
            String changed = good.replace(c[0], c[1]);
            assertTrue(!changed.equals(good), c[0]);
            Files.writeString(infoFile, changed);
            DataException e = assertThrows(DataException.class, () -> Checkpoints.load(saved, false), c[1]);
            assertTrue(e.getMessage().startsWith(c[2]), e.getMessage());
        }
        Files.writeString(infoFile, good.replace("\"iteration\" : 4,", "\"iteration\" : NaN,"));
        DataException parse = assertThrows(DataException.class, () -> Checkpoints.load(saved, false));
        assertEquals(infoFile + ", line 3 column 20: not a checkpoint description (Non-standard token 'NaN')",
                parse.getMessage());
        Files.writeString(infoFile, "[1, 2]");
        DataException list = assertThrows(DataException.class, () -> Checkpoints.info(saved));
        assertTrue(list.getMessage().startsWith(infoFile + ", line 1 column 1: not a checkpoint description (Cannot"
                + " deserialize value of type `a JSON object`"), list.getMessage());
        Files.writeString(infoFile, good);

        Path elsewhere = dir.resolve("copied.zip");
        Files.copy(saved.resolve(Checkpoints.MODEL_FILE), elsewhere);
        Files.copy(infoFile, dir.resolve(Checkpoints.INFO_FILE));
        assertEquals(null, Checkpoints.info(elsewhere), "a zip of another name is not the checkpoint.json's model");
        assertEquals(4, Checkpoints.info(saved.resolve(Checkpoints.MODEL_FILE)).iteration());
        assertEquals(null, Checkpoints.load(elsewhere, false).info());
    }

    @Test
    void theStrideRuleOfABottleneckBackboneIsReadFromTheNetwork() {
        Architecture v15 = new Architecture(ResNet.RESNET50, new ImageShape(3, 32, 32), 0, false);
        ComputationGraph net = EmbeddingNetwork.forInference(v15, 1);
        Checkpoints.requireDescribes(CheckpointInfo.of(v15, ResNet.POOL, 1), net, "c.json", "m.zip");
        CheckpointInfo v1 = CheckpointInfo.of(new Architecture(ResNet.RESNET50, new ImageShape(3, 32, 32), 0, true),
                ResNet.POOL, 1);
        DataException e = assertThrows(DataException.class, () -> Checkpoints.requireDescribes(v1, net, "c.json",
                "m.zip"));
        assertEquals("c.json does not describe m.zip: it says --stride_in_1x1=true, the zip's blocks stride in their"
                + " 3x3 convolution", e.getMessage());
    }
}
