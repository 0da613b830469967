package org.dml4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.ImageShape;
import org.dml4j.error.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

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
}
