package org.dml4j.eval;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.dml4j.data.TextLines;
import org.dml4j.data.VisibleText;
import org.dml4j.error.DataException;

/**
 * Labels of features made elsewhere ({@code eval --labels}): a text file with one integer per line
 * (UTF-8, with or without a byte-order mark, any line ends; whole numbers written as floats, such
 * as numpy.savetxt's {@code 7.000000000000000000e+00}, are accepted), or a .npy array of integers.
 * Labels are 64-bit; only their equality matters for retrieval.
 */
public final class LabelFile {
    private LabelFile() {
    }

    /**
     * @return one label per line (or array element), in order
     * @throws DataException naming {@code file:line} and showing the text (invisible characters
     *                       escaped) for a line that is not a whole number within 64-bit range
     *                       (ASCII digits), and for an empty line before the last label (it would
     *                       shift every later one)
     */
    public static long[] read(Path file) {
        return read(file, "label");
    }

    /**
     * Integers one per line (or a .npy array), as {@link #read(Path)}, for other per-row values.
     *
     * @param what what a line holds, for messages ("camera id")
     */
    public static long[] read(Path file, String what) {
        if (isNpy(file)) {
            return Npy.readIntegers(file);
        }
        List<String> lines;
        try {
            lines = TextLines.readRecords(file, what);
        } catch (IOException e) {
            throw DataException.reading(file, "labels", e);
        }
        long[] labels = new long[lines.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = parse(file, i + 1, lines.get(i), what);
        }
        return labels;
    }

    /**
     * Labels as 0 … C−1 in the order of their values (equal labels stay equal, so every retrieval
     * metric is unchanged).
     */
    public static int[] dense(long[] labels) {
        long[] distinct = Arrays.stream(labels).sorted().distinct().toArray();
        return Arrays.stream(labels).mapToInt(l -> Arrays.binarySearch(distinct, l)).toArray();
    }

    /**
     * Several sets' labels (queries and gallery) as 0 … C−1 over their union, so that equal values stay
     * equal across the sets; −1 is kept as −1 (a junk gallery entry, RetrievalEvaluator.JUNK).
     */
    public static int[][] denseTogether(long[]... sets) {
        long[] distinct = Arrays.stream(sets).flatMapToLong(Arrays::stream).filter(v -> v != -1).sorted().distinct()
                .toArray();
        int[][] out = new int[sets.length][];
        for (int s = 0; s < sets.length; s++) {
            out[s] = Arrays.stream(sets[s]).mapToInt(v -> v == -1 ? -1 : Arrays.binarySearch(distinct, v)).toArray();
        }
        return out;
    }

    static long parse(Path file, int line, String text) {
        return parse(file, line, text, "label");
    }

    static long parse(Path file, int line, String text, String what) {
        String s = text.strip();
        String where = file + ":" + line + ": ";
        // ASCII digits only: BigDecimal would also take other scripts' digits
        if (!s.matches("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
            throw new DataException(where + "expected an integer " + what + ", got " + VisibleText.quote(text));
        }
        try {
            return new BigDecimal(s).longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {     // not whole, too large, exponent overflow
            throw new DataException(where + "expected a whole number within 64-bit range, got " + VisibleText.quote(text));
        }
    }

    private static boolean isNpy(Path file) {
        try (var in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(6);
            return magic.length == 6 && (magic[0] & 0xff) == 0x93 && magic[1] == 'N' && magic[2] == 'U';
        } catch (IOException e) {
            return false;   // read() reports it
        }
    }
}
