package org.dml4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import onnx.Onnx;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.ImageShape;
import org.dml4j.model.Architecture;
import org.dml4j.model.Backbone;
import org.dml4j.model.Backbones;
import org.dml4j.model.EmbeddingNetwork;
import org.dml4j.model.InferenceNetwork;
import org.dml4j.model.TestNetworks;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The exported ONNX model, run by two runtimes that are not ours (ONNX Runtime and OpenCV's DNN
 * module), gives dml4j's embeddings of the same batch: ResNet18 and ResNet50, pooled features
 * and a linear embedding, plain and L2-normalised.
 */
class OnnxModelTest {
    @ParameterizedTest
    @CsvSource({"ResNet18, 0", "ResNet18, 8", "ResNet50, 0", "ResNet50, 16"})
    void otherRuntimesGiveDml4jsEmbeddings(String model, int embedding) throws Exception {
        Backbone b = Backbones.parse(model);
        ImageShape shape = new ImageShape(3, 32, 32);
        Architecture arch = new Architecture(b, shape, embedding);
        String vertex = EmbeddingNetwork.embeddingVertex(arch);
        ComputationGraph trained = TestNetworks.trained(b, 32, embedding, DataType.FLOAT, 11);
        INDArray x = TestNetworks.input(3, 32, DataType.FLOAT);
        INDArray reference = trained.output(List.of(vertex), false, new INDArray[] {x}, null)[0].reshape(3, -1);
        for (boolean normalize : new boolean[] {false, true}) {
            ComputationGraph folded = InferenceNetwork.of(trained, shape, vertex, normalize,
                    InferenceNetwork.Flavour.STOCK, DataType.FLOAT);
            Onnx.ModelProto proto = OnnxModel.of(folded, shape, EmbeddingNetwork.embeddingWidth(arch),
                    Map.of("dml4j_version", "test"));
            byte[] bytes = proto.toByteArray();
            INDArray expected = normalize ? reference.divColumnVector(reference.norm2(1).reshape(-1, 1)) : reference;
            float[] ort = Runtimes.onnxRuntime(bytes, x);
            assertArrayEquals(new long[] {expected.length()}, new long[] {ort.length});
            String what = model + " embedding " + embedding + (normalize ? " normalised" : "");
            assertTrue(Runtimes.maxRelative(ort, expected) < 1e-4, "ONNX Runtime, " + what + ": " + Runtimes.maxRelative(ort, expected));
            float[] cv = Runtimes.openCv(bytes, x);
            assertTrue(Runtimes.maxRelative(cv, expected) < 1e-4, "OpenCV DNN, " + what + ": " + Runtimes.maxRelative(cv, expected));
        }
    }
}
