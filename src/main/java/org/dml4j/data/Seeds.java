package org.dml4j.data;

import java.util.SplittableRandom;

/**
 * Derives independent random streams from the one {@code --seed}: every batch and every image
 * gets its own generator keyed by (seed, stream, index), so results do not depend on thread count
 * or on where a run was resumed.
 */
public final class Seeds {
    /** Stream ids, one per use, so no two uses share draws. */
    public static final long SHUFFLE = 1, TRIPLETS = 2, CLASS_BLOCKS = 3, AUGMENT = 4;

    private Seeds() {
    }

    /** A generator for item {@code index} of stream {@code stream} under {@code seed}. */
    public static SplittableRandom rng(long seed, long stream, long index) {
        long h = mix(seed);
        h = mix(h ^ (stream * 0x9E3779B97F4A7C15L));
        h = mix(h ^ index);
        return new SplittableRandom(h);
    }

    /** SplitMix64's finaliser. */
    private static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** 0..n−1 with its first {@code k} positions a uniform random k-subset in random order. */
    static int[] permutation(int n, int k, SplittableRandom rng) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        partialShuffle(a, k, rng);
        return a;
    }

    /** Fisher–Yates shuffle of the first {@code k} positions (a uniform k-subset in random order). */
    static void partialShuffle(int[] a, int k, SplittableRandom rng) {
        for (int i = 0; i < k && i < a.length - 1; i++) {
            int j = i + rng.nextInt(a.length - i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
