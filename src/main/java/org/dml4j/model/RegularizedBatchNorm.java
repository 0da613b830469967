package org.dml4j.model;

import java.util.Collection;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.dml4j.model.cpu.BatchNormLayer;
import org.dml4j.model.cpu.Layers;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * BatchNormalization whose scale and offset (gamma, beta) take the network's L2 weight decay, as
 * in the original (docs/ORIGINAL.md §6.1: decay on every trainable parameter); DL4J's own BatchNormalization
 * exempts them. Running mean and variance stay undecayed. Same maths otherwise: the running
 * statistics follow {@code m ← decay·m + (1 − decay)·batch}, which with decay 0.9 is the
 * original's momentum 0.9. DL4J M2.1's BatchNormalization never applies a configured activation (its
 * {@code activate()} returns the normalised values); {@link #withRelu()} applies ReLU inside the layer.
 * The layer itself is {@link BatchNormLayer}, faster on CPU than DL4J's.
 *
 * <p>Its getters and setters are bean properties for DL4J's JSON serialisation: model.zip stores
 * them by name, so renaming one breaks every saved model (the stored checkpoints under
 * src/test/resources guard this).
 */
public class RegularizedBatchNorm extends BatchNormalization {
    /** Apply ReLU after normalising, inside this layer ({@link BatchNormLayer}). */
    private boolean reluAfter;

    /** For JSON deserialisation. */
    public RegularizedBatchNorm() {
    }

    /**
     * @param decay      running-average decay (0.9 as the original)
     * @param eps        variance epsilon (1e-5 as the original)
     */
    public static RegularizedBatchNorm of(double decay, double eps) {
        RegularizedBatchNorm bn = new RegularizedBatchNorm();
        bn.decay = decay;
        bn.eps = eps;
        bn.gamma = 1.0;
        bn.beta = 0.0;
        bn.lockGammaBeta = false;
        bn.useLogStd = false;
        bn.cudnnAllowFallback = true;
        bn.cnn2DFormat = CNN2DFormat.NCHW;
        bn.setActivationFn(Activation.IDENTITY.getActivationFunction());   // M2.1 would ignore any other
        return bn;
    }

    /** The same layer with ReLU applied after normalising (in place, in this layer). */
    public RegularizedBatchNorm withRelu() {
        RegularizedBatchNorm bn = clone();
        bn.reluAfter = true;
        return bn;
    }

    public boolean isReluAfter() {
        return reluAfter;
    }

    public void setReluAfter(boolean reluAfter) {
        this.reluAfter = reluAfter;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> listeners, int index,
                                                       INDArray paramsView, boolean initializeParams,
                                                       DataType dataType) {
        return Layers.wire(new BatchNormLayer(conf, dataType, reluAfter), conf, listeners, index, paramsView, initializeParams,
                initializer());
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        if (BatchNormalizationParamInitializer.GAMMA.equals(paramName)
                || BatchNormalizationParamInitializer.BETA.equals(paramName)) {
            return getRegularization();
        }
        return super.getRegularizationByParam(paramName);
    }

    @Override
    public RegularizedBatchNorm clone() {
        return (RegularizedBatchNorm) super.clone();
    }
}
