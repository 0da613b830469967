package org.dml4j.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dml4j.error.DataException;

/**
 * dml4j's verification pairs file (LFW's protocol with rows instead of names): a comment line
 * starting with {@code #}, then one line {@code i j same} per pair, where {@code i} and {@code j} are
 * 0-based rows of a list's image lines (its header excluded) and {@code same} is 1 (one class) or 0
 * (two classes). The pairs form {@code folds} consecutive folds of equal size, each
 * {@code perKind} same pairs followed by {@code perKind} different pairs; the comment says
 * {@code folds=F} and {@code same_pairs_per_fold=perKind} (LFW's header numbers; {@code eval} reads the first). {@code dml4j prepare lfw} and
 * {@code prepare pairs} write it; {@code eval --pairs} reads it (docs/PROTOCOLS.md "Verification"),
 * with blank lines and any {@code #} line skipped, so a hand-written file needs only the pair lines.
 */
public final class PairsFile {
    /**
     * One pair.
     *
     * @param i    row of the first image
     * @param j    row of the second image
     * @param same whether both show one class
     */
    public record Pair(int i, int j, boolean same) {
    }

    /**
     * Pairs read back.
     *
     * @param file  where they were read
     * @param pairs in file order
     * @param folds the fold count the comment states ({@code folds=F}), or {@link #DEFAULT_FOLDS}
     */
    public record Pairs(Path file, List<Pair> pairs, int folds) {
        public Pairs {
            pairs = List.copyOf(pairs);
        }
    }

    /** Folds when the file does not say: LFW's 10. */
    public static final int DEFAULT_FOLDS = 10;

    private static final Pattern FOLDS = Pattern.compile("\\bfolds=([0-9]{1,9})\\b");

    private PairsFile() {
    }

    /**
     * @param rows number of rows the indices may address
     * @throws DataException naming {@code file:line} for a line that is not three whole numbers, a row
     *                       outside 0..rows−1, or a same flag other than 0/1; naming the file when it
     *                       cannot be read or holds no pair
     */
    public static Pairs read(Path file, int rows) {
        List<String> lines;
        try {
            lines = TextLines.read(file);
        } catch (IOException e) {
            throw DataException.reading(file, "pairs", e);
        }
        List<Pair> pairs = new ArrayList<>();
        int folds = DEFAULT_FOLDS;
        for (int n = 0; n < lines.size(); n++) {
            String text = lines.get(n).strip();
            if (text.startsWith("#")) {
                Matcher m = FOLDS.matcher(text);
                if (m.find()) {
                    folds = Integer.parseInt(m.group(1));
                }
                continue;
            }
            if (text.isEmpty()) {
                continue;
            }
            String where = file + ":" + (n + 1) + ": ";
            String[] cols = text.split("\\s+");
            if (cols.length != 3) {
                throw new DataException(where + "expected 3 columns (i j same), got " + cols.length + ": "
                        + VisibleText.quote(text));
            }
            int i = row(cols[0], rows, where + "column 1 (i)");
            int j = row(cols[1], rows, where + "column 2 (j)");
            if (!cols[2].equals("0") && !cols[2].equals("1")) {
                throw new DataException(where + "column 3 (same): expected 1 (same identity) or 0, got "
                        + VisibleText.quote(cols[2]));
            }
            pairs.add(new Pair(i, j, cols[2].equals("1")));
        }
        if (pairs.isEmpty()) {
            throw new DataException(file + ": no pairs (lines 'i j same')");
        }
        return new Pairs(file, pairs, folds);
    }

    private static int row(String text, int rows, String where) {
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

    /**
     * The file's lines.
     *
     * @param listName the list the rows index, for the comment (e.g. "Ebay_test.txt")
     * @param folds    number of folds
     * @param perKind  same pairs (and different pairs) per fold
     * @param origin   where the pairs come from, for the comment (e.g. "LFW's pairs.txt, in its order")
     * @param pairs    the pairs, fold by fold, same before different in each
     * @throws IllegalArgumentException when the pairs do not form those folds
     */
    public static List<String> lines(String listName, int folds, int perKind, String origin, List<Pair> pairs) {
        if ((long) folds * 2 * perKind != pairs.size()) {
            throw new IllegalArgumentException(pairs.size() + " pairs in " + folds + " folds of 2x" + perKind);
        }
        List<String> lines = new ArrayList<>(pairs.size() + 1);
        lines.add(String.format(Locale.ROOT, "# i j same: i, j = 0-based rows of the image lines of %s (header"
                + " excluded); same = 1 for one class, 0 for two; folds=%d same_pairs_per_fold=%d (each fold %d same"
                + " then %d different pairs); %s", listName, folds, perKind, perKind, perKind, origin));
        for (int k = 0; k < pairs.size(); k++) {
            Pair p = pairs.get(k);
            if (p.same() != (k % (2 * perKind) < perKind)) {
                throw new IllegalArgumentException("pair " + k + " " + p);
            }
            lines.add(p.i() + " " + p.j() + " " + (p.same() ? 1 : 0));
        }
        return lines;
    }
}
