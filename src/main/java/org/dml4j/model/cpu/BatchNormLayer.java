package org.dml4j.model.cpu;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The layer behind {@link org.dml4j.model.RegularizedBatchNorm}: batch normalisation of NCHW maps, optionally followed
 * by ReLU in place, computed with the few ND4J operations that are fast on CPU. DL4J M2.1's own path
 * (its oneDNN helper plus the {@code batchnorm_bp} op) took 4–7× PyTorch's time per BatchNorm; this one
 * views the maps as a matrix with one row per (example, channel), sums rows with a matrix–vector
 * product, and applies per-channel scales and shifts as in-place column-vector operations
 * (docs/PERFORMANCE.md, change 4).
 *
 * <p>Same maths as DL4J's layer: with M = N·H·W values per channel, batch mean μ and biased variance
 * σ² (in training), x̂ = (x − μ)/√(σ² + ε), y = γ·x̂ + β (then ReLU if asked). Backward, with g the
 * gradient at y (masked where the ReLU output is 0): dβ = Σg, dγ = Σ g·x̂ and
 * dx = γ/√(σ² + ε) · (g − dβ/M − x̂·dγ/M). The running mean and variance are updated as DL4J does, through
 * their "gradients" (running − batch)·(1 − decay), which the no-op updater subtracts.
 *
 * <p>Inference (one oneDNN pass with the running statistics, already fast) and the other cases — not
 * rank 4, NHWC, half precision, a GPU backend, log-std or locked γ/β — go to DL4J's own implementation,
 * with the ReLU applied here; cuDNN's helper serves the GPU.
 */
public final class BatchNormLayer extends BatchNormalization {
    private final boolean relu;
    /** Output kept from a training forward pass when ReLU is applied (its zeros mask the gradient). */
    private INDArray output;
    /** Batch statistics of the last training forward pass, per channel. */
    private double[] batchMean;
    private double[] batchVar;
    private double[] batchInvStd;
    private boolean ownPath;
    /** A vector of ones for the row sums, kept outside workspaces. */
    private INDArray onesHw;
    /** oneDNN's primitives for the current input shape (float32), and whether the last forward pass used them. */
    private final OneDnn.PerShape<OneDnnBatchNorm> oneDnnPrimitives;
    private OneDnnBatchNorm oneDnn;
    private boolean usedOneDnn;

    /** @param relu whether a ReLU follows in the same pass (fused) */
    public BatchNormLayer(NeuralNetConfiguration conf, DataType dataType, boolean relu) {
        super(conf, dataType);
        this.relu = relu;
        this.oneDnnPrimitives = new OneDnn.PerShape<>(shape -> new OneDnnBatchNorm(shape, layerConf().getEps(), relu),
                "ND4J's path");
    }

    private boolean ownPathFor(INDArray x) {
        org.deeplearning4j.nn.conf.layers.BatchNormalization c = layerConf();
        return CpuArrays.ownPathFor(x) && c.getCnn2DFormat() == CNN2DFormat.NCHW && !c.isLockGammaBeta()
                && !c.isUseLogStd();
    }

    /** Whether the last forward pass took this layer's own path rather than DL4J's. */
    public boolean ownPath() {
        return ownPath;
    }

    /** Whether the last forward pass ran the ReLU inside oneDNN's BatchNorm primitive. */
    private boolean fusedRelu() {
        return ownPath && usedOneDnn && oneDnn.fusedRelu();
    }

    /** Whether the last forward pass ran oneDNN's primitives (a kind of {@link #ownPath()}). */
    public boolean oneDnn() {
        return ownPath && usedOneDnn;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        // inference: DL4J's path, a single oneDNN pass with the running statistics
        ownPath = training && ownPathFor(input);
        INDArray out = ownPath ? forward(workspaceMgr) : super.activate(training, workspaceMgr);
        if (relu && !fusedRelu()) {
            out = Transforms.relu(out, false);
        }
        output = training && relu ? out : null;
        return out;
    }

    /** Training-mode forward pass: batch statistics, normalisation, scale and shift. */
    private INDArray forward(LayerWorkspaceMgr mgr) {
        INDArray x = CpuArrays.contiguous(input, ArrayType.FF_WORKING_MEM, mgr);
        long n = x.size(0);
        int c = (int) x.size(1);
        double m = (double) x.length() / c;
        double[] gamma = param(BatchNormalizationParamInitializer.GAMMA);
        double eps = layerConf().getEps();
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape(), 'c');
        OneDnnBatchNorm bn = oneDnnPrimitives.forInput(x, layerId());
        usedOneDnn = bn != null;
        if (usedOneDnn) {
            oneDnn = bn;
            batchMean = new double[c];
            batchVar = new double[c];
            bn.forward(x, gamma, param(BatchNormalizationParamInitializer.BETA), out, batchMean, batchVar);
            return out;   // oneDNN's backward pass keeps its own statistics: batchInvStd is the ND4J path's
        }
        INDArray rows = rowsOf(out);
        out.assign(x);
        batchMean = scaled(channelSums(x), 1 / m);
        rows.subiColumnVector(column(batchMean, n, x.dataType()));
        INDArray squares = mgr.createUninitialized(ArrayType.FF_WORKING_MEM, x.dataType(), x.shape(), 'c');
        Nd4j.exec(new MulOp(out, out, squares));
        batchVar = scaled(channelSums(squares), 1 / m);
        batchInvStd = new double[c];
        double[] scale = new double[c];
        for (int i = 0; i < c; i++) {
            batchInvStd[i] = 1 / Math.sqrt(batchVar[i] + eps);
            scale[i] = gamma[i] * batchInvStd[i];
        }
        rows.muliColumnVector(column(scale, n, x.dataType()));
        rows.addiColumnVector(column(param(BatchNormalizationParamInitializer.BETA), n, x.dataType()));
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (relu && output == null) {
            throw new IllegalStateException("backprop without a training forward pass in " + layerId());
        }
        INDArray g = relu && !fusedRelu()
                ? CpuArrays.reluGradient(output, epsilon, ArrayType.BP_WORKING_MEM, workspaceMgr) : epsilon;
        output = null;
        if (!ownPath) {
            return super.backpropGradient(g, workspaceMgr);
        }
        return backward(CpuArrays.contiguous(g, ArrayType.BP_WORKING_MEM, workspaceMgr), workspaceMgr);
    }

    private Pair<Gradient, INDArray> backward(INDArray g, LayerWorkspaceMgr mgr) {
        INDArray x = CpuArrays.contiguous(input, ArrayType.BP_WORKING_MEM, mgr);
        long n = x.size(0);
        int c = (int) x.size(1);
        double m = (double) x.length() / c;
        double[] gamma = param(BatchNormalizationParamInitializer.GAMMA);

        INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, x.dataType(), x.shape(), 'c');
        if (usedOneDnn) {
            double[] dGamma = new double[c];
            double[] dBeta = new double[c];
            oneDnn.backward(x, g, dx, dGamma, dBeta);
            return withGradients(dx, dGamma, dBeta);
        }
        INDArray rows = rowsOf(dx);
        dx.assign(x);
        rows.subiColumnVector(column(batchMean, n, x.dataType()));                    // x − μ
        INDArray product = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, x.dataType(), x.shape(), 'c');
        Nd4j.exec(new MulOp(dx, g, product));
        double[] dBeta = channelSums(g);
        double[] dGamma = channelSums(product);                                       // Σ g·(x − μ)
        double[] q = new double[c];
        double[] r = new double[c];
        double[] a = new double[c];
        for (int i = 0; i < c; i++) {
            dGamma[i] *= batchInvStd[i];                                              // Σ g·x̂
            q[i] = -dGamma[i] * batchInvStd[i] / m;
            r[i] = -dBeta[i] / m;
            a[i] = gamma[i] * batchInvStd[i];
        }
        // dx = γ/σ · (g − dβ/M − (x − μ)·dγ/(σ·M))
        rows.muliColumnVector(column(q, n, x.dataType()));
        dx.addi(g);
        rows.addiColumnVector(column(r, n, x.dataType()));
        rows.muliColumnVector(column(a, n, x.dataType()));
        return withGradients(dx, dGamma, dBeta);
    }

    /** dx with the parameter gradients: dγ, dβ, and the running statistics' update as DL4J makes it. */
    private Pair<Gradient, INDArray> withGradients(INDArray dx, double[] dGamma, double[] dBeta) {
        Gradient gradient = new DefaultGradient();
        setGradient(gradient, BatchNormalizationParamInitializer.GAMMA, dGamma);
        setGradient(gradient, BatchNormalizationParamInitializer.BETA, dBeta);
        double keep = 1 - layerConf().getDecay();
        setGradient(gradient, BatchNormalizationParamInitializer.GLOBAL_MEAN,
                runningStatGradient(BatchNormalizationParamInitializer.GLOBAL_MEAN, batchMean, keep));
        setGradient(gradient, BatchNormalizationParamInitializer.GLOBAL_VAR,
                runningStatGradient(BatchNormalizationParamInitializer.GLOBAL_VAR, batchVar, keep));
        return new Pair<>(gradient, dx);
    }

    /** (running − batch)·(1 − decay): the updater's subtraction turns it into the moving average. */
    private double[] runningStatGradient(String name, double[] batch, double keep) {
        double[] running = param(name);
        for (int i = 0; i < running.length; i++) {
            running[i] = (running[i] - batch[i]) * keep;
        }
        return running;
    }

    private void setGradient(Gradient gradient, String name, double[] values) {
        INDArray view = gradientViews.get(name);
        view.assign(Nd4j.create(values, view.shape(), view.dataType()));
        gradient.setGradientFor(name, view);
    }

    private double[] param(String name) {
        return getParam(name).toDoubleVector();
    }

    /** Per-channel sums of a contiguous NCHW array: row sums by a matrix–vector product, then over examples. */
    private double[] channelSums(INDArray a) {
        int c = (int) a.size(1);
        INDArray rows = rowsOf(a);
        onesHw = ones(onesHw, rows.size(1), a.dataType());
        INDArray sums = Nd4j.createUninitialized(a.dataType(), rows.size(0), 1);
        Nd4j.gemm(rows, onesHw.reshape(rows.size(1), 1), sums, false, false, 1.0, 0.0);
        double[] perRow = sums.toDoubleVector();
        double[] perChannel = new double[c];
        for (int i = 0; i < perRow.length; i++) {
            perChannel[i % c] += perRow[i];
        }
        return perChannel;
    }

    private static INDArray ones(INDArray cached, long length, DataType type) {
        if (cached != null && cached.length() == length && cached.dataType() == type) {
            return cached;
        }
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return Nd4j.ones(type, length);
        }
    }

    private static double[] scaled(double[] values, double factor) {
        for (int i = 0; i < values.length; i++) {
            values[i] *= factor;
        }
        return values;
    }

    /** The [N·C, H·W] view of a contiguous NCHW array: one row per (example, channel). */
    private static INDArray rowsOf(INDArray a) {
        return a.reshape('c', a.size(0) * a.size(1), a.size(2) * a.size(3));
    }

    /** A per-channel vector repeated for each example, as an [N·C, 1] column. */
    private static INDArray column(double[] perChannel, long n, DataType type) {
        int c = perChannel.length;
        double[] tiled = new double[(int) n * c];
        for (int i = 0; i < n; i++) {
            System.arraycopy(perChannel, 0, tiled, i * c, c);
        }
        return Nd4j.create(tiled, new long[] {n * c, 1}, type);
    }
}
