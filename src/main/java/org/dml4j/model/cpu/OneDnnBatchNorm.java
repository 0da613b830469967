package org.dml4j.model.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SCALE_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MEAN;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCALE_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_VARIANCE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WORKSPACE;
import static org.bytedeco.dnnl.global.dnnl.dnnl_backward;
import static org.bytedeco.dnnl.global.dnnl.dnnl_fuse_norm_relu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_workspace_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_batch_normalization_backward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_batch_normalization_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nChw16c;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_scaleshift;
import static org.bytedeco.dnnl.global.dnnl.dnnl_x;

import java.util.Arrays;
import org.bytedeco.dnnl.dnnl_batch_normalization_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.dml4j.model.cpu.OneDnn.Memory;
import org.dml4j.model.cpu.OneDnn.Role;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Training-mode batch normalisation of NCHW float32 maps by oneDNN ({@link OneDnn}), one input shape
 * [N, C, H, W]: batch mean μ and biased variance σ² per channel, y = γ·(x − μ)/√(σ² + ε) + β (then
 * ReLU, when fused); backward dx, dγ and dβ for the same statistics — the maths of {@link BatchNormLayer}.
 * When C is a multiple of 16 it runs in oneDNN's blocked layout (nChw16c, the maps reordered to it and
 * back), with the ReLU fused; otherwise on NCHW, where oneDNN's "ncsp" kernels are 1.3–1.6× slower than
 * blocked ones even with the reorders, and its fused ReLU about 4× slower (docs/PERFORMANCE.md, change 11).
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
    private final boolean fusedRelu;
    private final BytePointer reluMask;
    private final OneDnn.Step forward;
    private final OneDnn.Step backward;

    /**
     * @param shape [N, C, H, W]
     * @param relu  whether a ReLU follows: fused into the primitive where the layout allows ({@link #fusedRelu()})
     * @throws IllegalStateException when oneDNN offers no implementation (the caller falls back)
     */
    OneDnnBatchNorm(long[] shape, double eps, boolean relu) {
        this.shape = shape.clone();
        this.channels = (int) shape[1];
        boolean blocked = channels % 16 == 0;
        this.fusedRelu = relu && blocked;
        int flags = dnnl_use_scaleshift | (fusedRelu ? dnnl_fuse_norm_relu : 0);
        dnnl_memory_desc_t data = OneDnn.desc(this.shape, blocked ? dnnl_nChw16c : dnnl_nchw);
        dnnl_batch_normalization_desc_t fd = new dnnl_batch_normalization_desc_t();
        OneDnn.check(dnnl_batch_normalization_forward_desc_init(fd, dnnl_forward_training, data, (float) eps, flags),
                "batch normalization forward");
        dnnl_primitive_desc fpd = OneDnn.primitiveDesc(fd, null, "batch normalization forward " + this);
        dnnl_batch_normalization_desc_t bd = new dnnl_batch_normalization_desc_t();
        OneDnn.check(dnnl_batch_normalization_backward_desc_init(bd, dnnl_backward, data, data, (float) eps, flags),
                "batch normalization backward");
        dnnl_primitive_desc bpd = OneDnn.primitiveDesc(bd, fpd, "batch normalization backward " + this);

        dnnl_memory_desc_t user = OneDnn.desc(this.shape, dnnl_nchw);
        source = new Memory(user);
        destination = new Memory(user);
        diffDestination = new Memory(user);
        diffSource = new Memory(user);
        Memory scaleShiftMemory = owned(scaleShift = new FloatPointer(2L * channels), new long[] {2, channels}, dnnl_nc);
        Memory diffScaleShiftMemory = owned(diffScaleShift = new FloatPointer(2L * channels), new long[] {2, channels}, dnnl_nc);
        Memory meanMemory = owned(mean = new FloatPointer(channels), new long[] {channels}, dnnl_x);
        Memory varianceMemory = owned(variance = new FloatPointer(channels), new long[] {channels}, dnnl_x);
        Object[] fixedForward = {DNNL_ARG_SCALE_SHIFT, scaleShiftMemory, DNNL_ARG_MEAN, meanMemory, DNNL_ARG_VARIANCE,
            varianceMemory};
        Object[] fixedBackward = {DNNL_ARG_MEAN, meanMemory, DNNL_ARG_VARIANCE, varianceMemory, DNNL_ARG_SCALE_SHIFT,
            scaleShiftMemory, DNNL_ARG_DIFF_SCALE_SHIFT, diffScaleShiftMemory};
        if (fusedRelu) {
            // the ReLU's mask, kept from the forward pass to the backward pass: this layer's own buffer
            Memory mask = new Memory(OneDnn.query(fpd, dnnl_query_workspace_md, 0));
            reluMask = new BytePointer(Math.max(1, mask.bytes) + 64);
            mask.point((reluMask.address() + 63) & ~63L);
            fixedForward = append(fixedForward, DNNL_ARG_WORKSPACE, mask);
            fixedBackward = append(fixedBackward, DNNL_ARG_WORKSPACE, mask);
        } else {
            reluMask = null;
        }
        forward = new OneDnn.Step(fpd, "batch normalization forward", new OneDnn.Operand[] {
            new OneDnn.Operand(DNNL_ARG_SRC, source, dnnl_query_src_md, Role.SOURCE, true),
            new OneDnn.Operand(DNNL_ARG_DST, destination, dnnl_query_dst_md, Role.DESTINATION, false)}, fixedForward);
        backward = new OneDnn.Step(bpd, "batch normalization backward", new OneDnn.Operand[] {
            new OneDnn.Operand(DNNL_ARG_SRC, source, dnnl_query_src_md, Role.SOURCE, true),
            new OneDnn.Operand(DNNL_ARG_DIFF_DST, diffDestination, dnnl_query_diff_dst_md, Role.DIFF_DESTINATION, true),
            new OneDnn.Operand(DNNL_ARG_DIFF_SRC, diffSource, dnnl_query_diff_src_md, Role.DIFF_SOURCE, false)},
                fixedBackward);
    }

    private static Object[] append(Object[] args, int arg, Memory memory) {
        Object[] more = java.util.Arrays.copyOf(args, args.length + 2);
        more[args.length] = arg;
        more[args.length + 1] = memory;
        return more;
    }

    /** Whether the ReLU runs inside this BatchNorm (blocked layout only: in NCHW oneDNN's fused kernel is slower). */
    boolean fusedRelu() {
        return fusedRelu;
    }

    private static Memory owned(FloatPointer buffer, long[] dims, int tag) {
        Memory m = new Memory(OneDnn.desc(dims, tag));
        m.point(buffer.address());
        return m;
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
        forward.run(-1);
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
        backward.run(-1);
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
