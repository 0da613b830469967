package org.dml4j.retrieval;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Exact k-nearest-neighbour search by cosine similarity: features are L2-normalised as
 * {@link Embeddings#normalizeRows} does (no epsilon, as the original; a zero row has cosine 0 to
 * everything), each query is compared with every other feature (itself excluded by its index,
 * whatever the values), and the k most similar are kept, ties broken by the lower index. Queries
 * are processed in blocks: one gemm of the block against all features (with a transposed operand,
 * ND4J's fast path), then a linear-time selection per row, so the N×N matrix never exists.
 */
public final class NearestNeighbours {
    /** Default number of query rows per gemm. */
    public static final int DEFAULT_BLOCK = 1024;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private NearestNeighbours() {
    }

    /**
     * @param features [N, D], finite ({@link Embeddings#requireFinite}); a float32 C-order array is
     *                 L2-normalised in place (saving a copy of the features at SOP scale), others
     *                 are converted to a normalised copy
     * @param k        neighbours per query, 1 ≤ k ≤ N − 1 (callers check N ≥ 2 with a data error)
     * @param block    query rows per gemm
     * @return [N][k] neighbour indices, most similar first
     * @throws IllegalArgumentException for k out of range or a non-finite value (caller bugs)
     */
    public static int[][] search(INDArray features, int k, int block) {
        return searchNormalized(Embeddings.normalizeRows(features), k, block);
    }

    /**
     * {@link #search} of rows that {@link Embeddings#normalizeRows} has normalised already.
     *
     * @param x [N, D] float32, C order, rows of length 1 or 0
     */
    public static int[][] searchNormalized(INDArray x, int k, int block) {
        return searchNormalized(x, x, k, block, true);
    }

    /**
     * The k nearest references of each query, both normalised ({@link Embeddings#normalizeRows}).
     *
     * @param queries     [Q, D] float32, C order
     * @param references  [R, D] float32, C order
     * @param k           neighbours per query: 1 ≤ k ≤ R (R − 1 with {@code excludeSelf})
     * @param excludeSelf the queries are the references (row i is reference i), and a query is
     *                    never its own neighbour
     * @return [Q][k] reference indices, most similar first, ties to the lower index
     * @throws IllegalArgumentException for k out of range or widths that differ (caller bugs)
     */
    public static int[][] searchNormalized(INDArray queries, INDArray references, int k, int block,
                                           boolean excludeSelf) {
        int q = (int) queries.size(0);
        int n = (int) references.size(0);
        int most = excludeSelf ? n - 1 : n;
        if (k < 1 || k > most) {
            throw new IllegalArgumentException("k must be in 1.." + most + ", got " + k);
        }
        if (queries.size(1) != references.size(1)) {
            throw new IllegalArgumentException("queries are " + queries.size(1) + " wide, references " + references.size(1));
        }
        int[][] result = new int[q][];
        INDArray buffer = Nd4j.create(DataType.FLOAT, Math.min(block, q), n);   // reused: no page faults per block
        for (int from = 0; from < q; from += block) {
            int rows = Math.min(block, q - from);
            INDArray blockRows = queries.get(NDArrayIndex.interval(from, from + rows), NDArrayIndex.all());
            INDArray sim = rows == buffer.size(0) ? buffer
                    : buffer.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all());
            Nd4j.gemm(blockRows, references, sim, false, true, 1.0, 0.0);
            FloatBuffer flat = sim.data().asNioFloat();
            int offset = from;
            IntStream.range(0, rows).parallel().forEach(r ->
                    result[offset + r] = topK(flat, r * n, n, excludeSelf ? offset + r : -1, k));
        }
        return result;
    }

    /**
     * Every reference ranked by cosine similarity to one query.
     *
     * @param order   reference indices, most similar first, ties to the lower index
     * @param cosines each reference's cosine similarity to the query (by reference index)
     */
    public record Ranking(int[] order, float[] cosines) {
    }

    /**
     * Ranks the rows of {@code references} [R, D] by cosine similarity to {@code query} [1, D], both
     * finite; a zero row or query has cosine 0 ({@link Embeddings}). Normalises {@code references}
     * in place when it is a float32 C-order array.
     */
    public static Ranking rank(INDArray references, INDArray query) {
        INDArray x = Embeddings.normalizeRows(references);
        INDArray qn = Embeddings.normalizeRows(query);
        float[] sims = x.mmul(qn.transpose()).reshape(-1).toFloatVector();
        int[] order = IntStream.range(0, sims.length).boxed()
                .sorted((a, b) -> sims[a] != sims[b] ? Float.compare(sims[b], sims[a]) : Integer.compare(a, b))
                .mapToInt(Integer::intValue).toArray();
        return new Ranking(order, sims);
    }

    /**
     * A sort key of reference {@code index} with similarity {@code v}: keys sort ascending as the
     * ranking goes (larger similarity first, ties to the lower index), and no two are equal.
     */
    public static long rankKey(float v, int index) {
        return ((long) sortable(v) << 32) | index;
    }

    /**
     * One query's k most similar candidates as {@link #rankKey} keys, for a search split over
     * several machines: the candidates are row[start … start+n), candidate c being reference
     * {@code firstIndex + c}; merging such lists of every part by key gives exactly the neighbours of
     * a search over all references at once (same similarities, same ties to the lower index).
     *
     * @param self the candidate that is the query itself (left out), or −1
     * @param k    1 ≤ k ≤ the candidates left
     * @return k keys, ascending (most similar first)
     */
    public static long[] topKeys(FloatBuffer row, int start, int n, int self, int k, int firstIndex) {
        int[] local = topK(row, start, n, self, k);
        long[] keys = new long[k];
        for (int i = 0; i < k; i++) {
            keys[i] = rankKey(row.get(start + local[i]), firstIndex + local[i]);
        }
        return keys;
    }

    /** The reference index a {@link #rankKey} key names. */
    public static int indexOf(long key) {
        return (int) (key & 0xffffffffL);
    }

    /** The k largest of row[start … start+n) except position {@code self}, ties to the lower index. */
    static int[] topK(FloatBuffer row, int start, int n, int self, int k) {
        Scratch w = SCRATCH.get().fit(n);
        float[] values = w.values;
        row.get(start, values, 0, n);
        // Candidates: values at least as large as a threshold estimated from every 8th value, chosen
        // so that almost surely ≥ k values pass; if not, all values are candidates. The query itself
        // is left out by its index, never by its value.
        int m = 0;
        for (int j = 0; j < n; j += 8) {
            if (j != self) {
                w.work[m++] = values[j];
            }
        }
        int sampleRank = (int) Math.min(m, k / 8 + 3 * Math.sqrt(k / 8.0) + 8);
        float estimate = m > 0 ? kthLargest(w.work, m, sampleRank) : Float.NEGATIVE_INFINITY;
        int c = 0;
        for (int j = 0; j < n; j++) {
            if (values[j] >= estimate && j != self) {
                w.work[c] = values[j];
                w.index[c++] = j;
            }
        }
        if (c < k) {
            c = 0;
            for (int j = 0; j < n; j++) {
                if (j != self) {
                    w.work[c] = values[j];
                    w.index[c++] = j;
                }
            }
        }
        int candidates = c;
        float[] candidateValues = Arrays.copyOf(w.work, candidates);
        float threshold = kthLargest(w.work, candidates, k);
        int above = 0;
        for (int i = 0; i < candidates; i++) {
            if (candidateValues[i] > threshold) {
                above++;
            }
        }
        int tiesWanted = k - above;
        long[] keys = new long[k];
        int taken = 0;
        for (int i = 0; i < candidates && taken < k; i++) {
            float v = candidateValues[i];
            if (v > threshold || (v == threshold && tiesWanted-- > 0)) {
                keys[taken++] = rankKey(v, w.index[i]);
            }
        }
        Arrays.sort(keys);
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = (int) (keys[i] & 0xffffffffL);
        }
        return out;
    }

    /** Per-thread buffers for {@link #topK}. */
    private static final class Scratch {
        float[] values = new float[0];
        float[] work = new float[0];
        int[] index = new int[0];

        Scratch fit(int n) {
            if (values.length != n) {
                values = new float[n];
                work = new float[n];
                index = new int[n];
            }
            return this;
        }
    }

    /** An int that sorts ascending as the float sorts descending (larger similarity first). */
    static int sortable(float v) {
        int bits = Float.floatToIntBits(v == 0f ? 0f : v);
        int ascending = bits >= 0 ? bits : bits ^ 0x7fffffff;
        return ~ascending;
    }

    /** The k-th largest of a[0 … length) (quickselect; reorders that part of the array). */
    static float kthLargest(float[] a, int length, int k) {
        int lo = 0;
        int hi = length - 1;
        int target = k - 1;
        SplittableRandom rng = new SplittableRandom(length);
        while (lo < hi) {
            float pivot = a[lo + rng.nextInt(hi - lo + 1)];
            int i = lo;
            int lt = lo;
            int gt = hi;
            while (i <= gt) {
                if (a[i] > pivot) {
                    swap(a, lt++, i++);
                } else if (a[i] < pivot) {
                    swap(a, i, gt--);
                } else {
                    i++;
                }
            }
            if (target < lt) {
                hi = lt - 1;
            } else if (target > gt) {
                lo = gt + 1;
            } else {
                return pivot;
            }
        }
        return a[lo];
    }

    private static void swap(float[] a, int i, int j) {
        float t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
