package org.dml4j.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An ONNX model ({@link OnnxModel}'s input and output names) run by ONNX Runtime on the CPU, all
 * graph optimisations on (ONNX Runtime then fuses convolution, bias and ReLU and keeps its own
 * blocked layout from layer to layer), one intra-op thread per available processor.
 *
 * <p>Not thread-safe for concurrent {@link #run} calls from several threads on one instance in
 * dml4j's use (one per command); close it to free the native session.
 */
public final class OnnxSession implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    /**
     * @param model the serialised ONNX model
     * @throws IllegalStateException when ONNX Runtime cannot load it
     */
    public OnnxSession(byte[] model) {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
            session = env.createSession(model, options);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
    }

    /**
     * The model's output for a batch.
     *
     * @param images [N, 3, H, W] float32
     * @return [N, D] float32, a new array
     * @throws IllegalStateException when ONNX Runtime fails on it
     */
    public INDArray run(INDArray images) {
        INDArray x = images.dataType() == DataType.FLOAT && images.ordering() == 'c' && !images.isView()
                ? images : images.castTo(DataType.FLOAT).dup('c');
        try (OnnxTensor input = OnnxTensor.createTensor(env, x.data().asNioFloat(), x.shape());
             OrtSession.Result result = session.run(Map.of(OnnxModel.INPUT, input))) {
            OnnxTensor out = (OnnxTensor) result.get(OnnxModel.OUTPUT).orElseThrow();
            long[] shape = out.getInfo().getShape();
            FloatBuffer values = out.getFloatBuffer();
            float[] f = new float[values.remaining()];
            values.get(f);
            return Nd4j.create(f, shape, 'c');
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a batch of " + x.size(0) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close the ONNX Runtime session: " + e.getMessage(), e);
        }
    }
}
