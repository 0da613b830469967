package org.dml4j.retrieval;

import org.dml4j.error.DataException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exact retrieval evaluation, independent of files and consoles: embeddings and labels in, an
 * immutable {@link Result} out. Two protocols:
 * <ul>
 * <li>{@link #allAgainstAll}: every image is a query against all the others (SOP, CUB, Cars;
 * docs/ORIGINAL.md §7);</li>
 * <li>{@link #queryAgainstReference}: a query set against a separate reference set, with the
 * metrics above, as pytorch-metric-learning's {@code get_accuracy(query, reference, …)};</li>
 * <li>{@link #queryAgainstGallery}: a query set against a gallery with junk entries and optional
 * cameras, with CMC and mAP (In-Shop Clothes, person re-identification; {@link GalleryMetrics});</li>
 * <li>{@link Verification}: labelled pairs (face verification).</li>
 * </ul>
 * Embeddings follow the one rule of {@link Embeddings}: finite (else a {@link DataException} naming
 * the row), cosine similarity of L2-normalised rows, a zero row has cosine 0 to everything.
 */
public final class RetrievalEvaluator {
    /** The label of a junk gallery entry: never relevant, never counted against a query (Market-1501's −1). */
    public static final int JUNK = -1;

    private RetrievalEvaluator() {
    }

    /**
     * The metrics and the neighbour lists behind them, immutable: the lists and labels are the
     * evaluator's own, and every accessor returns a copy or a value.
     */
    public static final class Result {
        private final RetrievalMetrics metrics;
        private final int[][] neighbours;
        private final int[] queryLabels;
        private final int[] referenceLabels;
        private final boolean selfExcluded;

        private Result(RetrievalMetrics metrics, int[][] neighbours, int[] queryLabels, int[] referenceLabels,
                       boolean selfExcluded) {
            this.metrics = metrics;
            this.neighbours = neighbours;
            this.queryLabels = queryLabels.clone();
            this.referenceLabels = referenceLabels.clone();
            this.selfExcluded = selfExcluded;
        }

        /** Recall@K, MAP@R, R-precision. */
        public RetrievalMetrics metrics() {
            return metrics;
        }

        /** Number of queries Q. */
        public int queryCount() {
            return queryLabels.length;
        }

        /** Neighbours kept per query: enough for Recall@1000 and for R of every query (capped at the references). */
        public int neighboursKept() {
            return neighbours.length == 0 ? 0 : neighbours[0].length;
        }

        /**
         * Query {@code q}'s nearest references, most similar first (cosine, ties to the lower index).
         *
         * @return a copy of {@link #neighboursKept()} reference indices
         */
        public int[] neighbours(int q) {
            return neighbours[q].clone();
        }

        /** Label of query {@code q}. */
        public int queryLabel(int q) {
            return queryLabels[q];
        }

        /** Label of reference {@code j}. */
        public int referenceLabel(int j) {
            return referenceLabels[j];
        }

        /** Recall@K for any K up to {@link #neighboursKept()} (a Recall@K curve). */
        public double recallAt(int k) {
            if (k < 1 || k > neighboursKept()) {
                throw new IllegalArgumentException("k must be in 1.." + neighboursKept() + ", got " + k);
            }
            return RetrievalMetrics.recallAt(neighbours, queryLabels, referenceLabels, k);
        }

        /** Average precision at R of each query [Q] (NaN for a query with no relevant reference). */
        public double[] averagePrecisionAtR() {
            return RetrievalMetrics.averagePrecisionAtR(neighbours, queryLabels, referenceLabels, selfExcluded);
        }
    }

    /**
     * The data-size precondition of every all-against-all metric: each query is compared with the
     * others, so there must be at least two.
     *
     * @param source what the embeddings are of, for the message (a list or features file)
     * @throws DataException saying what is needed when {@code n < 2}
     */
    public static void requireQueries(int n, String source) {
        if (n < 2) {
            throw new DataException(source + ": retrieval needs at least 2 images (each query is compared with"
                    + " the others), got " + n);
        }
    }

    /**
     * Recall@1 as the original measures it (docs/ORIGINAL.md §7), the training's test metric:
     * L2-normalised rows, nearest neighbour by cosine, the query itself excluded, ties to the lower
     * index; a hit when the neighbour has the query's label. No finiteness check (the trainer
     * applies its own, naming the images).
     *
     * @param embeddings [N, D], N ≥ 2 (callers check with {@link #requireQueries}); a float32
     *                   C-order array is normalised in place
     */
    public static double recallAt1(INDArray embeddings, int[] labels) {
        return RetrievalMetrics.recallAt(NearestNeighbours.search(embeddings, 1, NearestNeighbours.DEFAULT_BLOCK),
                labels, 1);
    }

    /**
     * Every row a query against all other rows.
     *
     * @param embeddings [N, D]; a float32 C-order array is normalised in place
     * @param labels     N labels, equal labels are relevant to each other
     * @param source     what the embeddings are, for messages
     * @throws DataException for non-finite rows, or fewer than 2 rows
     */
    public static Result allAgainstAll(INDArray embeddings, int[] labels, String source) {
        Embeddings.requireFinite(embeddings, source, Embeddings.numberedRows());
        requireQueries(labels.length, source);
        INDArray x = Embeddings.normalizeRows(embeddings);
        int[][] nn = NearestNeighbours.searchNormalized(x, RetrievalMetrics.neighboursNeeded(labels),
                NearestNeighbours.DEFAULT_BLOCK);
        return new Result(RetrievalMetrics.fromNeighbours(nn, labels), nn, labels, labels, true);
    }

    /**
     * Each query against the reference set.
     *
     * @param queries         [Q, D]; a float32 C-order array is normalised in place
     * @param queryLabels     Q labels
     * @param references      [R, D], the same width; a float32 C-order array is normalised in place
     * @param referenceLabels R labels
     * @throws DataException for non-finite rows, an empty set, or widths that differ
     */
    public static Result queryAgainstReference(INDArray queries, int[] queryLabels, INDArray references,
                                               int[] referenceLabels) {
        Embeddings.requireFinite(queries, "queries", Embeddings.numberedRows());
        Embeddings.requireFinite(references, "references", Embeddings.numberedRows());
        if (queryLabels.length == 0 || referenceLabels.length == 0) {
            throw new DataException("retrieval needs at least one query and one reference, got " + queryLabels.length
                    + " and " + referenceLabels.length);
        }
        if (queries.size(1) != references.size(1)) {
            throw new DataException("queries are " + queries.size(1) + " wide but references " + references.size(1)
                    + ": embeddings of different models?");
        }
        INDArray q = Embeddings.normalizeRows(queries);
        INDArray r = Embeddings.normalizeRows(references);
        int[][] nn = NearestNeighbours.searchNormalized(q, r,
                RetrievalMetrics.neighboursNeeded(queryLabels, referenceLabels, false), NearestNeighbours.DEFAULT_BLOCK,
                false);
        return new Result(RetrievalMetrics.fromNeighbours(nn, queryLabels, referenceLabels, false), nn, queryLabels,
                referenceLabels, false);
    }

    /**
     * Each query against a gallery, as re-identification and In-Shop Clothes evaluate
     * ({@link GalleryMetrics}: CMC rank-K and mAP over the valid gallery of each query).
     *
     * @param queries        [Q, D]; a float32 C-order array is normalised in place
     * @param queryLabels    Q labels ≥ 0 (equal labels are the same identity or item)
     * @param queryCameras   Q camera ids, or null when there are no cameras
     * @param gallery        [G, D], the same width; a float32 C-order array is normalised in place
     * @param galleryLabels  G labels ≥ 0, or {@link #JUNK}
     * @param galleryCameras G camera ids, or null (exactly when {@code queryCameras} is)
     * @throws DataException for non-finite rows (naming the set and row), an empty set, widths that
     *                       differ, or a junk query label
     * @throws IllegalArgumentException for arrays of the wrong lengths or cameras on one side only
     *                                  (caller bugs)
     */
    public static GalleryMetrics queryAgainstGallery(INDArray queries, int[] queryLabels, int[] queryCameras,
                                                     INDArray gallery, int[] galleryLabels, int[] galleryCameras) {
        if ((queryCameras == null) != (galleryCameras == null)) {
            throw new IllegalArgumentException("cameras are needed for both the queries and the gallery, or neither");
        }
        if (queries.rank() != 2 || gallery.rank() != 2 || queries.size(0) != queryLabels.length
                || gallery.size(0) != galleryLabels.length
                || queryCameras != null && (queryCameras.length != queryLabels.length
                || galleryCameras.length != galleryLabels.length)) {
            throw new IllegalArgumentException("rows, labels and cameras differ in number");
        }
        Embeddings.requireFinite(queries, "queries", Embeddings.numberedRows());
        Embeddings.requireFinite(gallery, "gallery", Embeddings.numberedRows());
        if (queryLabels.length == 0 || galleryLabels.length == 0) {
            throw new DataException("query/gallery retrieval needs at least one query and one gallery entry, got "
                    + queryLabels.length + " and " + galleryLabels.length);
        }
        if (queries.size(1) != gallery.size(1)) {
            throw new DataException("queries are " + queries.size(1) + " wide but the gallery " + gallery.size(1)
                    + ": embeddings of different models?");
        }
        for (int i = 0; i < queryLabels.length; i++) {
            if (queryLabels[i] < 0) {
                throw new DataException("query row " + i + " has the junk label " + queryLabels[i]
                        + "; only gallery entries can be junk");
            }
        }
        return GalleryRanking.evaluate(Embeddings.normalizeRows(queries), queryLabels, queryCameras,
                Embeddings.normalizeRows(gallery), galleryLabels, galleryCameras);
    }
}
