package org.dml4j.loss;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.dml4j.data.BatchSampler.StreamKind;
import org.dml4j.data.VisibleText;
import org.dml4j.error.UsageException;

/**
 * The losses of the two training commands, with the sample stream each one trains on
 * (docs/ORIGINAL.md §3.3). "quadruplet" is the original's name for margin sample mining (MSML).
 */
public enum LossName {
    SOFTMAX("softmax", false, StreamKind.ELEMENT),
    ARCMARGIN("arcmargin", false, StreamKind.ELEMENT),
    TRIPLET("triplet", true, StreamKind.TRIPLET),
    QUADRUPLET("quadruplet", true, StreamKind.CLASS_BLOCKS),
    EML("eml", true, StreamKind.CLASS_BLOCKS),
    NPAIRS("npairs", true, StreamKind.CLASS_BLOCKS);

    private final String flagValue;
    private final boolean pair;
    private final StreamKind stream;

    LossName(String flagValue, boolean pair, StreamKind stream) {
        this.flagValue = flagValue;
        this.pair = pair;
        this.stream = stream;
    }

    /** True for train-pair losses, false for train-elem ones. */
    public boolean pair() {
        return pair;
    }

    /** The sample stream this loss trains on. */
    public StreamKind stream() {
        return stream;
    }

    /** The loss of either command named {@code value}, or null when there is none. */
    public static LossName find(String value) {
        for (LossName l : values()) {
            if (l.flagValue.equals(value)) {
                return l;
            }
        }
        return null;
    }

    /**
     * Parses {@code --loss_name} for train-elem ({@code pair} false) or train-pair.
     *
     * @throws UsageException naming the flag and the accepted values
     */
    public static LossName parse(String value, boolean pair) {
        for (LossName l : values()) {
            if (l.pair == pair && l.flagValue.equals(value)) {
                return l;
            }
        }
        String allowed = Arrays.stream(values()).filter(l -> l.pair == pair)
                .map(LossName::toString).collect(Collectors.joining(", "));
        throw new UsageException("--loss_name: unknown loss " + VisibleText.quote(value) + " for "
                + (pair ? "train-pair" : "train-elem") + "; choose one of " + allowed);
    }

    @Override
    public String toString() {
        return flagValue;
    }
}
