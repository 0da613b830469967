package org.dml4j.retrieval;

import org.dml4j.error.DataException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exact retrieval evaluation, independent of files and consoles: embeddings and labels in, an
 * immutable {@link Result} out. Two protocols:
 * <ul>
 * <li>{@link #allAgainstAll}: every image is a query against all the others (SOP, CUB, Cars;
 * docs/ORIGINAL.md §7);</li>
 * <li>{@link #queryAgainstReference}: a query set against a separate reference (gallery) set
 * (In-Shop Clothes), as pytorch-metric-learning's {@code get_accuracy(query, reference, …)}.</li>
 * </ul>
 * Embeddings follow the one rule of {@link Embeddings}: finite (else a {@link DataException} naming
 * the row), cosine similarity of L2-normalised rows, a zero row has cosine 0 to everything.
 */
public final class RetrievalEvaluator {
    private RetrievalEvaluator() {
    }

    /**
     * The metrics and the neighbour lists behind them.
     *
     * @param metrics    Recall@K, MAP@R, R-precision
     * @param neighbours [Q][k] reference indices per query, most similar first
     * @param queries    the normalised query embeddings [Q, D] (for cosines in a report)
     * @param references the normalised reference embeddings [R, D] (the same array as {@code queries}
     *                   for {@link #allAgainstAll})
     */
    public record Result(RetrievalMetrics metrics, int[][] neighbours, INDArray queries, INDArray references) {
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
        Retrieval.requireQueries(labels.length, source);
        INDArray x = Embeddings.normalizeRows(embeddings);
        int[][] nn = NearestNeighbours.searchNormalized(x, RetrievalMetrics.neighboursNeeded(labels),
                NearestNeighbours.DEFAULT_BLOCK);
        return new Result(RetrievalMetrics.fromNeighbours(nn, labels), nn, x, x);
    }

    /**
     * Each query against the reference set.
     *
     * @param queries         [Q, D]
     * @param queryLabels     Q labels
     * @param references      [R, D], the same width
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
        return new Result(RetrievalMetrics.fromNeighbours(nn, queryLabels, referenceLabels, false), nn, q, r);
    }
}
