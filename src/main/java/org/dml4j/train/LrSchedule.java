package org.dml4j.train;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.dml4j.data.VisibleText;
import org.dml4j.error.UsageException;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * Piecewise-constant learning rate (docs/ORIGINAL.md §6.1): iteration t runs at {@code lr · 0.1^k}, k the
 * number of boundaries b with t ≥ b.
 *
 * @param baseLr     {@code --lr}
 * @param boundaries {@code --lr_steps}, strictly increasing, non-negative
 */
public record LrSchedule(double baseLr, int[] boundaries) {

    /** The only {@code --lr_strategy} the original accepts. */
    public static final String PIECEWISE_DECAY = "piecewise_decay";

    public LrSchedule {
        if (!(baseLr > 0) || Double.isInfinite(baseLr)) {
            throw new UsageException("--lr must be a positive number, got " + baseLr);
        }
        boundaries = boundaries.clone();
        for (int i = 0; i < boundaries.length; i++) {
            if (boundaries[i] < 0 || (i > 0 && boundaries[i] <= boundaries[i - 1])) {
                throw new UsageException("--lr_steps must be non-negative and strictly increasing, got "
                        + Arrays.toString(boundaries));
            }
        }
    }

    /**
     * Parses {@code --lr_strategy} and {@code --lr_steps} ("15000,25000"; empty means no decay).
     *
     * @throws UsageException naming the flag
     */
    public static LrSchedule parse(double baseLr, String strategy, String steps) {
        if (!PIECEWISE_DECAY.equals(strategy)) {
            throw new UsageException("--lr_strategy: only 'piecewise_decay' is supported, got " + VisibleText.quote(strategy));
        }
        if (steps.isBlank()) {
            return new LrSchedule(baseLr, new int[0]);
        }
        String[] parts = steps.split(",", -1);
        int[] b = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                b[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UsageException("--lr_steps: expected comma-separated iterations such as"
                        + " 15000,25000, got " + VisibleText.quote(steps));
            }
        }
        return new LrSchedule(baseLr, b);
    }

    /** The boundaries as {@code --lr_steps} writes them ("15000,25000"; "" for none). */
    public String steps() {
        return String.join(",", Arrays.stream(boundaries).mapToObj(Integer::toString).toList());
    }

    /** Learning rate of iteration {@code t}. */
    public double lrAt(long t) {
        int k = 0;
        while (k < boundaries.length && t >= boundaries[k]) {
            k++;
        }
        return baseLr * Math.pow(0.1, k);
    }

    /** The same schedule as DL4J's iteration-indexed {@link MapSchedule}, for the updater. */
    public MapSchedule toDl4j() {
        Map<Integer, Double> values = new HashMap<>();
        values.put(0, baseLr);
        for (int k = 0; k < boundaries.length; k++) {
            values.put(boundaries[k], lrAt(boundaries[k]));
        }
        return new MapSchedule(ScheduleType.ITERATION, values);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LrSchedule s && s.baseLr == baseLr && Arrays.equals(s.boundaries, boundaries);
    }

    @Override
    public int hashCode() {
        return Double.hashCode(baseLr) * 31 + Arrays.hashCode(boundaries);
    }

    @Override
    public String toString() {
        return "LrSchedule[baseLr=" + baseLr + ", boundaries=" + Arrays.toString(boundaries) + "]";
    }
}
