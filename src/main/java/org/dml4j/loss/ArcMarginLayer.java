package org.dml4j.loss;

import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffOutputLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ArcFace, the original's {@code arcmargin} head (docs/ORIGINAL.md §5.3; Deng et al., arXiv:1801.07698).
 *
 * <p>With features x_i (rows of the input, D wide) and the class-weight parameter
 * W (the original's {@code weight_norm}) (D × C, Xavier-uniform U(±√(6/(C+D)))):
 * <pre>
 *   x̂_i = x_i/‖x_i‖,  ŵ_c = W_·c/‖W_·c‖          (‖·‖² + 1e-24 inside the root, as every normalisation here)
 *   cos_ic = x̂_i·ŵ_c,  sin_ic = √(1 − cos_ic² + 1e-6)
 *   φ_ic = cos_ic·cos m − sin_ic·sin m                 (= cos(θ + m))
 *   φ'_ic = φ_ic if cos_ic > th else cos_ic − mm      th = cos(π − m), mm = m·sin m
 *   (easy margin: φ'_ic = φ_ic if cos_ic > 0 else cos_ic)
 *   z_ic = s·φ'_ic for c = y_i, s·cos_ic otherwise
 *   loss_i = −log softmax(z_i)_{y_i}                   (computed as a stable log-sum-exp)
 * </pre>
 * s = {@link #getScale()} ({@code --arc_scale}, default 80), m = {@link #getMarginRadians()}
 * ({@code --arc_margin}, default 0.15), easy margin {@code --arc_easy_margin} (default false).
 * Input: [N, D] features; labels: [N, C] one-hot. The layer's score is the sum of loss_i (DL4J
 * divides by N). Its activations are the margin-free logits s·cos; {@link #marginLogits} turns
 * them into the original's margin-penalised logits (used for the training accuracy).
 *
 * <p>Its getters and setters are bean properties for DL4J's JSON serialisation: model.zip stores
 * them by name, so renaming one breaks every saved model (the stored checkpoints under
 * src/test/resources guard this).
 */
public class ArcMarginLayer extends SameDiffOutputLayer {
    /**
     * Parameter name. The original calls it {@code weight_norm}; DL4J finds a parameter's layer by
     * the last underscore of "layer_param", so the parameter name itself must not contain one.
     */
    public static final String WEIGHT = "W";
    private static final String LOGITS = "logits";
    /** Added under sin's root (the original's), so that its gradient stays finite at cos = ±1. */
    static final double SIN_EPS = 1e-6;

    private int inputSize;
    private int classCount;
    private double scale;
    private double marginRadians;
    private boolean easyMargin;

    /** For JSON deserialisation. */
    public ArcMarginLayer() {
    }

    /**
     * @param classCount    C ({@code --class_dim})
     * @param scale         s ({@code --arc_scale})
     * @param marginRadians m ({@code --arc_margin})
     * @param easyMargin    {@code --arc_easy_margin}
     */
    public ArcMarginLayer(int classCount, double scale, double marginRadians, boolean easyMargin) {
        this.classCount = classCount;
        this.scale = scale;
        this.marginRadians = marginRadians;
        this.easyMargin = easyMargin;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, SDVariable labels, Map<String, SDVariable> params) {
        SDVariable w = params.get(WEIGHT);
        SDVariable xHat = SdMath.l2Normalize(sd, input, 1);
        SDVariable wHat = SdMath.l2Normalize(sd, w, 0);
        SDVariable cos = xHat.mmul(wHat);
        cos.mul(LOGITS, scale);
        SDVariable sin = sd.math().sqrt(cos.mul(cos).rsub(1.0).add(SIN_EPS));
        SDVariable phi = cos.mul(Math.cos(marginRadians)).sub(sin.mul(Math.sin(marginRadians)));
        SDVariable keep;
        SDVariable fallback;
        if (easyMargin) {
            keep = cos.gt(0.0).castTo(input.dataType());
            fallback = cos;
        } else {
            keep = cos.gt(threshold()).castTo(input.dataType());
            fallback = cos.sub(fallbackShift());
        }
        SDVariable phiPrime = keep.mul(phi).add(keep.rsub(1.0).mul(fallback));
        SDVariable z = labels.mul(phiPrime).add(labels.rsub(1.0).mul(cos)).mul(scale);
        SDVariable logSumExp = SdMath.logSumExpRows(sd, z);
        SDVariable target = sd.sum(labels.mul(z), true, 1);
        SDVariable loss = sd.sum(logSumExp.sub(target));
        loss.markAsLoss();
        return loss;
    }

    /** th = cos(π − m). */
    double threshold() {
        return Math.cos(Math.PI - marginRadians);
    }

    /** mm = sin(π − m)·m. */
    double fallbackShift() {
        return Math.sin(Math.PI - marginRadians) * marginRadians;
    }

    /**
     * The original's margin-penalised logits from this layer's activations s·cos: the target
     * column of each row becomes s·φ'. Returns a new array.
     */
    public INDArray marginLogits(INDArray activations, int[] labels) {
        INDArray z = activations.dup();
        for (int i = 0; i < labels.length; i++) {
            double cos = z.getDouble(i, labels[i]) / scale;
            double sin = Math.sqrt(1 - cos * cos + SIN_EPS);
            double phi = cos * Math.cos(marginRadians) - sin * Math.sin(marginRadians);
            double phiPrime = easyMargin ? (cos > 0 ? phi : cos) : (cos > threshold() ? phi : cos - fallbackShift());
            z.putScalar(i, labels[i], scale * phiPrime);
        }
        return z;
    }

    @Override
    public String activationsVertexName() {
        return LOGITS;
    }

    @Override
    public boolean labelsRequired() {
        return true;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam(WEIGHT, inputSize, classCount);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        INDArray w = params.get(WEIGHT);
        double bound = Math.sqrt(6.0 / (inputSize + classCount));
        w.assign(Nd4j.rand(w.dataType(), w.shape()).muli(2 * bound).subi(bound));
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(classCount);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (inputSize <= 0 || override) {
            inputSize = (int) ((InputType.InputTypeFeedForward) inputType).getSize();
        }
    }

    public int getInputSize() {
        return inputSize;
    }

    public void setInputSize(int inputSize) {
        this.inputSize = inputSize;
    }

    public int getClassCount() {
        return classCount;
    }

    public void setClassCount(int classCount) {
        this.classCount = classCount;
    }

    public double getScale() {
        return scale;
    }

    public void setScale(double scale) {
        this.scale = scale;
    }

    public double getMarginRadians() {
        return marginRadians;
    }

    public void setMarginRadians(double marginRadians) {
        this.marginRadians = marginRadians;
    }

    public boolean isEasyMargin() {
        return easyMargin;
    }

    public void setEasyMargin(boolean easyMargin) {
        this.easyMargin = easyMargin;
    }
}
