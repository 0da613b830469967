package org.dml4j.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import onnx.Onnx;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_dnn.Net;
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
import org.nd4j.linalg.factory.Nd4j;

/**
 * The exported ONNX model, run by two runtimes that are not ours (ONNX Runtime and OpenCV's DNN
 * module), gives dml4j's embeddings of the same batch: ResNet18 and ResNet50, pooled features
 * and a linear embedding, plain and L2-normalised.
 */
class OnnxModelTest {
    /** Largest absolute difference over the largest magnitude of the reference. */
    static double maxRelative(float[] got, INDArray reference) {
        float[] ref = reference.castTo(DataType.FLOAT).dup('c').data().asFloat();
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < ref.length; i++) {
            worst = Math.max(worst, Math.abs(got[i] - ref[i]));
            scale = Math.max(scale, Math.abs(ref[i]));
        }
        return worst / scale;
    }

    static float[] onnxRuntime(byte[] model, INDArray x) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.dup('c').data().asFloat()), x.shape());
             OrtSession.Result result = session.run(Map.of(OnnxModel.INPUT, input))) {
            OnnxTensor out = (OnnxTensor) result.get(OnnxModel.OUTPUT).orElseThrow();
            FloatBuffer values = out.getFloatBuffer();
            float[] f = new float[values.remaining()];
            values.get(f);
            return f;
        }
    }

    static float[] openCv(byte[] model, INDArray x) {
        try (BytePointer bytes = new BytePointer(model);
             Net net = opencv_dnn.readNetFromONNX(bytes, model.length);
             FloatPointer data = new FloatPointer(x.dup('c').data().asFloat());
             Mat blob = new Mat(new int[] {(int) x.size(0), (int) x.size(1), (int) x.size(2), (int) x.size(3)},
                     opencv_core.CV_32F, data)) {
            net.setInput(blob);
            try (Mat out = net.forward()) {
                float[] f = new float[(int) out.total()];
                out.data().position(0);
                new FloatPointer(out.data()).get(f);
                return f;
            }
        }
    }

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
            float[] ort = onnxRuntime(bytes, x);
            assertArrayEquals(new long[] {expected.length()}, new long[] {ort.length});
            String what = model + " embedding " + embedding + (normalize ? " normalised" : "");
            assertTrue(maxRelative(ort, expected) < 1e-4, "ONNX Runtime, " + what + ": " + maxRelative(ort, expected));
            float[] cv = openCv(bytes, x);
            assertTrue(maxRelative(cv, expected) < 1e-4, "OpenCV DNN, " + what + ": " + maxRelative(cv, expected));
        }
    }
}
