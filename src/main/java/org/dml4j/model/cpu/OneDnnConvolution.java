package org.dml4j.model.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_data_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_weights_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_oihw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_weights_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_weights_md;

import java.util.Arrays;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.dml4j.model.cpu.OneDnn.Call;
import org.dml4j.model.cpu.OneDnn.Memory;
import org.dml4j.model.cpu.OneDnn.Role;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A bias-free 2-D convolution without activation (a training network's, followed by its BatchNorm) run
 * by oneDNN's direct convolution: forward, input gradient and weight gradient for one input shape
 * [N, C, H, W] and weights [O, C, kH, kW], NCHW/OIHW arrays in and out ({@link OneDnn}). Truncate
 * padding as DL4J's: output side ⌊(H + 2p − k)/s⌋ + 1, which is oneDNN's with the same padding on both
 * sides. The primitives choose their layouts; inputs are reordered into scratch buffers where they
 * differ, outputs reordered back.
 */
final class OneDnnConvolution {
    private final long[] inputShape;
    private final long[] outputShape;

    private final Memory source;
    private final Memory weights;
    private final Memory destination;
    private final Memory diffDestination;
    private final Memory diffSource;
    private final Memory diffWeights;

    private final OneDnn.Step forward;
    private final OneDnn.Step backwardData;
    private final OneDnn.Step backwardWeights;
    /** Whether both backward primitives take dy in the same (reordered) layout: then it is reordered once. */
    private final boolean sharedDiffDestination;

    /**
     * @param input  [N, C, H, W]
     * @param out    output channels
     * @throws IllegalStateException when oneDNN offers no implementation (the caller falls back)
     */
    OneDnnConvolution(long[] input, long out, int[] kernel, int[] stride, int[] padding) {
        this.inputShape = input.clone();
        long oh = (input[2] + 2L * padding[0] - kernel[0]) / stride[0] + 1;
        long ow = (input[3] + 2L * padding[1] - kernel[1]) / stride[1] + 1;
        this.outputShape = new long[] {input[0], out, oh, ow};
        long[] weightShape = {out, input[1], kernel[0], kernel[1]};
        long[] strides = {stride[0], stride[1]};
        long[] pads = {padding[0], padding[1]};

        source = new Memory(OneDnn.desc(inputShape, dnnl_nchw));
        weights = new Memory(OneDnn.desc(weightShape, dnnl_oihw));
        destination = new Memory(OneDnn.desc(outputShape, dnnl_nchw));
        diffDestination = new Memory(OneDnn.desc(outputShape, dnnl_nchw));
        diffSource = new Memory(OneDnn.desc(inputShape, dnnl_nchw));
        diffWeights = new Memory(OneDnn.desc(weightShape, dnnl_oihw));

        dnnl_convolution_desc_t fd = new dnnl_convolution_desc_t();
        OneDnn.check(dnnl_convolution_forward_desc_init(fd, dnnl_forward_training, dnnl_convolution_direct,
                any(inputShape), any(weightShape), null, any(outputShape), strides, pads, pads), "convolution forward");
        dnnl_primitive_desc fpd = OneDnn.primitiveDesc(fd, null, "convolution forward " + this);
        dnnl_convolution_desc_t dd = new dnnl_convolution_desc_t();
        OneDnn.check(dnnl_convolution_backward_data_desc_init(dd, dnnl_convolution_direct,
                any(inputShape), any(weightShape), any(outputShape), strides, pads, pads), "convolution backward data");
        dnnl_primitive_desc dpd = OneDnn.primitiveDesc(dd, fpd, "convolution backward data " + this);
        dnnl_convolution_desc_t wd = new dnnl_convolution_desc_t();
        OneDnn.check(dnnl_convolution_backward_weights_desc_init(wd, dnnl_convolution_direct,
                any(inputShape), any(weightShape), null, any(outputShape), strides, pads, pads), "convolution backward weights");
        dnnl_primitive_desc wpd = OneDnn.primitiveDesc(wd, fpd, "convolution backward weights " + this);

        forward = new OneDnn.Step(fpd, "convolution forward",
                new OneDnn.Operand[] {
                new OneDnn.Operand(DNNL_ARG_SRC, source, dnnl_query_src_md, Role.SOURCE, true),
                new OneDnn.Operand(DNNL_ARG_WEIGHTS, weights, dnnl_query_weights_md, Role.WEIGHTS, true),
                new OneDnn.Operand(DNNL_ARG_DST, destination, dnnl_query_dst_md, Role.DESTINATION, false)});
        backwardData = new OneDnn.Step(dpd, "convolution backward data",
                new OneDnn.Operand[] {
                new OneDnn.Operand(DNNL_ARG_DIFF_DST, diffDestination, dnnl_query_diff_dst_md, Role.DIFF_DESTINATION, true),
                new OneDnn.Operand(DNNL_ARG_WEIGHTS, weights, dnnl_query_weights_md, Role.WEIGHTS, true),
                new OneDnn.Operand(DNNL_ARG_DIFF_SRC, diffSource, dnnl_query_diff_src_md, Role.DIFF_SOURCE, false)});
        backwardWeights = new OneDnn.Step(wpd, "convolution backward weights",
                new OneDnn.Operand[] {
                new OneDnn.Operand(DNNL_ARG_SRC, source, dnnl_query_src_md, Role.SOURCE, true),
                new OneDnn.Operand(DNNL_ARG_DIFF_DST, diffDestination, dnnl_query_diff_dst_md, Role.DIFF_DESTINATION, true),
                new OneDnn.Operand(DNNL_ARG_DIFF_WEIGHTS, diffWeights, dnnl_query_diff_weights_md, Role.DIFF_WEIGHTS, false)});
        OneDnn.Operand dyForData = backwardData.operand(DNNL_ARG_DIFF_DST);
        OneDnn.Operand dyForWeights = backwardWeights.operand(DNNL_ARG_DIFF_DST);
        sharedDiffDestination = dyForData.reorder != null && dyForWeights.reorder != null
                && dyForData.own.sameLayout(dyForWeights.own);
    }

    private static org.bytedeco.dnnl.dnnl_memory_desc_t any(long[] dims) {
        return OneDnn.desc(dims, dnnl_format_tag_any);
    }

    /** [N, O, H', W']. */
    long[] outputShape() {
        return outputShape.clone();
    }

    /** y = W ∗ x into {@code y} ([N, O, H', W'], C-ordered). */
    void forward(INDArray x, INDArray w, INDArray y) {
        source.point(x);
        weights.point(w);
        destination.point(y);
        forward.run(-1);
    }

    /** dx = Wᵀ ∗ dy (the input gradient, into {@code dx}) and dW = dy ⋆ x (into {@code dw}, OIHW). */
    void backward(INDArray x, INDArray w, INDArray dy, INDArray dx, INDArray dw) {
        source.point(x);
        weights.point(w);
        diffDestination.point(dy);
        diffSource.point(dx);
        diffWeights.point(dw);
        backwardData.run(-1);
        // the weight gradient's dy: already in the scratch buffer the data gradient's reorder filled, if shared
        backwardWeights.run(sharedDiffDestination ? DNNL_ARG_DIFF_DST : -1);
    }

    @Override
    public String toString() {
        return Arrays.toString(inputShape) + " -> " + Arrays.toString(outputShape);
    }
}
