package org.dml4j.model.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SCALE_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MEAN;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCALE_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_VARIANCE;
import static org.bytedeco.dnnl.global.dnnl.dnnl_backward;
import static org.bytedeco.dnnl.global.dnnl.dnnl_batch_normalization_backward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_batch_normalization_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_scaleshift;
import static org.bytedeco.dnnl.global.dnnl.dnnl_x;

import java.util.Arrays;
import org.bytedeco.dnnl.dnnl_batch_normalization_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.FloatPointer;
import org.dml4j.model.cpu.OneDnn.Call;
import org.dml4j.model.cpu.OneDnn.Memory;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Training-mode batch normalisation of NCHW float32 maps by oneDNN ({@link OneDnn}), one input shape
 * [N, C, H, W]: batch mean μ and biased variance σ² per channel, y = γ·(x − μ)/√(σ² + ε) + β; backward
 * dx, dγ and dβ for the same statistics — the maths of {@link BatchNormLayer}. On NCHW data oneDNN runs
 * its "ncsp" kernels; its fused BatchNorm+ReLU is about 4× slower in that layout (measured), so the
 * ReLU stays the layer's.
 */
final class OneDnnBatchNorm {
    private final long[] shape;
    private final int channels;
    private final Memory source;
    private final Memory destination;
    private final Memory diffDestination;
    private final Memory diffSource;
    /** γ then β, [2, C]; its gradient likewise; the batch statistics [C]: buffers of this layer. */
    private final FloatPointer scaleShift;
    private final FloatPointer diffScaleShift;
    private final FloatPointer mean;
    private final FloatPointer variance;
    private final Call forward;
    private final Call backward;

    /**
     * @param shape [N, C, H, W]
     * @throws IllegalStateException when oneDNN offers no implementation (the caller falls back)
     */
    OneDnnBatchNorm(long[] shape, double eps) {
        this.shape = shape.clone();
        this.channels = (int) shape[1];
        dnnl_memory_desc_t data = OneDnn.desc(this.shape, dnnl_nchw);
        dnnl_batch_normalization_desc_t fd = new dnnl_batch_normalization_desc_t();
        OneDnn.check(dnnl_batch_normalization_forward_desc_init(fd, dnnl_forward_training, data, (float) eps,
                dnnl_use_scaleshift), "batch normalization forward");
        dnnl_primitive_desc fpd = OneDnn.primitiveDesc(fd, null, "batch normalization forward " + this);
        dnnl_batch_normalization_desc_t bd = new dnnl_batch_normalization_desc_t();
        OneDnn.check(dnnl_batch_normalization_backward_desc_init(bd, dnnl_backward, data, data, (float) eps,
                dnnl_use_scaleshift), "batch normalization backward");
        dnnl_primitive_desc bpd = OneDnn.primitiveDesc(bd, fpd, "batch normalization backward " + this);

        source = new Memory(data);
        destination = new Memory(data);
        diffDestination = new Memory(data);
        diffSource = new Memory(data);
        Memory scaleShiftMemory = owned(scaleShift = new FloatPointer(2L * channels), new long[] {2, channels}, dnnl_nc);
        Memory diffScaleShiftMemory = owned(diffScaleShift = new FloatPointer(2L * channels), new long[] {2, channels}, dnnl_nc);
        Memory meanMemory = owned(mean = new FloatPointer(channels), new long[] {channels}, dnnl_x);
        Memory varianceMemory = owned(variance = new FloatPointer(channels), new long[] {channels}, dnnl_x);
        forward = new Call(OneDnn.primitive(fpd, "batch normalization forward"), "batch normalization forward",
                DNNL_ARG_SRC, source, DNNL_ARG_DST, destination, DNNL_ARG_SCALE_SHIFT, scaleShiftMemory,
                DNNL_ARG_MEAN, meanMemory, DNNL_ARG_VARIANCE, varianceMemory);
        backward = new Call(OneDnn.primitive(bpd, "batch normalization backward"), "batch normalization backward",
                DNNL_ARG_SRC, source, DNNL_ARG_MEAN, meanMemory, DNNL_ARG_VARIANCE, varianceMemory,
                DNNL_ARG_DIFF_DST, diffDestination, DNNL_ARG_SCALE_SHIFT, scaleShiftMemory,
                DNNL_ARG_DIFF_SRC, diffSource, DNNL_ARG_DIFF_SCALE_SHIFT, diffScaleShiftMemory);
    }

    private static Memory owned(FloatPointer buffer, long[] dims, int tag) {
        Memory m = new Memory(OneDnn.desc(dims, tag));
        m.point(buffer.address());
        return m;
    }

    /** Whether this was built for input of this shape. */
    boolean fits(long[] input) {
        return Arrays.equals(shape, input);
    }

    /**
     * Normalises {@code x} into {@code y} with the batch statistics, written to {@code batchMean} and
     * {@code batchVariance} (length C).
     */
    void forward(INDArray x, double[] gamma, double[] beta, INDArray y, double[] batchMean, double[] batchVariance) {
        for (int c = 0; c < channels; c++) {
            scaleShift.put(c, (float) gamma[c]);
            scaleShift.put(channels + c, (float) beta[c]);
        }
        source.point(x);
        destination.point(y);
        forward.run();
        for (int c = 0; c < channels; c++) {
            batchMean[c] = mean.get(c);
            batchVariance[c] = variance.get(c);
        }
    }

    /**
     * The input gradient into {@code dx} and dγ, dβ for the statistics and γ, β of the last {@link #forward}
     * (on the same {@code x}).
     */
    void backward(INDArray x, INDArray dy, INDArray dx, double[] dGamma, double[] dBeta) {
        source.point(x);
        diffDestination.point(dy);
        diffSource.point(dx);
        backward.run();
        for (int c = 0; c < channels; c++) {
            dGamma[c] = diffScaleShift.get(c);
            dBeta[c] = diffScaleShift.get(channels + c);
        }
    }

    @Override
    public String toString() {
        return Arrays.toString(shape);
    }
}
