package org.dml4j.model;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A 1×1, stride-1 convolution without bias as matrix products: with the input viewed as
 * x[n] = [C_in, H·W] per example and W = [C_out, C_in], the output is y[n] = W·x[n], and backward
 * dx[n] = Wᵀ·dy[n], dW = Σₙ dy[n]·x[n]ᵀ. For small maps (H·W &lt; 1024) the examples are first laid
 * side by side ([C_in, N·H·W], one copy) so that each product is one large matrix product.
 * DL4J M2.1's oneDNN convolution took 1.3–4× this time on these kernels (docs/PERFORMANCE.md, change 5);
 * ResNet50's bottlenecks are two thirds 1×1 convolutions.
 *
 * <p>Everything else (other kernels, strides, padding, bias, an activation, NHWC, half precision, a GPU
 * backend) is DL4J's own ConvolutionLayer.
 */
final class GemmConvolutionLayer extends ConvolutionLayer {
    /** Below this many positions per map the examples are laid side by side for one product. */
    static final long SIDE_BY_SIDE_BELOW = 1024;

    private boolean ownPath;

    GemmConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean ownPathFor(INDArray x) {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        return CpuArrays.ownPathFor(x) && x.size(1) == c.getNIn() && c.getCnn2dDataFormat() == CNN2DFormat.NCHW
                && c.getKernelSize()[0] == 1 && c.getKernelSize()[1] == 1
                && c.getStride()[0] == 1 && c.getStride()[1] == 1
                && c.getPadding()[0] == 0 && c.getPadding()[1] == 0 && !c.hasBias()
                && c.getActivationFn() instanceof ActivationIdentity && c.getIDropout() == null
                && c.getWeightNoise() == null;
    }

    /** Whether the last forward pass took this layer's own path rather than DL4J's. */
    boolean ownPath() {
        return ownPath;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        ownPath = ownPathFor(input);
        if (!ownPath) {
            return super.activate(training, workspaceMgr);
        }
        INDArray x = CpuArrays.contiguous(input, ArrayType.FF_WORKING_MEM, workspaceMgr);
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
            INDArray xs = sideBySide(x, ArrayType.FF_WORKING_MEM, workspaceMgr);
            INDArray ys = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, x.dataType(),
                    new long[] {out, n, positions}, 'c');
            Nd4j.gemm(w, xs.reshape('c', x.size(1), n * positions), ys.reshape('c', out, n * positions),
                    false, false, 1.0, 0.0);
            y.reshape('c', n, out, positions).assign(ys.permute(1, 0, 2));
        }
        return y;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!ownPath) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        assertInputSet(true);
        INDArray x = CpuArrays.contiguous(input, ArrayType.BP_WORKING_MEM, workspaceMgr);
        INDArray dy = CpuArrays.contiguous(epsilon, ArrayType.BP_WORKING_MEM, workspaceMgr);
        long n = x.size(0);
        long in = x.size(1);
        long positions = x.size(2) * x.size(3);
        INDArray w = weights();
        long out = w.size(0);
        INDArray dwView = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
        INDArray dw = dwView.reshape('c', out, in);
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, x.dataType(), x.shape(), 'c');
        if (positions >= SIDE_BY_SIDE_BELOW) {
            INDArray x3 = x.reshape('c', n, in, positions);
            INDArray dy3 = dy.reshape('c', n, out, positions);
            INDArray dx3 = dx.reshape('c', n, in, positions);
            for (int i = 0; i < n; i++) {
                Nd4j.gemm(w, dy3.slice(i), dx3.slice(i), true, false, 1.0, 0.0);
                Nd4j.gemm(dy3.slice(i), x3.slice(i), dw, false, true, 1.0, i == 0 ? 0.0 : 1.0);
            }
        } else {
            INDArray xs = sideBySide(x, ArrayType.BP_WORKING_MEM, workspaceMgr).reshape('c', in, n * positions);
            INDArray dys = sideBySide(dy, ArrayType.BP_WORKING_MEM, workspaceMgr).reshape('c', out, n * positions);
            INDArray dxs = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, x.dataType(),
                    new long[] {in, n, positions}, 'c');
            Nd4j.gemm(w, dys, dxs.reshape('c', in, n * positions), true, false, 1.0, 0.0);
            Nd4j.gemm(dys, xs, dw, false, true, 1.0, 0.0);
            dx.reshape('c', n, in, positions).assign(dxs.permute(1, 0, 2));
        }
        Gradient gradient = new DefaultGradient();
        gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, dwView, 'c');
        return new Pair<>(gradient, dx);
    }

    /** W as [C_out, C_in]. */
    private INDArray weights() {
        INDArray w = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
        return w.reshape('c', w.size(0), w.size(1));
    }

    /** [N, C, H, W] as [C, N, H·W]: the examples side by side, one row block per channel. */
    private static INDArray sideBySide(INDArray a, ArrayType type, LayerWorkspaceMgr mgr) {
        long positions = a.size(2) * a.size(3);
        INDArray s = mgr.createUninitialized(type, a.dataType(), new long[] {a.size(1), a.size(0), positions}, 'c');
        s.assign(a.reshape('c', a.size(0), a.size(1), positions).permute(1, 0, 2));
        return s;
    }
}
