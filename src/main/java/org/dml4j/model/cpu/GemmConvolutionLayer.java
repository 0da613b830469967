package org.dml4j.model.cpu;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Convolutions (NCHW) where DL4J M2.1's oneDNN path is slow, as matrix products (docs/PERFORMANCE.md,
 * changes 5 and 6); everything else is DL4J's own ConvolutionLayer. The forward 1×1 path also takes
 * a bias and a ReLU (inference networks with folded BatchNorms); the backward paths are for
 * bias-free convolutions without activation (training networks), others use DL4J's.
 *
 * <p><b>1×1</b>, both directions (a stride &gt; 1 first copies the positions it visits; the others get
 * no gradient): with the input viewed as x[n] = [C_in, H·W] per example and
 * W = [C_out, C_in], y[n] = W·x[n]; backward dx[n] = Wᵀ·dy[n], dW = Σₙ dy[n]·x[n]ᵀ. For small maps
 * (H·W &lt; 1024) the examples are first laid side by side ([C_in, N·H·W], one copy) so that each
 * product is one large matrix product. oneDNN took 1.3–4× this time; ResNet50's bottlenecks are two
 * thirds 1×1 convolutions.
 *
 * <p><b>k×k, stride 1, ≥ 256 input channels, at most 14×14 outputs</b>, backward only: oneDNN's forward
 * is kept, but for these shapes it runs the backward pass as Winograd, 1.1–6× slower than im2col and
 * two matrix products: with col = im2col(x) as [C_in·k·k, N·P] (P output positions) and dy as
 * [C_out, N·P], dW = dy·colᵀ and dx = col2im(Wᵀ·dy).
 */
public final class GemmConvolutionLayer extends ConvolutionLayer {
    /** Below this many positions per map the examples are laid side by side for one product. */
    static final long SIDE_BY_SIDE_BELOW = 1024;
    /** Where oneDNN's backward pass is Winograd (measured on ResNet50's stages 4 and 5 at 64 and 224 px). */
    static final long IM2COL_MIN_CHANNELS = 256;
    static final long IM2COL_MAX_POSITIONS = 14 * 14;

    /**
     * DL4J: DL4J's layer both ways; HELPER_BACKWARD: DL4J's forward pass, its oneDNN helper's backward pass
     * called directly; the others this layer's own.
     */
    private enum Path { DL4J, HELPER_BACKWARD, ONEDNN, POINTWISE, IM2COL_BACKWARD }

    private Path path = Path.DL4J;
    /** oneDNN's primitives for the current input shape (float32), and those of the last forward pass. */
    private final OneDnn.PerShape<OneDnnConvolution> oneDnnPrimitives = new OneDnn.PerShape<>(shape -> new OneDnnConvolution(
            shape, layerConf().getNOut(), layerConf().getKernelSize(), layerConf().getStride(), layerConf().getPadding()),
            "DL4J's path");
    private OneDnnConvolution oneDnn;
    /** The zero bias the helper's backward pass takes for a bias-free convolution. */
    private transient INDArray zeroBias;

    /** The runtime layer of dml4j's GEMM convolution configuration ({@code org.dml4j.model.GemmConvolution}). */
    public GemmConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private Path pathFor(INDArray x) {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        boolean plain = CpuArrays.ownPathFor(x) && x.size(1) == c.getNIn() && c.getCnn2dDataFormat() == CNN2DFormat.NCHW
                && c.getDilation()[0] == 1 && c.getDilation()[1] == 1
                && c.getConvolutionMode() != ConvolutionMode.Same
                && (c.getActivationFn() instanceof ActivationIdentity || c.getActivationFn() instanceof ActivationReLU)
                && c.getIDropout() == null && c.getWeightNoise() == null;
        int[] k = c.getKernelSize();
        int[] p = c.getPadding();
        if (!plain) {
            return Path.DL4J;
        }
        if (bare()) {
            oneDnn = oneDnnPrimitives.forInput(x, layerId());
            if (oneDnn != null) {
                return Path.ONEDNN;
            }
        }
        if (k[0] == 1 && k[1] == 1 && p[0] == 0 && p[1] == 0) {
            return Path.POINTWISE;
        }
        long positions = (x.size(2) + 2L * p[0] - k[0] + 1) * (x.size(3) + 2L * p[1] - k[1] + 1);
        boolean stride1 = c.getStride()[0] == 1 && c.getStride()[1] == 1;
        if (stride1 && x.size(1) >= IM2COL_MIN_CHANNELS && positions <= IM2COL_MAX_POSITIONS && bare()) {
            return Path.IM2COL_BACKWARD;
        }
        return bare() && helper != null ? Path.HELPER_BACKWARD : Path.DL4J;
    }

    /** Whether the last forward pass ran oneDNN's primitives (a kind of {@link #ownPath()}). */
    public boolean oneDnn() {
        return path == Path.ONEDNN;
    }

    /** No bias and no activation: the only case this layer's backward pass covers (training networks). */
    private boolean bare() {
        return !layerConf().hasBias() && layerConf().getActivationFn() instanceof ActivationIdentity;
    }

    /** Whether the last forward pass took this layer's own path (in either direction) rather than DL4J's. */
    public boolean ownPath() {
        return path != Path.DL4J && path != Path.HELPER_BACKWARD;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        path = pathFor(input);
        if (path == Path.ONEDNN) {
            INDArray x = CpuArrays.contiguous(input, ArrayType.FF_WORKING_MEM, workspaceMgr);
            INDArray y = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), oneDnn.outputShape(), 'c');
            oneDnn.forward(x, getParam(ConvolutionParamInitializer.WEIGHT_KEY), y);
            return y;
        }
        if (path != Path.POINTWISE) {
            return super.activate(training, workspaceMgr);   // DL4J's (and its helper's) forward pass
        }
        INDArray x = pointwiseInput(ArrayType.FF_WORKING_MEM, workspaceMgr);
        long n = x.size(0);
        long positions = x.size(2) * x.size(3);
        INDArray w = weights();
        long out = w.size(0);
        INDArray y = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(),
                new long[] {n, out, x.size(2), x.size(3)}, 'c');
        if (positions >= SIDE_BY_SIDE_BELOW) {
            INDArray x3 = x.reshape('c', n, x.size(1), positions);
            INDArray y3 = y.reshape('c', n, out, positions);
            for (int i = 0; i < n; i++) {
                Nd4j.gemm(w, x3.slice(i), y3.slice(i), false, false, 1.0, 0.0);
            }
        } else {
            INDArray xs = sideBySide(x, x.size(1), ArrayType.FF_WORKING_MEM, workspaceMgr);
            INDArray ys = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, x.dataType(),
                    new long[] {out, n, positions}, 'c');
            Nd4j.gemm(w, xs.reshape('c', x.size(1), n * positions), ys.reshape('c', out, n * positions),
                    false, false, 1.0, 0.0);
            perExample(ys, y);
        }
        if (layerConf().hasBias()) {
            // the folded BatchNorm's offset, per output channel (inference networks)
            INDArray y3 = y.reshape('c', n, out, positions);
            Nd4j.getExecutioner().exec(new BroadcastAddOp(y3, getParam(ConvolutionParamInitializer.BIAS_KEY)
                    .reshape(out), y3, 1));
        }
        if (layerConf().getActivationFn() instanceof ActivationReLU) {
            Transforms.relu(y, false);
        }
        return y;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (path == Path.HELPER_BACKWARD) {
            Pair<Gradient, INDArray> viaHelper = helperBackward(epsilon, workspaceMgr);
            if (viaHelper != null) {
                return viaHelper;
            }
        }
        if (path == Path.DL4J || path == Path.HELPER_BACKWARD || !bare()) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        if (path == Path.IM2COL_BACKWARD) {
            return im2colBackward(epsilon, workspaceMgr);
        }
        if (path == Path.ONEDNN) {
            assertInputSet(true);
            INDArray x = CpuArrays.contiguous(input, ArrayType.BP_WORKING_MEM, workspaceMgr);
            INDArray dy = CpuArrays.contiguous(epsilon, ArrayType.BP_WORKING_MEM, workspaceMgr);
            INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, x.dataType(), x.shape(), 'c');
            oneDnn.backward(x, getParam(ConvolutionParamInitializer.WEIGHT_KEY), dy, dx,
                    gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY));
            return withWeightGradient(dx);
        }
        assertInputSet(true);
        INDArray x = pointwiseInput(ArrayType.BP_WORKING_MEM, workspaceMgr);
        INDArray dy = CpuArrays.contiguous(epsilon, ArrayType.BP_WORKING_MEM, workspaceMgr);
        long n = x.size(0);
        long in = x.size(1);
        long positions = x.size(2) * x.size(3);
        INDArray w = weights();
        long out = w.size(0);
        INDArray dwView = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
        INDArray dw = dwView.reshape('c', out, in);
        INDArray dx = workspaceMgr.createUninitialized(strided() ? ArrayType.BP_WORKING_MEM : ArrayType.ACTIVATION_GRAD,
                x.dataType(), x.shape(), 'c');
        if (positions >= SIDE_BY_SIDE_BELOW) {
            INDArray x3 = x.reshape('c', n, in, positions);
            INDArray dy3 = dy.reshape('c', n, out, positions);
            INDArray dx3 = dx.reshape('c', n, in, positions);
            for (int i = 0; i < n; i++) {
                Nd4j.gemm(w, dy3.slice(i), dx3.slice(i), true, false, 1.0, 0.0);
                Nd4j.gemm(dy3.slice(i), x3.slice(i), dw, false, true, 1.0, i == 0 ? 0.0 : 1.0);
            }
        } else {
            INDArray xs = sideBySide(x, in, ArrayType.BP_WORKING_MEM, workspaceMgr).reshape('c', in, n * positions);
            INDArray dys = sideBySide(dy, out, ArrayType.BP_WORKING_MEM, workspaceMgr).reshape('c', out, n * positions);
            INDArray dxs = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, x.dataType(),
                    new long[] {in, n, positions}, 'c');
            Nd4j.gemm(w, dys, dxs.reshape('c', in, n * positions), true, false, 1.0, 0.0);
            Nd4j.gemm(dys, xs, dw, false, true, 1.0, 0.0);
            perExample(dxs, dx);
        }
        if (strided()) {
            // the positions the stride skipped get no gradient
            INDArray full = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, x.dataType(), input.shape(), 'c');
            visited(full).assign(dx);
            dx = full;
        }
        return withWeightGradient(dx);
    }

    /**
     * The oneDNN helper's backward pass without the forward pass DL4J M2.1 runs again first: its
     * ConvolutionLayer recomputes the layer's output to take the activation's derivative, which for a
     * bias-free convolution without activation is the identity (docs/PERFORMANCE.md, change 9: about
     * 6 % of a ResNet18 step at 32 px). Null when the helper declines, as DL4J's own fallback.
     */
    private Pair<Gradient, INDArray> helperBackward(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        if (zeroBias == null || zeroBias.dataType() != input.dataType()) {
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                zeroBias = Nd4j.create(input.dataType(), 1, layerConf().getNOut());
            }
        }
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        // the helper takes (input, weights, bias, output gradient); without a bias-gradient array it computes none
        return helper.backpropGradient(input, getParam(ConvolutionParamInitializer.WEIGHT_KEY), zeroBias, epsilon,
                c.getKernelSize(), c.getStride(), c.getPadding(), null,
                gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY), c.getActivationFn(), c.getCudnnAlgoMode(),
                c.getCudnnBwdFilterAlgo(), c.getCudnnBwdDataAlgo(), c.getConvolutionMode(), c.getDilation(),
                CNN2DFormat.NCHW, mgr);
    }

    private boolean strided() {
        int[] stride = layerConf().getStride();
        return stride[0] > 1 || stride[1] > 1;
    }

    /** The input of a 1×1 convolution: itself at stride 1, else a copy of the positions the stride visits. */
    private INDArray pointwiseInput(ArrayType type, LayerWorkspaceMgr mgr) {
        return strided() ? mgr.dup(type, visited(input), 'c') : CpuArrays.contiguous(input, type, mgr);
    }

    /** The view of positions 0, s, 2s, … in each direction. */
    private INDArray visited(INDArray a) {
        int[] stride = layerConf().getStride();
        return a.get(NDArrayIndex.all(), NDArrayIndex.all(), every(stride[0], a.size(2)), every(stride[1], a.size(3)));
    }

    /** Positions 0, s, 2s, … below size (ND4J rejects a strided interval over a single position). */
    private static INDArrayIndex every(int stride, long size) {
        return size == 1 ? NDArrayIndex.all() : NDArrayIndex.interval(0, stride, size);
    }

    /** dW = dy·colᵀ and dx = col2im(Wᵀ·dy), with the examples side by side. */
    private Pair<Gradient, INDArray> im2colBackward(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        INDArray x = CpuArrays.contiguous(input, ArrayType.BP_WORKING_MEM, mgr);
        INDArray dy = CpuArrays.contiguous(epsilon, ArrayType.BP_WORKING_MEM, mgr);
        int[] k = layerConf().getKernelSize();
        int[] p = layerConf().getPadding();
        long n = x.size(0);
        long in = x.size(1);
        long out = dy.size(1);
        long rows = in * k[0] * k[1];
        long positions = dy.size(2) * dy.size(3);
        INDArray col = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, x.dataType(),
                new long[] {n, in, k[0], k[1], dy.size(2), dy.size(3)}, 'c');
        Convolution.im2col(x, k[0], k[1], 1, 1, p[0], p[1], 1, 1, false, col);
        INDArray cols = sideBySide(col, rows, ArrayType.BP_WORKING_MEM, mgr);
        INDArray dys = sideBySide(dy, out, ArrayType.BP_WORKING_MEM, mgr).reshape('c', out, n * positions);
        INDArray dwView = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
        Nd4j.gemm(dys, cols.reshape('c', rows, n * positions), dwView.reshape('c', out, rows), false, true, 1.0, 0.0);
        INDArray w = getParam(ConvolutionParamInitializer.WEIGHT_KEY).reshape('c', out, rows);
        Nd4j.gemm(w, dys, cols.reshape('c', rows, n * positions), true, false, 1.0, 0.0);   // dcol, side by side
        perExample(cols, col);
        INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, x.dataType(), x.shape(), 'c');
        Convolution.col2im(col, dx, 1, 1, p[0], p[1], (int) x.size(2), (int) x.size(3), 1, 1);
        return withWeightGradient(dx);
    }

    /** The input gradient with the weight gradient, which is already in its view. */
    private Pair<Gradient, INDArray> withWeightGradient(INDArray dx) {
        Gradient gradient = new DefaultGradient();
        gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY,
                gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY), 'c');
        return new Pair<>(gradient, dx);
    }

    /** W as [C_out, C_in]. */
    private INDArray weights() {
        INDArray w = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
        return w.reshape('c', w.size(0), w.size(1));
    }

    /**
     * An array whose examples hold {@code rows} rows each ([N, C, H, W], or im2col's [N, C, k, k, H', W'])
     * as [rows, N, positions]: the examples side by side, one row block per row.
     */
    private static INDArray sideBySide(INDArray a, long rows, ArrayType type, LayerWorkspaceMgr mgr) {
        long n = a.size(0);
        long positions = a.length() / (n * rows);
        INDArray s = mgr.createUninitialized(type, a.dataType(), new long[] {rows, n, positions}, 'c');
        s.assign(a.reshape('c', n, rows, positions).permute(1, 0, 2));
        return s;
    }

    /** The inverse of {@link #sideBySide}: [rows, N, positions] written into {@code target}'s examples. */
    private static void perExample(INDArray sideBySide, INDArray target) {
        long rows = sideBySide.size(0);
        long n = sideBySide.size(1);
        target.reshape('c', n, rows, sideBySide.size(2)).assign(sideBySide.permute(1, 0, 2));
    }
}
