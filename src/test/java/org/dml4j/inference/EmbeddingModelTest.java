package org.dml4j.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.dml4j.data.ImageList;
import org.dml4j.data.ImageShape;
import org.dml4j.data.ImageTransform;
import org.dml4j.data.Split;
import org.dml4j.data.TestData;
import org.dml4j.error.ModelMismatchException;
import org.dml4j.eval.Npy;
import org.dml4j.model.Architecture;
import org.dml4j.model.Checkpoints;
import org.dml4j.model.EmbeddingNetwork;
import org.dml4j.model.ResNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The inference core: the same embeddings from a path, from bytes, from a batch, from decoded images, from a list. */
class EmbeddingModelTest {
    @TempDir
    Path dir;

    private static final Path STORED = Path.of("src/test/resources/checkpoints/v1-2026-11-29");

    @Test
    void aCheckpointLoadedFromAPathOrFromBytesGivesItsStoredFeatures() throws IOException {
        INDArray x = Npy.read(STORED.resolve("input.npy")).reshape(4, 3, 8, 8);
        float[] expected = Npy.read(STORED.resolve("features.npy")).reshape(-1).toFloatVector();
        EmbeddingModel fromPath = EmbeddingModel.load(STORED.resolve("1"), null);
        assertEquals("fc_0", fromPath.vertex());
        assertEquals(new ImageShape(3, 8, 8), fromPath.architecture().shape(), "the shape comes from checkpoint.json");
        assertArrayEquals(expected, fromPath.embed(x).reshape(-1).toFloatVector(), 1e-5f);

        EmbeddingModel fromBytes = EmbeddingModel.fromBytes(Files.readAllBytes(STORED.resolve("1/model.zip")),
                Checkpoints.info(STORED.resolve("1")), "the stored checkpoint");
        assertArrayEquals(expected, fromBytes.embed(x).reshape(-1).toFloatVector(), 1e-5f);

        try (EmbeddingModel onnx = EmbeddingModel.load(STORED.resolve("1"), null, EmbeddingModel.Engine.ONNXRUNTIME)) {
            assertEquals(EmbeddingModel.Engine.ONNXRUNTIME, onnx.engine());
            assertArrayEquals(expected, onnx.embed(x).reshape(-1).toFloatVector(), 1e-5f,
                    "ONNX Runtime on the exported network gives the stored features");
            assertThrows(IllegalStateException.class, onnx::network);
        }

        ModelMismatchException old = assertThrows(ModelMismatchException.class,
                () -> EmbeddingModel.load(Path.of("src/test/resources/checkpoints/v0-2026-11-29/1"), null));
        assertEquals("src/test/resources/checkpoints/v0-2026-11-29/1 was written before dml4j recorded the image"
                + " shape; give the shape it was trained at with --image_shape C,H,W", old.getMessage());
        assertArrayEquals(expected, EmbeddingModel.load(Path.of("src/test/resources/checkpoints/v0-2026-11-29/1"),
                new ImageShape(3, 8, 8)).embed(x).reshape(-1).toFloatVector(), 1e-5f);
    }

    @Test
    void decodedImagesFilesAndBytesGiveTheSameEmbeddingsAsTheListLoop() throws IOException {
        Path data = TestData.stripes(dir.resolve("data"), 2, 1, 3, 20, 3);
        ImageList test = ImageList.read(data, Split.TEST);
        Architecture arch = new Architecture(ResNet.RESNET18, new ImageShape(3, 16, 16), 8);
        EmbeddingModel model = EmbeddingModel.of(EmbeddingNetwork.forInference(arch, 1), arch,
                EmbeddingNetwork.embeddingVertex(arch));
        EmbeddingModel.Features listed = model.embed(test, 4, 2, null);
        assertArrayEquals(new long[] {6, 8}, listed.features().shape());

        List<Mat> decoded = new ArrayList<>();
        for (int i = 0; i < test.size(); i++) {
            byte[] bytes = Files.readAllBytes(test.imagePath(i));
            decoded.add(ImageTransform.decode(bytes, test.imagePath(i).toString()));
        }
        INDArray fromMats = model.embedDecoded(decoded, 4);
        decoded.forEach(Mat::close);
        assertArrayEquals(listed.features().reshape(-1).toFloatVector(), fromMats.reshape(-1).toFloatVector(), 0f,
                "the same pixels in, the same embeddings out, whatever the batching");
    }
}
