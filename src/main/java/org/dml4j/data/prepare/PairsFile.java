package org.dml4j.data.prepare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * dml4j's verification pairs file (LFW's protocol with rows instead of names): a comment line
 * starting with {@code #}, then one line {@code i j same} per pair, where {@code i} and {@code j} are
 * 0-based rows of a list's image lines (its header excluded) and {@code same} is 1 (one class) or 0
 * (two classes). The pairs form {@code folds} consecutive folds of equal size, each
 * {@code perKind} same pairs followed by {@code perKind} different pairs; the comment says
 * {@code folds=F} and {@code pairs_per_fold=2·perKind}.
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

    private PairsFile() {
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
    static List<String> lines(String listName, int folds, int perKind, String origin, List<Pair> pairs) {
        if ((long) folds * 2 * perKind != pairs.size()) {
            throw new IllegalArgumentException(pairs.size() + " pairs in " + folds + " folds of 2x" + perKind);
        }
        List<String> lines = new ArrayList<>(pairs.size() + 1);
        lines.add(String.format(Locale.ROOT, "# i j same: i, j = 0-based rows of the image lines of %s (header"
                + " excluded); same = 1 for one class, 0 for two; folds=%d pairs_per_fold=%d (each fold %d same"
                + " then %d different pairs); %s", listName, folds, 2 * perKind, perKind, perKind, origin));
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
