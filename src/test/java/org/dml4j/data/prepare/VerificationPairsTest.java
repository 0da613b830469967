package org.dml4j.data.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dml4j.error.DataException;
import org.dml4j.error.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerificationPairsTest {
    @TempDir
    Path dir;

    /** Class id of each image line of a list, parsed here (column 2). */
    private static List<Integer> classes(Path list) throws IOException {
        List<Integer> c = new ArrayList<>();
        for (String line : Files.readAllLines(list)) {
            String[] cols = line.strip().split("\\s+");
            if (!cols[0].equals("image_id")) {
                c.add(Integer.parseInt(cols[1]));
            }
        }
        return c;
    }

    /**
     * Checks a pairs file against its list: the comment, F folds of P same then P different pairs,
     * labels right, no pair twice in either order, no image with itself. Returns each fold's classes.
     */
    private static List<Set<Integer>> check(List<String> lines, Path list, int folds, int perKind) throws IOException {
        List<Integer> labels = classes(list);
        assertTrue(lines.get(0).startsWith("# i j same: i, j = 0-based rows of the image lines of " + list), lines.get(0));
        assertTrue(lines.get(0).contains("folds=" + folds + " same_pairs_per_fold=" + perKind), lines.get(0));
        assertEquals(1 + folds * 2 * perKind, lines.size());
        Set<String> seen = new HashSet<>();
        List<Set<Integer>> foldClasses = new ArrayList<>();
        for (int f = 0; f < folds; f++) {
            Set<Integer> classes = new HashSet<>();
            for (int k = 0; k < 2 * perKind; k++) {
                String line = lines.get(1 + f * 2 * perKind + k);
                String[] c = line.split(" ");
                assertEquals(3, c.length, line);
                int i = Integer.parseInt(c[0]);
                int j = Integer.parseInt(c[1]);
                boolean same = k < perKind;
                assertEquals(same ? "1" : "0", c[2], "fold " + f + " pair " + k);
                assertNotEquals(i, j, line);
                assertEquals(same, labels.get(i).equals(labels.get(j)), line);
                assertTrue(seen.add(Math.min(i, j) + " " + Math.max(i, j)), "pair repeated: " + line);
                classes.add(labels.get(i));
                classes.add(labels.get(j));
            }
            foldClasses.add(classes);
        }
        return foldClasses;
    }

    @Test
    void foldsOfDisjointClassesWhenThereAreEnoughClasses() throws IOException {
        int[] counts = new int[27];           // 25 classes of 4 images, 2 of one: 2 or 3 classes per fold
        java.util.Arrays.fill(counts, 4);
        counts[3] = 1;
        counts[20] = 1;
        Path list = Fixtures.list(dir.resolve("Ebay_test.txt"), counts);
        VerificationPairs.Result r = VerificationPairs.draw(list, 10, 4, 0);
        assertTrue(r.disjoint());
        List<Set<Integer>> folds = check(r.lines(), list, 10, 4);
        Set<Integer> all = new HashSet<>();
        int total = 0;
        for (Set<Integer> f : folds) {
            total += f.size();
            all.addAll(f);
        }
        assertEquals(all.size(), total, "no class in two folds: " + folds);
        assertTrue(r.lines().get(0).endsWith("drawn by dml4j prepare pairs with seed 0; each fold's classes are disjoint"
                + " from the other folds'"), r.lines().get(0));
        assertEquals("80 pairs in 10 folds of 4 same + 4 different, over 102 images of 27 classes of " + list
                + "; folds disjoint in classes", r.summary());

        assertEquals(r.lines(), VerificationPairs.draw(list, 10, 4, 0).lines(), "a seed gives the same pairs");
        List<String> other = VerificationPairs.draw(list, 10, 4, 1).lines();
        assertNotEquals(r.lines().subList(1, 81), other.subList(1, 81), "another seed, other pairs");
        check(other, list, 10, 4);
    }

    @Test
    void foldsShareClassesWhenTooFewHaveTwoImages() throws IOException {
        Path list = Fixtures.list(dir.resolve("l.txt"), 4, 4, 4);
        VerificationPairs.Result r = VerificationPairs.draw(list, 10, 1, 7);
        assertFalse(r.disjoint());
        check(r.lines(), list, 10, 1);
        assertTrue(r.lines().get(0).endsWith("the folds share classes (only 3 classes have two or more images, fewer"
                + " than the 10 folds)"), r.lines().get(0));

        Path pairsOnly = Fixtures.list(dir.resolve("p.txt"), 2, 2, 2, 2, 2, 2, 2, 2, 2, 2);
        VerificationPairs.Result dealt = VerificationPairs.draw(pairsOnly, 10, 1, 0);
        assertFalse(dealt.disjoint(), "one class per fold has no different pair");
        check(dealt.lines(), pairsOnly, 10, 1);
        assertTrue(dealt.lines().get(0).endsWith("the folds share classes (dealt to 10 folds, the 10 classes leave"
                + " fold 1 with 2 images of 1 class: 1 same and 0 different pairs, fewer than 1)"), dealt.lines().get(0));
    }

    @Test
    void everyPairOfAKindCanBeDrawn() throws IOException {
        // classes of 3 and 6 images: 3 + 15 = 18 same pairs and 3 * 6 = 18 different pairs
        Path list = Fixtures.list(dir.resolve("l.txt"), 3, 6);
        List<Integer> labels = classes(list);
        Set<String> same = new HashSet<>();
        Set<String> different = new HashSet<>();
        for (int i = 0; i < labels.size(); i++) {
            for (int j = i + 1; j < labels.size(); j++) {
                (labels.get(i).equals(labels.get(j)) ? same : different).add(i + " " + j + " "
                        + (labels.get(i).equals(labels.get(j)) ? 1 : 0));
            }
        }
        assertEquals(18, same.size());
        assertEquals(18, different.size());
        for (long seed = 0; seed < 3; seed++) {
            List<String> lines = VerificationPairs.draw(list, 1, 18, seed).lines();
            check(lines, list, 1, 18);
            assertEquals(same, new HashSet<>(lines.subList(1, 19)));
            assertEquals(different, new HashSet<>(lines.subList(19, 37)));
            List<String> sorted = new ArrayList<>(lines.subList(1, 19));
            sorted.sort((a, b) -> {
                String[] x = a.split(" ");
                String[] y = b.split(" ");
                int c = Integer.compare(Integer.parseInt(x[0]), Integer.parseInt(y[0]));
                return c != 0 ? c : Integer.compare(Integer.parseInt(x[1]), Integer.parseInt(y[1]));
            });
            assertEquals(sorted, lines.subList(1, 19), "a fold's pairs are sorted by row");
        }
        DataException more = assertThrows(DataException.class, () -> VerificationPairs.draw(list, 1, 19, 0));
        assertEquals(list + ": has 18 distinct same-class pairs and 18 different-class pairs; 1 fold of 19 pairs of"
                + " each kind need 19 of each: lower --pairs_per_fold or --folds", more.getMessage());
    }

    @Test
    void refusals() throws IOException {
        Path one = Fixtures.list(dir.resolve("one.txt"), 6);
        DataException single = assertThrows(DataException.class, () -> VerificationPairs.draw(one, 10, 300, 0));
        assertEquals(one + ": every image is of class 1, so no pair of two classes can be drawn", single.getMessage());
        Path singles = Fixtures.list(dir.resolve("singles.txt"), 1, 1, 1);
        DataException none = assertThrows(DataException.class, () -> VerificationPairs.draw(singles, 1, 1, 0));
        assertTrue(none.getMessage().contains("has 0 distinct same-class pairs"), none.getMessage());
        Path list = Fixtures.list(dir.resolve("l.txt"), 3, 3);
        assertThrows(UsageException.class, () -> VerificationPairs.draw(list, 0, 1, 0));
        assertThrows(UsageException.class, () -> VerificationPairs.draw(list, 1, 0, 0));
        assertThrows(UsageException.class, () -> VerificationPairs.draw(list, 1_000_000, 1_000, 0));
        Path bad = Fixtures.text(dir.resolve("bad.txt"), "image_id class_id super_class_id path", "1 0 1 a.jpg");
        DataException zero = assertThrows(DataException.class, () -> VerificationPairs.draw(bad, 1, 1, 0));
        assertTrue(zero.getMessage().startsWith(bad + ":2: column 2 (class_id)"), zero.getMessage());
    }
}
