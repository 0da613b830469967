package org.dml4j.data.prepare;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.dml4j.data.AtomicFiles;
import org.dml4j.data.ImageList;
import org.dml4j.data.PairsFile;
import org.dml4j.data.Split;
import org.dml4j.error.DataException;
import org.dml4j.error.UsageException;

/**
 * {@code prepare pairs}: LFW-style verification pairs ({@link PairsFile}) drawn from any labelled
 * list ({@code image_id class_id super_class_id path} lines, read as {@link ImageList#read} reads a
 * test list); rows index the list's image lines.
 *
 * <p>Each fold holds {@code perKind} same pairs (two different images of one class) and then
 * {@code perKind} different pairs (images of two classes), no pair (in either order) twice in the
 * file. Each pair is a uniform draw from the distinct pairs of its kind not yet drawn (so a class
 * with many images gives more same pairs than one with few), from {@code SplittableRandom(seed)};
 * a fold's pairs are sorted by row. As LFW draws its folds from disjoint people, the classes are
 * dealt to the folds when the list has at least {@code folds} classes with two or more images:
 * those classes in a seeded shuffle round-robin, then the one-image classes the same way; each fold
 * draws only among its own classes. When there are fewer such classes, or the dealt folds cannot
 * each supply the pairs, the folds draw from the whole list, and the file's comment says that the
 * folds share classes.
 */
public final class VerificationPairs {
    /** At most this many pairs in a file. */
    static final long MAX_PAIRS = 100_000_000L;

    /**
     * The drawn pairs.
     *
     * @param lines    the file's lines ({@link PairsFile})
     * @param disjoint whether each fold's classes are disjoint from the other folds'
     * @param summary  what was drawn, for the summary line
     */
    public record Result(List<String> lines, boolean disjoint, String summary) {
        public Result {
            lines = List.copyOf(lines);
        }
    }

    /** Classes that share a pool of pairs: each class's rows, in list order. */
    private record Pool(List<int[]> classes) {
        long same() {
            long s = 0;
            for (int[] c : classes) {
                s += (long) c.length * (c.length - 1) / 2;
            }
            return s;
        }

        int images() {
            return classes.stream().mapToInt(c -> c.length).sum();
        }

        long different() {
            long n = images();
            return n * (n - 1) / 2 - same();
        }
    }

    private VerificationPairs() {
    }

    /**
     * Checks before drawing that {@code output} can be written and is not the list.
     *
     * @throws UsageException for an existing output without {@code overwrite}, or one in the way
     */
    public static void requireOutput(Path output, boolean overwrite, Path list) {
        AtomicFiles.requireWritable(output, false, "--output");
        if (PreparedFolder.real(output).equals(PreparedFolder.real(list))) {
            throw new UsageException("--output " + output + " is the --list itself");
        }
        if (Files.exists(output) && !overwrite) {
            throw new UsageException("--output " + output + ": already exists; pass --overwrite=True to replace it");
        }
    }

    /**
     * Draws the pairs.
     *
     * @param list    a list file; its class ids label the rows
     * @param folds   number of folds, from 1
     * @param perKind same (and different) pairs per fold, from 1
     * @param seed    seed of the draws
     * @throws UsageException for folds or perKind below 1, or too many pairs
     * @throws DataException  for an unreadable list ({@link ImageList#read}), a list of one class, or
     *                        one that has fewer distinct pairs of a kind than asked for
     */
    public static Result draw(Path list, int folds, int perKind, long seed) {
        if (folds < 1) {
            throw new UsageException("--folds must be >= 1, got " + folds);
        }
        if (perKind < 1) {
            throw new UsageException("--pairs_per_fold must be >= 1, got " + perKind);
        }
        if ((long) folds * 2 * perKind > MAX_PAIRS) {
            throw new UsageException("--folds " + folds + " x 2 x --pairs_per_fold " + perKind + " is more than "
                    + MAX_PAIRS + " pairs");
        }
        ImageList images = ImageList.read(list.toAbsolutePath().getParent(), list, Split.TEST);
        TreeMap<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int r = 0; r < images.size(); r++) {
            byClass.computeIfAbsent(images.label(r), k -> new ArrayList<>()).add(r);
        }
        if (byClass.size() < 2) {
            throw new DataException(list + ": every image is of class " + byClass.firstKey()
                    + ", so no pair of two classes can be drawn");
        }
        List<int[]> multi = new ArrayList<>();
        List<int[]> single = new ArrayList<>();
        for (List<Integer> rows : byClass.values()) {
            (rows.size() >= 2 ? multi : single).add(rows.stream().mapToInt(Integer::intValue).toArray());
        }
        SplittableRandom rng = new SplittableRandom(seed);
        String shared = null;
        List<Pool> pools = null;
        if (multi.size() >= folds) {
            pools = deal(multi, single, folds, rng);
            for (int f = 0; f < pools.size(); f++) {
                Pool p = pools.get(f);
                if (p.same() < perKind || p.different() < perKind) {
                    shared = "the folds share classes (dealt to " + folds + " folds, the " + byClass.size()
                            + " classes leave fold " + (f + 1) + " with " + PreparedFolder.count(p.images(), "image")
                            + " of " + PreparedFolder.count(p.classes().size(), "class") + ": " + p.same() + " same and "
                            + p.different() + " different pairs, fewer than " + perKind + ")";
                    pools = null;
                    break;
                }
            }
        } else {
            shared = "the folds share classes (only " + multi.size() + " classes have two or more images, fewer than"
                    + " the " + folds + " folds)";
        }
        List<PairsFile.Pair> pairs = new ArrayList<>();
        if (pools != null) {
            for (Pool p : pools) {
                List<PairsFile.Pair> same = draw(p, true, perKind, rng);
                List<PairsFile.Pair> different = draw(p, false, perKind, rng);
                pairs.addAll(sorted(same));
                pairs.addAll(sorted(different));
            }
        } else {
            List<int[]> all = new ArrayList<>(multi);
            all.addAll(single);
            Pool p = new Pool(all);
            long need = (long) folds * perKind;
            if (p.same() < need || p.different() < need) {
                throw new DataException(String.format(Locale.ROOT, "%s: has %d distinct same-class pairs and %d"
                        + " different-class pairs; %s of %d pairs of each kind need %d of each: lower"
                        + " --pairs_per_fold or --folds", list, p.same(), p.different(), PreparedFolder.count(folds, "fold"),
                        perKind, need));
            }
            List<PairsFile.Pair> same = shuffled(draw(p, true, (int) need, rng), rng);
            List<PairsFile.Pair> different = shuffled(draw(p, false, (int) need, rng), rng);
            for (int f = 0; f < folds; f++) {
                pairs.addAll(sorted(same.subList(f * perKind, (f + 1) * perKind)));
                pairs.addAll(sorted(different.subList(f * perKind, (f + 1) * perKind)));
            }
        }
        String origin = "drawn by dml4j prepare pairs with seed " + seed + "; " + (shared == null
                ? "each fold's classes are disjoint from the other folds'" : shared);
        List<String> lines = PairsFile.lines(list.toString(), folds, perKind, origin, pairs);
        String summary = PreparedFolder.count(pairs.size(), "pair") + " in " + PreparedFolder.count(folds, "fold") + " of "
                + perKind + " same + " + perKind + " different, over " + PreparedFolder.count(images.size(), "image")
                + " of " + PreparedFolder.count(byClass.size(), "class") + " of " + list + "; "
                + (shared == null ? "folds disjoint in classes" : shared);
        return new Result(lines, shared == null, summary);
    }

    /**
     * Writes the pairs to {@code output} in one step ({@link AtomicFiles#write}).
     *
     * @return the summary line, "wrote OUTPUT: ..."
     * @throws UsageException       as {@link #requireOutput}
     * @throws UncheckedIOException when the file cannot be written
     */
    public static String write(Result result, Path output, boolean overwrite, Path list) {
        requireOutput(output, overwrite, list);
        try {
            AtomicFiles.writeLines(output, result.lines());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + output + ": " + DataException.reason(e), e);
        }
        return "wrote " + output + ": " + result.summary();
    }

    /** Classes dealt to folds: those with two or more images round-robin after a shuffle, then the others. */
    private static List<Pool> deal(List<int[]> multi, List<int[]> single, int folds, SplittableRandom rng) {
        List<List<int[]>> dealt = new ArrayList<>();
        for (int f = 0; f < folds; f++) {
            dealt.add(new ArrayList<>());
        }
        int k = 0;
        for (List<int[]> group : List.of(multi, single)) {
            for (int[] c : shuffled(group, rng)) {
                dealt.get(k++ % folds).add(c);
            }
        }
        return dealt.stream().map(Pool::new).toList();
    }

    /**
     * {@code k} distinct pairs of one kind, uniformly among the pool's pairs of that kind (Floyd's
     * sampling of {@code k} of the pair indices), as (smaller row, larger row).
     */
    private static List<PairsFile.Pair> draw(Pool pool, boolean same, int k, SplittableRandom rng) {
        List<int[]> classes = pool.classes();
        int n = pool.images();
        int[] rows = new int[n];
        int[] end = new int[n];                 // end of the class block of position p (exclusive)
        long[] prefix = new long[same ? classes.size() : n];   // pairs before class c / position p
        int pos = 0;
        long samePairs = 0;
        for (int c = 0; c < classes.size(); c++) {
            int[] cls = classes.get(c);
            if (same) {
                prefix[c] = samePairs;
            }
            samePairs += (long) cls.length * (cls.length - 1) / 2;
            int blockEnd = pos + cls.length;
            for (int r : cls) {
                rows[pos] = r;
                end[pos++] = blockEnd;
            }
        }
        long total = same ? samePairs : (long) n * (n - 1) / 2 - samePairs;
        if (!same) {
            long s = 0;
            for (int p = 0; p < n; p++) {
                prefix[p] = s;
                s += n - end[p];
            }
        }
        LinkedHashSet<Long> chosen = new LinkedHashSet<>();
        for (long j = total - k; j < total; j++) {
            long t = rng.nextLong(j + 1);
            if (!chosen.add(t)) {
                chosen.add(j);
            }
        }
        List<PairsFile.Pair> pairs = new ArrayList<>(k);
        for (long index : chosen) {
            int a;
            int b;
            int at = upperBound(prefix, index);     // the last entry whose prefix is <= index
            long local = index - prefix[at];
            if (same) {
                int[] cls = classes.get(at);
                int hi = (int) ((1 + Math.sqrt(1 + 8.0 * local)) / 2);
                while ((long) hi * (hi - 1) / 2 > local) {
                    hi--;
                }
                while ((long) (hi + 1) * hi / 2 <= local) {
                    hi++;
                }
                int lo = (int) (local - (long) hi * (hi - 1) / 2);
                a = cls[lo];
                b = cls[hi];
            } else {
                a = rows[at];
                b = rows[end[at] + (int) local];
            }
            pairs.add(new PairsFile.Pair(Math.min(a, b), Math.max(a, b), same));
        }
        return pairs;
    }

    /**
     * The largest p with {@code prefix[p] <= v} in a non-decreasing array: the entry whose pairs hold
     * index {@code v} (entries with no pairs share the next one's prefix and are passed over).
     */
    private static int upperBound(long[] prefix, long v) {
        int lo = 0;
        int hi = prefix.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (prefix[mid] <= v) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private static <T> List<T> shuffled(List<T> items, SplittableRandom rng) {
        List<T> out = new ArrayList<>(items);
        for (int i = out.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            T t = out.get(i);
            out.set(i, out.get(j));
            out.set(j, t);
        }
        return out;
    }

    private static List<PairsFile.Pair> sorted(List<PairsFile.Pair> pairs) {
        List<PairsFile.Pair> out = new ArrayList<>(pairs);
        out.sort(Comparator.comparingInt(PairsFile.Pair::i).thenComparingInt(PairsFile.Pair::j));
        return out;
    }
}
