package org.dml4j.spark;

import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.dml4j.error.DataException;
import org.dml4j.error.UsageException;
import org.dml4j.eval.LabelFile;
import org.dml4j.retrieval.Embeddings;
import org.dml4j.retrieval.GalleryMetrics;
import org.dml4j.retrieval.GalleryRanking;
import org.dml4j.retrieval.NearestNeighbours;
import org.dml4j.retrieval.RetrievalEvaluator;
import org.dml4j.retrieval.RetrievalMetrics;
import org.dml4j.spark.PartitionedEmbeddings.Loaded;
import org.dml4j.spark.PartitionedEmbeddings.Part;
import org.nd4j.linalg.api.ndarray.INDArray;
import scala.Tuple2;

/**
 * {@code eval} on Spark (docs/SCALE.md): exact retrieval metrics of a Parquet dataset of embeddings
 * ({@link SparkInfer}'s columns {@code path}, {@code label}, {@code embedding}).
 *
 * <p>Rows are ordered by path (then label), which fixes every index and so the tie rule (equal
 * similarities go to the lower index). The gallery is cut into contiguous partitions held in the
 * executors' memory, L2-normalised as {@link Embeddings} does. Queries go in blocks: each block is
 * broadcast, every partition finds each query's best candidates among its rows with the same gemm
 * and selection as the single-JVM search ({@link NearestNeighbours#topKeys}), and the lists are
 * merged by key, which gives exactly the single-JVM neighbours. Each query's contribution is computed
 * on the executors; the driver sums them in query order ({@link RetrievalMetrics#aggregate}), so the
 * metrics equal single-JVM {@code eval} on the same rows in that order to the last bit.
 *
 * <p>Memory: a partition holds its rows (G/P × D floats) and, per block, a B × G/P similarity
 * matrix (B chosen so that it stays under 256 MB); the driver holds the labels (4 bytes a row) and
 * one query block.
 */
public final class SparkEval {
    /** Similarities one task holds at once (as the single-JVM gallery search). */
    static final long MAX_BLOCK_VALUES = 1L << 26;

    private SparkEval() {
    }

    /**
     * What to evaluate.
     *
     * @param embeddings        Parquet dataset of the queries (the SOP protocol: of every image)
     * @param galleryEmbeddings Parquet dataset of the gallery (query/gallery protocol), or null
     * @param partitions        gallery partitions
     * @param queryBlock        queries per block at most
     * @param largestK          the largest K of Recall@K wanted (1000 as single-JVM eval; smaller K
     *                          shrinks the shuffle, N × partitions × K × 8 bytes)
     */
    public record Job(String embeddings, String galleryEmbeddings, int partitions, int queryBlock, int largestK) {
        /** Recall@K up to 1000, as single-JVM eval. */
        public Job(String embeddings, String galleryEmbeddings, int partitions, int queryBlock) {
            this(embeddings, galleryEmbeddings, partitions, queryBlock, 1000);
        }

        public Job {
            if (largestK < 1) {
                throw new UsageException("--largest_k must be >= 1, got " + largestK);
            }
            if (embeddings == null) {
                throw new UsageException("--embeddings is required: a Parquet dataset written by spark infer");
            }
            if (partitions < 1) {
                throw new UsageException("--partitions must be >= 1, got " + partitions);
            }
            if (queryBlock < 1) {
                throw new UsageException("--query_block must be >= 1, got " + queryBlock);
            }
        }
    }

    /**
     * Runs the job: the SOP protocol without a gallery, else the query/gallery protocol.
     *
     * @return the metrics ({@link RetrievalMetrics} or {@link GalleryMetrics})
     */
    public static Object run(SparkSession spark, Job job, PrintWriter out) {
        try {
            return job.galleryEmbeddings() == null ? allAgainstAll(spark, job, out) : queryGallery(spark, job, out);
        } catch (Exception e) {         // Spark throws its checked SparkException undeclared
            throw SparkInfer.dataErrorIn(e);
        }
    }

    private static RetrievalMetrics allAgainstAll(SparkSession spark, Job job, PrintWriter out) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Loaded g = PartitionedEmbeddings.load(spark, job.embeddings(), job.partitions());
        RetrievalEvaluator.requireQueries(g.n(), g.source());
        int[] labels = LabelFile.dense(g.labels());
        int k = RetrievalMetrics.neighboursNeeded(labels, job.largestK());
        Map<Integer, Integer> counts = new HashMap<>();
        for (int l : labels) {
            counts.merge(l, 1, Integer::sum);
        }
        Broadcast<int[]> labelsB = sc.broadcast(labels);
        Broadcast<Map<Integer, Integer>> countsB = sc.broadcast(counts);
        int block = blockRows(g, job.queryBlock());
        out.printf(Locale.ROOT, "%d embeddings of width %d in %d partitions; queries in blocks of %d, %d neighbours"
                + " each%n", g.n(), g.width(), g.parts().getNumPartitions(), block, k);
        out.flush();
        RetrievalMetrics.QueryResult[] results = new RetrievalMetrics.QueryResult[g.n()];
        int width = g.width();
        for (int from = 0; from < g.n(); from += block) {
            int to = Math.min(g.n(), from + block);
            Broadcast<float[]> q = sc.broadcast(PartitionedEmbeddings.queryRows(g, from, to));
            int qFrom = from;
            List<Tuple2<Integer, RetrievalMetrics.QueryResult>> got = g.parts()
                    .flatMapToPair(part -> candidates(part, q.value(), qFrom, to - qFrom, width, k))
                    .reduceByKey((a, b) -> merge(a, b, k))
                    .map(t -> {
                        int[] nn = Arrays.stream(t._2()).mapToInt(NearestNeighbours::indexOf).toArray();
                        int label = labelsB.value()[t._1()];
                        return new Tuple2<>(t._1(), RetrievalMetrics.score(nn, labelsB.value(), label,
                                countsB.value().get(label) - 1));
                    }).collect();
            for (Tuple2<Integer, RetrievalMetrics.QueryResult> t : got) {
                results[t._1()] = t._2();
            }
            q.destroy();
        }
        g.parts().unpersist(false);
        return RetrievalMetrics.aggregate(results, g.n() - 1, job.largestK());
    }

    /** Each query's best k keys among one part's rows. */
    private static Iterator<Tuple2<Integer, long[]>> candidates(Part part, float[] queries, int from, int count,
                                                                int width, int k) {
        INDArray sims = PartitionedEmbeddings.similarities(part, queries, width);
        FloatBuffer flat = sims.data().asNioFloat();
        List<Tuple2<Integer, long[]>> out = new ArrayList<>(count);
        for (int r = 0; r < count; r++) {
            int query = from + r;
            int self = query >= part.first && query < part.first + part.rows ? query - part.first : -1;
            int kk = Math.min(k, part.rows - (self >= 0 ? 1 : 0));
            if (kk > 0) {
                out.add(new Tuple2<>(query, NearestNeighbours.topKeys(flat, r * part.rows, part.rows, self, kk,
                        part.first)));
            }
        }
        sims.close();
        return out.iterator();
    }

    /**
     * Queries per block: at most {@code queryBlock}, and few enough that a part's similarity block
     * stays under {@link #MAX_BLOCK_VALUES}.
     */
    private static int blockRows(Loaded gallery, int queryBlock) {
        int parts = gallery.parts().getNumPartitions();
        int partRows = (gallery.n() + parts - 1) / parts;
        return (int) Math.max(1, Math.min(queryBlock, MAX_BLOCK_VALUES / partRows));
    }

    /** The k smallest keys of two ascending lists. */
    static long[] merge(long[] a, long[] b, int k) {
        long[] m = new long[Math.min(k, a.length + b.length)];
        int i = 0;
        int j = 0;
        for (int o = 0; o < m.length; o++) {
            m[o] = j >= b.length || i < a.length && a[i] < b[j] ? a[i++] : b[j++];
        }
        return m;
    }

    private static GalleryMetrics queryGallery(SparkSession spark, Job job, PrintWriter out) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Loaded qs = PartitionedEmbeddings.load(spark, job.embeddings(), job.partitions());
        Loaded g = PartitionedEmbeddings.load(spark, job.galleryEmbeddings(), job.partitions());
        if (qs.width() != g.width()) {
            throw new DataException("queries are " + qs.width() + " wide but the gallery " + g.width()
                    + ": embeddings of different models?");
        }
        if ((qs.cameras() == null) != (g.cameras() == null)) {
            throw new DataException("only one of " + qs.source() + " and " + g.source() + " has a camera column");
        }
        int[][] labels = LabelFile.denseTogether(qs.labels(), g.labels());
        for (int i = 0; i < labels[0].length; i++) {
            if (labels[0][i] < 0) {
                throw new DataException(qs.source() + ": query row " + i + " (by path) has the label -1 (junk); only"
                        + " gallery entries can be junk");
            }
        }
        int[][] cams = qs.cameras() == null ? null : LabelFile.denseTogether(qs.cameras(), g.cameras());
        Broadcast<int[]> gl = sc.broadcast(labels[1]);
        Broadcast<int[]> gc = sc.broadcast(cams == null ? null : cams[1]);
        int block = blockRows(g, job.queryBlock());
        out.printf(Locale.ROOT, "%d queries against %d gallery embeddings in %d partitions; queries in blocks of %d%n",
                qs.n(), g.n(), g.parts().getNumPartitions(), block);
        out.flush();
        int[] firstRank = new int[qs.n()];
        double[] ap = new double[qs.n()];
        for (int from = 0; from < qs.n(); from += block) {
            int to = Math.min(qs.n(), from + block);
            int count = to - from;
            Broadcast<float[]> q = sc.broadcast(PartitionedEmbeddings.queryRows(qs, from, to));
            Broadcast<int[]> ql = sc.broadcast(Arrays.copyOfRange(labels[0], from, to));
            Broadcast<int[]> qc = sc.broadcast(cams == null ? null : Arrays.copyOfRange(cams[0], from, to));
            int width = g.width();
            // pass 1: every query's relevant entries (valid, its identity), as keys, sorted
            Map<Integer, long[]> relevant = new HashMap<>(g.parts().flatMapToPair(part -> relevantKeys(part, q.value(),
                    ql.value(), qc.value(), gl.value(), gc.value(), width)).reduceByKey(SparkEval::concatSorted)
                    .collectAsMap());
            Broadcast<Map<Integer, long[]>> rel = sc.broadcast(relevant);
            // pass 2: how many valid non-relevant entries fall before each relevant one
            Map<Integer, int[]> before = g.parts().flatMapToPair(part -> countsBefore(part, q.value(), ql.value(),
                    gl.value(), rel.value(), width)).reduceByKey(SparkEval::sum).collectAsMap();
            for (int r = 0; r < count; r++) {
                long[] keys = relevant.get(r);
                if (keys == null) {
                    firstRank[from + r] = -1;
                    continue;
                }
                double[] s = GalleryRanking.fromRanks(before.getOrDefault(r, new int[keys.length + 1]), keys.length);
                firstRank[from + r] = (int) s[0];
                ap[from + r] = s[1];
            }
            q.destroy();
            rel.destroy();
        }
        qs.parts().unpersist(false);
        g.parts().unpersist(false);
        return GalleryRanking.aggregate(firstRank, ap);
    }

    private static Iterator<Tuple2<Integer, long[]>> relevantKeys(Part part, float[] queries, int[] ql, int[] qc,
                                                                  int[] gl, int[] gc, int width) {
        INDArray sims = PartitionedEmbeddings.similarities(part, queries, width);
        FloatBuffer flat = sims.data().asNioFloat();
        List<Tuple2<Integer, long[]>> out = new ArrayList<>();
        for (int r = 0; r < ql.length; r++) {
            long[] keys = new long[8];
            int m = 0;
            for (int c = 0; c < part.rows; c++) {
                int j = part.first + c;
                if (gl[j] == ql[r] && !(qc != null && gc[j] == qc[r])) {
                    if (m == keys.length) {
                        keys = Arrays.copyOf(keys, 2 * m);
                    }
                    keys[m++] = NearestNeighbours.rankKey(flat.get(r * part.rows + c), j);
                }
            }
            if (m > 0) {
                long[] k = Arrays.copyOf(keys, m);
                Arrays.sort(k);
                out.add(new Tuple2<>(r, k));
            }
        }
        sims.close();
        return out.iterator();
    }

    private static Iterator<Tuple2<Integer, int[]>> countsBefore(Part part, float[] queries, int[] ql, int[] gl,
                                                                 Map<Integer, long[]> relevant, int width) {
        INDArray sims = PartitionedEmbeddings.similarities(part, queries, width);
        FloatBuffer flat = sims.data().asNioFloat();
        List<Tuple2<Integer, int[]>> out = new ArrayList<>();
        for (int r = 0; r < ql.length; r++) {
            long[] keys = relevant.get(r);
            if (keys == null) {
                continue;
            }
            int[] before = new int[keys.length + 1];
            for (int c = 0; c < part.rows; c++) {
                int j = part.first + c;
                int l = gl[j];
                if (l == ql[r] || l == RetrievalEvaluator.JUNK) {
                    continue;       // relevant, left out with the query's camera, or junk
                }
                int at = Arrays.binarySearch(keys, NearestNeighbours.rankKey(flat.get(r * part.rows + c), j));
                before[-at - 1]++;
            }
            out.add(new Tuple2<>(r, before));
        }
        sims.close();
        return out.iterator();
    }

    private static long[] concatSorted(long[] a, long[] b) {
        return merge(a, b, a.length + b.length);
    }

    private static int[] sum(int[] a, int[] b) {
        int[] s = a.clone();
        for (int i = 0; i < s.length; i++) {
            s[i] += b[i];
        }
        return s;
    }
}
