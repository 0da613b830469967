package org.dml4j.retrieval;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The computation behind {@link GalleryMetrics}: query blocks against the whole gallery with one
 * gemm each (as {@link NearestNeighbours}), then per query only the ranks of its relevant entries
 * are found. mAP needs the whole valid ranking, but sorting each row of G similarities would cost
 * G·log G per query; instead the m relevant entries are sorted and every other valid entry is
 * placed among them by binary search (G·log m), which gives each relevant entry's rank exactly.
 */
public final class GalleryRanking {
    /** Similarities held at once: the block of queries shrinks as the gallery grows (256 MB of float32). */
    private static final long MAX_BLOCK_VALUES = 1L << 26;

    private GalleryRanking() {
    }

    /**
     * @param queries   [Q, D] normalised ({@link Embeddings#normalizeRows}), float32 C order
     * @param qLabels   Q labels ≥ 0
     * @param qCams     Q camera ids, or null (no same-camera exclusion)
     * @param gallery   [G, D] normalised, float32 C order
     * @param gLabels   G labels, {@link RetrievalEvaluator#JUNK} for junk entries
     * @param gCams     G camera ids, or null (exactly when qCams is null)
     */
    static GalleryMetrics evaluate(INDArray queries, int[] qLabels, int[] qCams, INDArray gallery, int[] gLabels,
                                   int[] gCams) {
        int q = qLabels.length;
        int g = gLabels.length;
        int block = (int) Math.max(1, Math.min(NearestNeighbours.DEFAULT_BLOCK, MAX_BLOCK_VALUES / g));
        int[] firstRank = new int[q];         // rank (0-based, among valid entries) of the first relevant one; -1: none
        double[] ap = new double[q];
        INDArray buffer = Nd4j.create(DataType.FLOAT, Math.min(block, q), g);
        for (int from = 0; from < q; from += block) {
            int rows = Math.min(block, q - from);
            INDArray blockRows = queries.get(NDArrayIndex.interval(from, from + rows), NDArrayIndex.all());
            INDArray sim = rows == buffer.size(0) ? buffer
                    : buffer.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all());
            Nd4j.gemm(blockRows, gallery, sim, false, true, 1.0, 0.0);
            FloatBuffer flat = sim.data().asNioFloat();
            int offset = from;
            IntStream.range(0, rows).parallel().forEach(r -> {
                int query = offset + r;
                float[] s = new float[g];
                flat.get(r * g, s, 0, g);
                double[] scored = score(s, qLabels[query], qCams == null ? 0 : qCams[query], qCams != null, gLabels,
                        gCams);
                firstRank[query] = (int) scored[0];
                ap[query] = scored[1];
            });
        }
        return aggregate(firstRank, ap);
    }

    /**
     * The metrics from each query's first relevant rank (−1: not a valid query) and AP, summed in
     * query order (so that a cluster's computation gives the same numbers to the last bit).
     */
    public static GalleryMetrics aggregate(int[] firstRank, double[] ap) {
        int q = firstRank.length;
        int valid = 0;
        double apSum = 0;
        int[] hits = new int[GalleryMetrics.RANKS.length];
        for (int i = 0; i < q; i++) {
            if (firstRank[i] < 0) {
                continue;
            }
            valid++;
            apSum += ap[i];
            for (int k = 0; k < hits.length; k++) {
                if (firstRank[i] < GalleryMetrics.RANKS[k]) {
                    hits[k]++;
                }
            }
        }
        Map<Integer, Double> cmc = new LinkedHashMap<>();
        for (int k = 0; k < hits.length; k++) {
            cmc.put(GalleryMetrics.RANKS[k], valid == 0 ? Double.NaN : hits[k] / (double) valid);
        }
        return new GalleryMetrics(q, valid, cmc, valid == 0 ? Double.NaN : apSum / valid);
    }

    /**
     * One query's {first relevant rank (−1 when it has no relevant entry), average precision}.
     *
     * @param sims the query's similarity to each gallery entry [G]
     */
    static double[] score(float[] sims, int label, int camera, boolean useCameras, int[] gLabels, int[] gCams) {
        int g = sims.length;
        int m = 0;
        long[] relevant = new long[16];
        for (int j = 0; j < g; j++) {
            if (gLabels[j] == label && !(useCameras && gCams[j] == camera)) {
                if (m == relevant.length) {
                    relevant = Arrays.copyOf(relevant, 2 * m);
                }
                relevant[m++] = NearestNeighbours.rankKey(sims[j], j);
            }
        }
        if (m == 0) {
            return new double[] {-1, 0};
        }
        Arrays.sort(relevant, 0, m);
        int[] before = new int[m + 1];      // before[i]: other valid entries ranked between relevant i−1 and i
        for (int j = 0; j < g; j++) {
            int l = gLabels[j];
            if (l == label || l == RetrievalEvaluator.JUNK) {
                continue;       // relevant (counted above), or left out with the query's camera; or junk
            }
            int at = Arrays.binarySearch(relevant, 0, m, NearestNeighbours.rankKey(sims[j], j));
            before[-at - 1]++;
        }
        return fromRanks(before, m);
    }

    /**
     * {first relevant rank, AP} of a query with {@code m} ≥ 1 relevant entries, from
     * {@code before[i]}: the valid non-relevant entries ranked between relevant entry i−1 and i.
     */
    public static double[] fromRanks(int[] before, int m) {
        double sum = 0;
        int others = 0;
        for (int i = 0; i < m; i++) {
            others += before[i];
            sum += (i + 1) / (double) (i + others + 1);
        }
        return new double[] {before[0], sum / m};
    }
}
