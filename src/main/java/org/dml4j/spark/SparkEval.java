package org.dml4j.spark;

import java.io.PrintWriter;
import java.io.Serializable;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.dml4j.error.DataException;
import org.dml4j.error.UsageException;
import org.dml4j.eval.LabelFile;
import org.dml4j.retrieval.Embeddings;
import org.dml4j.retrieval.GalleryMetrics;
import org.dml4j.retrieval.GalleryRanking;
import org.dml4j.retrieval.NearestNeighbours;
import org.dml4j.retrieval.RetrievalEvaluator;
import org.dml4j.retrieval.RetrievalMetrics;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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

    /** A contiguous slice of the ordered rows, normalised, kept in an executor's memory. */
    static final class Part implements Serializable {
        private static final long serialVersionUID = 1L;
        final int first;
        final int rows;
        final int width;
        final float[] data;
        private transient INDArray matrix;

        Part(int first, int rows, int width, float[] data) {
            this.first = first;
            this.rows = rows;
            this.width = width;
            this.data = data;
        }

        /** [rows, width] over {@link #data}, created once per executor. */
        synchronized INDArray matrix() {
            if (matrix == null) {
                matrix = Nd4j.create(data, new long[] {rows, width}, DataType.FLOAT);
            }
            return matrix;
        }
    }

    /** Rows ordered by path with their labels (and cameras, for re-ID), cut into parts. */
    record Loaded(JavaRDD<Part> parts, int n, int width, long[] labels, long[] cameras, String source) {
    }

    /** Sends row i to partition ⌊i·P/N⌋: contiguous, nearly equal slices for any N and P. */
    static final class Contiguous extends Partitioner {
        private final int partitions;
        private final long n;

        Contiguous(int partitions, long n) {
            this.partitions = partitions;
            this.n = n;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            return (int) ((Long) key * partitions / n);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Contiguous c && c.partitions == partitions && c.n == n;
        }

        @Override
        public int hashCode() {
            return partitions * 31 + Long.hashCode(n);
        }
    }

    static Loaded load(SparkSession spark, String path, int partitions) {
        Dataset<Row> df;
        try {
            df = spark.read().parquet(path);
        } catch (Exception e) {         // Spark throws its checked SparkException undeclared
            throw new DataException(path + ": not a Parquet dataset of embeddings (" + e.getMessage() + ")", e);
        }
        List<String> columns = Arrays.asList(df.columns());
        for (String c : new String[] {"path", "label", "embedding"}) {
            if (!columns.contains(c)) {
                throw new DataException(path + ": no column '" + c + "' (spark infer writes path, label, embedding;"
                        + " found " + columns + ")");
            }
        }
        boolean cameras = columns.contains("camera");
        Dataset<Row> ordered = (cameras ? df.select("path", "label", "embedding", "camera")
                : df.select("path", "label", "embedding")).orderBy("path", "label");
        JavaPairRDD<Long, Row> indexed = ordered.javaRDD().zipWithIndex().mapToPair(t -> new Tuple2<>(t._2(), t._1()));
        List<Tuple2<Long, long[]>> meta = indexed.mapValues(r -> new long[] {((Number) r.get(1)).longValue(),
            cameras ? ((Number) r.get(3)).longValue() : 0, r.getList(2).size()}).collect();
        int n = meta.size();
        if (n == 0) {
            throw new DataException(path + ": no rows");
        }
        long[] labels = new long[n];
        long[] cams = cameras ? new long[n] : null;
        int width = (int) meta.get(0)._2()[2];
        for (Tuple2<Long, long[]> m : meta) {
            int i = (int) (long) m._1();
            labels[i] = m._2()[0];
            if (cams != null) {
                cams[i] = m._2()[1];
            }
            if (m._2()[2] != width) {
                throw new DataException(path + ": row " + i + " (by path) has an embedding of " + m._2()[2]
                        + " values, row 0 of " + width);
            }
        }
        int p = Math.min(partitions, n);
        JavaRDD<Part> parts = indexed.partitionBy(new Contiguous(p, n)).mapPartitions(it -> {
            List<Tuple2<Long, Row>> rows = new ArrayList<>();
            it.forEachRemaining(rows::add);
            if (rows.isEmpty()) {
                return Collections.emptyIterator();
            }
            rows.sort((a, b) -> Long.compare(a._1(), b._1()));
            float[] data = new float[rows.size() * width];
            for (int r = 0; r < rows.size(); r++) {
                List<Object> e = rows.get(r)._2().getList(2);
                for (int c = 0; c < width; c++) {
                    data[r * width + c] = ((Number) e.get(c)).floatValue();
                }
            }
            INDArray x = Nd4j.create(data, new long[] {rows.size(), width}, DataType.FLOAT);
            int first = (int) (long) rows.get(0)._1();
            Embeddings.requireFinite(x, path, r -> "row " + (first + r) + " (" + rows.get(r)._2().getString(0) + ")");
            Embeddings.normalizeRows(x);
            return List.of(new Part(first, rows.size(), width, x.data().asFloat())).iterator();
        });
        parts.persist(StorageLevel.MEMORY_ONLY());
        parts.count();
        return new Loaded(parts, n, width, labels, cams, path);
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
        Loaded g = load(spark, job.embeddings(), job.partitions());
        RetrievalEvaluator.requireQueries(g.n, g.source);
        int[] labels = LabelFile.dense(g.labels);
        int k = RetrievalMetrics.neighboursNeeded(labels, job.largestK());
        Map<Integer, Integer> counts = new HashMap<>();
        for (int l : labels) {
            counts.merge(l, 1, Integer::sum);
        }
        Broadcast<int[]> labelsB = sc.broadcast(labels);
        Broadcast<Map<Integer, Integer>> countsB = sc.broadcast(counts);
        int partRows = (g.n + g.parts.getNumPartitions() - 1) / g.parts.getNumPartitions();
        int block = (int) Math.max(1, Math.min(job.queryBlock(), MAX_BLOCK_VALUES / partRows));
        out.printf(Locale.ROOT, "%d embeddings of width %d in %d partitions; queries in blocks of %d, %d neighbours"
                + " each%n", g.n, g.width, g.parts.getNumPartitions(), block, k);
        out.flush();
        RetrievalMetrics.QueryResult[] results = new RetrievalMetrics.QueryResult[g.n];
        int width = g.width;
        for (int from = 0; from < g.n; from += block) {
            int to = Math.min(g.n, from + block);
            Broadcast<float[]> q = sc.broadcast(queryRows(g, from, to));
            int qFrom = from;
            List<Tuple2<Integer, RetrievalMetrics.QueryResult>> got = g.parts
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
        g.parts.unpersist(false);
        return RetrievalMetrics.aggregate(results, g.n - 1, job.largestK());
    }

    /** Rows [from, to) of the ordered, normalised embeddings, fetched from the parts holding them. */
    private static float[] queryRows(Loaded g, int from, int to) {
        int width = g.width;
        List<float[]> pieces = g.parts.map(p -> {
            int a = Math.max(from, p.first);
            int b = Math.min(to, p.first + p.rows);
            return a >= b ? new float[0] : Arrays.copyOfRange(p.data, (a - p.first) * width, (b - p.first) * width);
        }).collect();
        float[] rows = new float[(to - from) * width];
        int at = 0;
        for (float[] piece : pieces) {     // parts in index order, so pieces are too
            System.arraycopy(piece, 0, rows, at, piece.length);
            at += piece.length;
        }
        return rows;
    }

    /** Each query's best k keys among one part's rows. */
    private static Iterator<Tuple2<Integer, long[]>> candidates(Part part, float[] queries, int from, int count,
                                                                int width, int k) {
        INDArray sims = similarities(part, queries, width);
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
        Loaded qs = load(spark, job.embeddings(), job.partitions());
        Loaded g = load(spark, job.galleryEmbeddings(), job.partitions());
        if (qs.width != g.width) {
            throw new DataException("queries are " + qs.width + " wide but the gallery " + g.width
                    + ": embeddings of different models?");
        }
        if ((qs.cameras == null) != (g.cameras == null)) {
            throw new DataException("only one of " + qs.source + " and " + g.source + " has a camera column");
        }
        int[][] labels = LabelFile.denseTogether(qs.labels, g.labels);
        for (int i = 0; i < labels[0].length; i++) {
            if (labels[0][i] < 0) {
                throw new DataException(qs.source + ": query row " + i + " (by path) has the label -1 (junk); only"
                        + " gallery entries can be junk");
            }
        }
        int[][] cams = qs.cameras == null ? null : LabelFile.denseTogether(qs.cameras, g.cameras);
        Broadcast<int[]> gl = sc.broadcast(labels[1]);
        Broadcast<int[]> gc = sc.broadcast(cams == null ? null : cams[1]);
        int partRows = (g.n + g.parts.getNumPartitions() - 1) / g.parts.getNumPartitions();
        int block = (int) Math.max(1, Math.min(job.queryBlock(), MAX_BLOCK_VALUES / partRows));
        out.printf(Locale.ROOT, "%d queries against %d gallery embeddings in %d partitions; queries in blocks of %d%n",
                qs.n, g.n, g.parts.getNumPartitions(), block);
        out.flush();
        int[] firstRank = new int[qs.n];
        double[] ap = new double[qs.n];
        for (int from = 0; from < qs.n; from += block) {
            int to = Math.min(qs.n, from + block);
            int count = to - from;
            Broadcast<float[]> q = sc.broadcast(queryRows(qs, from, to));
            Broadcast<int[]> ql = sc.broadcast(Arrays.copyOfRange(labels[0], from, to));
            Broadcast<int[]> qc = sc.broadcast(cams == null ? null : Arrays.copyOfRange(cams[0], from, to));
            int width = g.width;
            // pass 1: every query's relevant entries (valid, its identity), as keys, sorted
            Map<Integer, long[]> relevant = new HashMap<>(g.parts.flatMapToPair(part -> relevantKeys(part, q.value(),
                    ql.value(), qc.value(), gl.value(), gc.value(), width)).reduceByKey(SparkEval::concatSorted)
                    .collectAsMap());
            Broadcast<Map<Integer, long[]>> rel = sc.broadcast(relevant);
            // pass 2: how many valid non-relevant entries fall before each relevant one
            Map<Integer, int[]> before = g.parts.flatMapToPair(part -> countsBefore(part, q.value(), ql.value(),
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
        qs.parts.unpersist(false);
        g.parts.unpersist(false);
        return GalleryRanking.aggregate(firstRank, ap);
    }

    /** The block's cosines to the part's rows [queries, part rows] (both normalised): one sgemm. */
    private static INDArray similarities(Part part, float[] queries, int width) {
        int count = queries.length / width;
        INDArray q = Nd4j.create(queries, new long[] {count, width}, DataType.FLOAT);
        INDArray sims = Nd4j.create(DataType.FLOAT, count, part.rows);
        Nd4j.gemm(q, part.matrix(), sims, false, true, 1.0, 0.0);
        q.close();
        return sims;
    }

    private static Iterator<Tuple2<Integer, long[]>> relevantKeys(Part part, float[] queries, int[] ql, int[] qc,
                                                                  int[] gl, int[] gc, int width) {
        INDArray sims = similarities(part, queries, width);
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
        INDArray sims = similarities(part, queries, width);
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
