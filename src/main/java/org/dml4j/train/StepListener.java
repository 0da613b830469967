package org.dml4j.train;

/**
 * What happens around each training step (display, metrics file, periodic test, checkpoints,
 * divergence guard, Ctrl-C): the trainer's loop runs a step, then every listener in order.
 */
interface StepListener {
    /**
     * One finished step.
     *
     * @param iteration the step's iteration
     * @param lr        its learning rate
     * @param result    its loss and metrics
     * @param seconds   how long the step took
     * @param last      whether it is iteration {@code total_iter_num}
     */
    record Step(long iteration, double lr, StepResult result, double seconds, boolean last) {
    }

    /** After each step; may stop the run by throwing. */
    void afterStep(Step step);

    /** After the last step. */
    default void afterRun() {
    }
}
