package org.dml4j.retrieval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Query-against-gallery retrieval quality as person re-identification and In-Shop Clothes
 * retrieval report it (immutable; docs/PROTOCOLS.md "Query and gallery").
 *
 * <p>Per query, the gallery is ranked by cosine similarity (ties to the lower gallery index) after
 * leaving out the entries that are not <em>valid</em> for it: junk entries (gallery label −1) and,
 * when cameras are given, entries with the query's identity <em>and</em> camera (Zheng et al.,
 * "Scalable Person Re-identification: A Benchmark", ICCV 2015). The <em>relevant</em> entries are the
 * valid ones with the query's identity.
 * <ul>
 * <li>CMC rank-K: the share of queries whose first relevant entry is among the first K valid
 * entries; it equals the Recall@K that In-Shop papers report.</li>
 * <li>mAP: per query AP = (1/#relevant) Σ_k precision@k · rel_k over the whole valid ranking, averaged
 * over the queries; as torchreid's {@code eval_market1501}.</li>
 * </ul>
 * Both are averaged over the <em>valid queries</em>: those with at least one relevant entry (a
 * query whose only matches are junk or share its camera cannot be scored and is left out, as in
 * torchreid).
 *
 * @param queries      number of queries
 * @param validQueries queries with at least one relevant gallery entry
 * @param cmc          K → CMC rank-K, K ∈ {@link #RANKS}, in that order (NaN when no query is valid)
 * @param meanAveragePrecision mAP (NaN when no query is valid)
 */
public record GalleryMetrics(int queries, int validQueries, Map<Integer, Double> cmc, double meanAveragePrecision) {
    /** The ranks K reported: re-ID's 1, 5, 10 and In-Shop's 20, 50. */
    public static final int[] RANKS = {1, 5, 10, 20, 50};

    public GalleryMetrics {
        cmc = Collections.unmodifiableMap(new LinkedHashMap<>(cmc));
    }

    /** CMC rank-1 (= Recall@1). */
    public double rank1() {
        return cmc.get(1);
    }
}
