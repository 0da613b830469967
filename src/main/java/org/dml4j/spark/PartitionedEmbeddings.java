package org.dml4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.dml4j.error.DataException;
import org.dml4j.retrieval.Embeddings;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import scala.Tuple2;

/**
 * The embeddings a Spark eval job works on: a Parquet dataset (columns path, label, embedding, and
 * an optional camera) ordered by path, then label — the order that fixes every index and so the
 * tie rule — and cut into contiguous parts that the executors cache, L2-normalised as
 * {@link Embeddings} does (docs/SCALE.md "How eval works").
 */
final class PartitionedEmbeddings {
    private PartitionedEmbeddings() {
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

    /**
     * Reads a Parquet dataset of embeddings, orders its rows by path (then label), and caches them
     * normalised in {@code partitions} contiguous parts.
     *
     * @throws DataException for a path that is not such a dataset, widths that differ or non-finite values
     */
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

    /** Rows [from, to) of the ordered, normalised embeddings, fetched from the parts holding them. */
    static float[] queryRows(Loaded g, int from, int to) {
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

    /** The block's cosines to the part's rows [queries, part rows] (both normalised): one sgemm. */
    static INDArray similarities(Part part, float[] queries, int width) {
        int count = queries.length / width;
        INDArray q = Nd4j.create(queries, new long[] {count, width}, DataType.FLOAT);
        INDArray sims = Nd4j.create(DataType.FLOAT, count, part.rows);
        Nd4j.gemm(q, part.matrix(), sims, false, true, 1.0, 0.0);
        q.close();
        return sims;
    }
}
