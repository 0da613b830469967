package org.dml4j.train;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.LongFunction;
import java.util.function.LongToDoubleFunction;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.inference.Progress;
import org.dml4j.model.Checkpoints;

/** The trainer's listeners, in the order it runs them after each step (docs/ORIGINAL.md §6.2). */
final class StepListeners {
    private StepListeners() {
    }

    /** Stops the run at a non-finite loss or parameters, naming the last good checkpoint. */
    static final class DivergenceGuard implements StepListener {
        private final ComputationGraph net;
        private final Checkpointing checkpoints;

        DivergenceGuard(ComputationGraph net, Checkpointing checkpoints) {
            this.net = net;
            this.checkpoints = checkpoints;
        }

        @Override
        public void afterStep(Step s) {
            double loss = s.result().loss();
            if (!Double.isFinite(loss) || !Checkpoints.finite(net)) {
                throw new IllegalStateException("iteration " + s.iteration() + ": the loss is " + loss
                        + (Double.isFinite(loss) ? " but the parameters are not finite" : "")
                        + "; stopping. Last good checkpoint: " + checkpoints.describeLast()
                        + " (lower --lr or check the data)");
            }
        }
    }

    /** The original's training line every display step (with an ETA) and the same row in metrics.csv. */
    static final class Display implements StepListener {
        private final DisplayStats stats;
        private final MetricsLog metrics;
        private final PrintWriter out;
        private final int every;
        private final long first;
        private final long total;
        private final long start = System.nanoTime();

        Display(DisplayStats stats, MetricsLog metrics, PrintWriter out, int every, long first, long total) {
            this.stats = stats;
            this.metrics = metrics;
            this.out = out;
            this.every = every;
            this.first = first;
            this.total = total;
        }

        @Override
        public void afterStep(Step s) {
            long t = s.iteration();
            stats.add(s.result().loss(), s.result().metrics(), s.seconds());
            if (t % every == 0) {
                out.println(stats.line(t, s.lr()) + progress(t));
                out.flush();
                metrics.train(t, s.lr(), stats.meanLoss(), stats.meanMetrics(), elapsed());
            }
            stats.maybeReset(t);
        }

        /** Iterations 0..total: t + 1 of total + 1 done, this run's t - first + 1 of them timed. */
        private String progress(long t) {
            return Progress.bar(t + 1, total + 1, t - first + 1, elapsed());
        }

        double elapsed() {
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /** The whole test split every test step (not at 0), its Recall@1 in metrics.csv, and the chart. */
    static final class PeriodicTest implements StepListener {
        private final LongToDoubleFunction test;
        private final MetricsLog metrics;
        private final Display display;
        private final int every;
        private double lastRecall = Double.NaN;

        PeriodicTest(LongToDoubleFunction test, MetricsLog metrics, Display display, int every) {
            this.test = test;
            this.metrics = metrics;
            this.display = display;
            this.every = every;
        }

        @Override
        public void afterStep(Step s) {
            long t = s.iteration();
            if (t != 0 && t % every == 0) {
                lastRecall = test.applyAsDouble(t);
                metrics.test(t, s.lr(), lastRecall, display.elapsed());
                metrics.chart();
            } else if (s.last()) {
                metrics.chart();
            }
        }

        double lastRecall() {
            return lastRecall;
        }
    }

    /**
     * A checkpoint every save step and after the last one; after a step Ctrl-C interrupted, a
     * checkpoint and then the end of the run ({@link Trainer.Interrupted}). The flag is read once
     * per step, so a Ctrl-C between two reads cannot stop a run without its checkpoint.
     */
    static final class Checkpointing implements StepListener {
        private final LongFunction<Path> save;
        private final InterruptFlag interrupt;
        private final int every;
        private Path last;

        Checkpointing(LongFunction<Path> save, InterruptFlag interrupt, int every) {
            this.save = save;
            this.interrupt = interrupt;
            this.every = every;
        }

        @Override
        public void afterStep(Step s) {
            long t = s.iteration();
            boolean interrupted = interrupt.requested();
            if ((t != 0 && t % every == 0) || s.last() || interrupted) {
                last = save.apply(t);
            }
            if (interrupted) {
                throw new Trainer.Interrupted(t, last);
            }
        }

        Path last() {
            return last;
        }

        String describeLast() {
            return last == null ? "none" : last.toString();
        }
    }

    /** The original's {@code --enable_ce} lines at the end: last loss and last test recall (docs/ORIGINAL.md §6.3). */
    static final class ContinuousEvaluation implements StepListener {
        private final PrintWriter out;
        private final PeriodicTest test;
        private double lastLoss = Double.NaN;

        ContinuousEvaluation(PrintWriter out, PeriodicTest test) {
            this.out = out;
            this.test = test;
        }

        @Override
        public void afterStep(Step s) {
            lastLoss = s.result().loss();
        }

        @Override
        public void afterRun() {
            out.println("kpis\ttrain_cost\t" + lastLoss);
            out.println("kpis\ttest_recall\t" + test.lastRecall());
            out.flush();
        }
    }
}
