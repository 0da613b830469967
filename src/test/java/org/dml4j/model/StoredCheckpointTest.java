package org.dml4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.eval.Npy;
import org.dml4j.loss.ArcMarginLayer;
import org.dml4j.train.Momentum;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Checkpoints written by earlier versions of dml4j still load and give the features they gave then
 * ({@link CheckpointFixture} wrote each folder; DL4J names our classes inside model.zip, so a
 * renamed or moved layer, loss or updater class fails here).
 */
class StoredCheckpointTest {
    @ParameterizedTest
    @ValueSource(strings = {"v0-2026-11-29", "v1-2026-11-29"})
    void storedCheckpointsLoadAndGiveTheirFeatures(String version) {
        Path dir = Path.of("src/test/resources/checkpoints", version);
        Checkpoints.Loaded loaded = Checkpoints.load(dir.resolve("1"), true);
        ComputationGraph net = loaded.net();
        assertEquals(1, loaded.iteration());
        CheckpointInfo info = loaded.info();
        assertEquals("ResNet18", info.model());
        assertEquals(6, info.embeddingSize());
        assertEquals("fc_0", info.embeddingVertex());
        if (info.format() == 0) {
            assertEquals(null, info.imageShape(), "the untyped map did not store the image shape");
            assertEquals(null, info.training(), "its configuration text is cut short: no training flag is invented");
        } else {
            assertEquals("arcmargin", info.flags().get("--loss_name"));
            assertEquals("3,8,8", info.flags().get("--image_shape"));
            assertEquals("3,5", info.flags().get("--lr_steps"));
            assertEquals(2, info.data().size());
        }
        assertTrue(net.getConfiguration().getVertices().size() >= 11);
        assertTrue(net.getLayer("head").conf().getLayer() instanceof ArcMarginLayer arc && arc.getScale() == 16);
        assertTrue(net.getLayer("conv1").conf().getLayer() instanceof GemmConvolution);
        assertTrue(net.getLayer("bn_conv1").conf().getLayer() instanceof RegularizedBatchNorm bn && bn.isReluAfter());
        assertTrue(net.getLayer("fc_0").conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseLayer l
                && l.getIUpdater() instanceof Momentum m && m.getLearningRate(4, 0) == 0.001);

        INDArray x = Npy.read(dir.resolve("input.npy")).reshape(4, 3, CheckpointFixture.SIZE, CheckpointFixture.SIZE);
        INDArray expected = Npy.read(dir.resolve("features.npy"));
        INDArray features = net.output(List.of("fc_0"), false, new INDArray[] {x}, null)[0];
        assertArrayEquals(expected.reshape(-1).toFloatVector(), features.reshape(-1).toFloatVector(), 1e-5f);
    }

    @org.junit.jupiter.api.Test
    void aCheckpointWithNonFiniteOptimiserStateCannotBeResumed(@org.junit.jupiter.api.io.TempDir Path dir)
            throws java.io.IOException {
        ComputationGraph net = CheckpointFixture.network();
        net.getUpdater().getStateViewArray().putScalar(3, Float.NaN);
        Path zip = dir.resolve(Checkpoints.MODEL_FILE);
        org.deeplearning4j.util.ModelSerializer.writeModel(net, zip.toFile(), true);
        String m = org.junit.jupiter.api.Assertions.assertThrows(org.dml4j.error.DataException.class,
                () -> Checkpoints.load(dir, true)).getMessage();
        assertTrue(m.endsWith("model.zip: its optimiser state (momentum) holds values that are not finite (NaN or"
                + " infinite); this checkpoint cannot be resumed"), m);
        assertEquals(net.params(), Checkpoints.load(dir, false).net().params(),
                "the weights alone still load (for eval, infer, or as --pretrained_model)");
    }
}
