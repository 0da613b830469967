package org.dml4j.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dml4j.data.TextLines;
import org.dml4j.data.VisibleText;
import org.dml4j.error.DataException;

/**
 * Verification pairs ({@code eval --pairs}; docs/PROTOCOLS.md "Verification"): one pair per line,
 * {@code i j same}, where i and j are 0-based rows of the features (the image lines of the test
 * list, or the rows of {@code --features}) and same is 1 or 0. Blank lines and lines starting
 * with '#' are skipped. {@code dml4j prepare lfw} and {@code dml4j prepare pairs} write this layout.
 *
 * @param file   where the pairs were read
 * @param first  each pair's first row
 * @param second each pair's second row
 * @param same   whether each pair shows one identity
 */
public record PairsFile(Path file, int[] first, int[] second, boolean[] same) {
    public PairsFile {
        first = first.clone();
        second = second.clone();
        same = same.clone();
    }

    /**
     * @param rows number of feature rows the indices may address
     * @throws DataException naming {@code file:line} for a line that is not three whole numbers, a row
     *                       outside 0..rows−1, or a same flag other than 0/1; naming the file when it
     *                       cannot be read or holds no pair
     */
    public static PairsFile read(Path file, int rows) {
        List<String> lines;
        try {
            lines = TextLines.read(file);
        } catch (IOException e) {
            throw DataException.reading(file, "pairs", e);
        }
        List<int[]> pairs = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String text = lines.get(n).strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            String where = file + ":" + (n + 1) + ": ";
            String[] cols = text.split("\\s+");
            if (cols.length != 3) {
                throw new DataException(where + "expected 3 columns (i j same), got " + cols.length + ": "
                        + VisibleText.quote(text));
            }
            int i = index(cols[0], rows, where + "column 1 (i)");
            int j = index(cols[1], rows, where + "column 2 (j)");
            if (!cols[2].equals("0") && !cols[2].equals("1")) {
                throw new DataException(where + "column 3 (same): expected 1 (same identity) or 0, got "
                        + VisibleText.quote(cols[2]));
            }
            pairs.add(new int[] {i, j, cols[2].equals("1") ? 1 : 0});
        }
        if (pairs.isEmpty()) {
            throw new DataException(file + ": no pairs (lines 'i j same')");
        }
        int[] a = new int[pairs.size()];
        int[] b = new int[pairs.size()];
        boolean[] s = new boolean[pairs.size()];
        for (int p = 0; p < a.length; p++) {
            a[p] = pairs.get(p)[0];
            b[p] = pairs.get(p)[1];
            s[p] = pairs.get(p)[2] == 1;
        }
        return new PairsFile(file, a, b, s);
    }

    private static int index(String text, int rows, String where) {
        if (!text.matches("[0-9]{1,10}")) {
            throw new DataException(where + ": expected a row number (0-based), got " + VisibleText.quote(text));
        }
        long v = Long.parseLong(text);
        if (v >= rows) {
            throw new DataException(where + ": row " + v + " is past the last row, " + (rows - 1) + " (rows count"
                    + " from 0)");
        }
        return (int) v;
    }

    @Override
    public int[] first() {
        return first.clone();
    }

    @Override
    public int[] second() {
        return second.clone();
    }

    @Override
    public boolean[] same() {
        return same.clone();
    }
}
