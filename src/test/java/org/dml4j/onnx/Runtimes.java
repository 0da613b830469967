package org.dml4j.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_dnn.Net;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Runtimes that are not dml4j's, running an ONNX model on a batch: ONNX Runtime and OpenCV's DNN module. */
public final class Runtimes {
    private Runtimes() {
    }

    /** Largest absolute difference over the largest magnitude of the reference. */
    public static double maxRelative(float[] got, INDArray reference) {
        float[] ref = reference.castTo(DataType.FLOAT).dup('c').data().asFloat();
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < ref.length; i++) {
            worst = Math.max(worst, Math.abs(got[i] - ref[i]));
            scale = Math.max(scale, Math.abs(ref[i]));
        }
        return worst / scale;
    }

    public static float[] onnxRuntime(byte[] model, INDArray x) throws Exception {
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

    public static float[] openCv(byte[] model, INDArray x) {
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

}
