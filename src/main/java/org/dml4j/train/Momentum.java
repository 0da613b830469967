package org.dml4j.train;

import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * The original's optimiser (docs/ORIGINAL.md §6.1): heavy-ball momentum, not Nesterov —
 * {@code v ← μ·v + g; w ← w − lr·v}, μ = 0.9. (DL4J's {@code Nesterovs} is the Nesterov form.)
 * The learning rate comes from a schedule indexed by iteration. L2 decay is added to g before this
 * runs (the network's L2 regularisation).
 *
 * <p>Its getters and setters are bean properties for DL4J's JSON serialisation: model.zip stores
 * them by name, so renaming one breaks every saved model (the stored checkpoints under
 * src/test/resources guard this).
 */
public final class Momentum implements IUpdater {
    /** State key of the velocity. */
    static final String VELOCITY = "V";

    private double learningRate;
    private ISchedule learningRateSchedule;
    private double momentum;

    /** For JSON deserialisation. */
    public Momentum() {
        this(0.01, null, 0.9);
    }

    /**
     * @param learningRate         used when {@code learningRateSchedule} is null
     * @param learningRateSchedule the rate by iteration, or null
     * @param momentum             the velocity's decay (the original's 0.9)
     */
    public Momentum(double learningRate, ISchedule learningRateSchedule, double momentum) {
        this.learningRate = learningRate;
        this.learningRateSchedule = learningRateSchedule;
        this.momentum = momentum;
    }

    @Override
    public long stateSize(long numParams) {
        return numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        Updater u = new Updater(this);
        u.setStateViewArray(viewArray, viewArray.shape(), viewArray.ordering(), initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> state, boolean initializeStateArrays) {
        Updater u = new Updater(this);
        u.setState(state, initializeStateArrays);
        return u;
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch) : learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        this.learningRate = lr;
        this.learningRateSchedule = lrSchedule;
    }

    @Override
    public Momentum clone() {
        return new Momentum(learningRate, learningRateSchedule == null ? null : learningRateSchedule.clone(), momentum);
    }

    public double getLearningRate() {
        return learningRate;
    }

    public void setLearningRate(double learningRate) {
        this.learningRate = learningRate;
    }

    public ISchedule getLearningRateSchedule() {
        return learningRateSchedule;
    }

    public void setLearningRateSchedule(ISchedule learningRateSchedule) {
        this.learningRateSchedule = learningRateSchedule;
    }

    public double getMomentum() {
        return momentum;
    }

    public void setMomentum(double momentum) {
        this.momentum = momentum;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Momentum m && m.learningRate == learningRate && m.momentum == momentum
                && Objects.equals(m.learningRateSchedule, learningRateSchedule);
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, learningRateSchedule, momentum);
    }

    @Override
    public String toString() {
        return "Momentum(lr=" + learningRate + ", schedule=" + learningRateSchedule + ", momentum=" + momentum + ")";
    }

    /** Applies {@code v ← μv + g} and turns the gradient into the step {@code lr·v}. */
    static final class Updater implements GradientUpdater<Momentum> {
        private final Momentum config;
        private INDArray velocity;

        Updater(Momentum config) {
            this.config = config;
        }

        @Override
        public Momentum getConfig() {
            return config;
        }

        @Override
        public void setState(Map<String, INDArray> state, boolean initialize) {
            velocity = state.get(VELOCITY);
            if (velocity == null) {
                throw new IllegalStateException("momentum state has no '" + VELOCITY + "' array");
            }
            if (initialize) {
                velocity.assign(0);
            }
        }

        @Override
        public Map<String, INDArray> getState() {
            return Map.of(VELOCITY, velocity);
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
            if (initialize) {
                viewArray.assign(0);
            }
            velocity = viewArray.reshape(gradientOrder, gradientShape);
        }

        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            double lr = config.getLearningRate(iteration, epoch);
            // two passes over the block (v = μ·v + g as one axpy, then g = lr·v) where four took twice the
            // time on ResNet18's small blocks (docs/PERFORMANCE.md, change 13)
            Nd4j.exec(new Axpy(velocity, gradient, velocity, config.momentum));
            velocity.mul(lr, gradient);
        }
    }
}
