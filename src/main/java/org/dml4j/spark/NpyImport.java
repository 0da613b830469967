package org.dml4j.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import org.dml4j.data.TextLines;
import org.dml4j.error.DataException;
import org.dml4j.error.UsageException;
import org.dml4j.eval.Npy;

/**
 * Single-JVM {@code infer --output DIR} (features.npy, labels.txt, paths.txt) as the Parquet
 * dataset the Spark jobs read, written by the executors: each task reads its rows of
 * features.npy directly (so no machine holds all of them), for embeddings made on one machine
 * and evaluated on a cluster.
 */
public final class NpyImport {
    private NpyImport() {
    }

    /**
     * @param dir        infer's output folder
     * @param output     the Parquet dataset to write (must not exist)
     * @param partitions tasks (and files)
     * @return rows written
     * @throws DataException when the folder is not infer's layout (a float32 C-order [N, D] .npy and
     *                       N labels and paths)
     */
    public static long run(SparkSession spark, String dir, String output, int partitions, PrintWriter out) {
        if (partitions < 1) {
            throw new UsageException("--partitions must be >= 1, got " + partitions);
        }
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        if (HadoopFiles.exists(output, conf)) {
            throw new UsageException("--output " + output + " already exists; choose a new folder");
        }
        String npy = HadoopFiles.resolve(dir, "features.npy");
        Npy.Float32Matrix header = header(npy, conf);
        int n = (int) header.rows();
        int dim = (int) header.cols();
        long offset = header.dataStart();
        String labelsFile = HadoopFiles.resolve(dir, "labels.txt");
        String pathsFile = HadoopFiles.resolve(dir, "paths.txt");
        List<String> labels = TextLines.lines(HadoopFiles.readOrFail(labelsFile, "labels", conf), labelsFile);
        List<String> paths = TextLines.lines(HadoopFiles.readOrFail(pathsFile, "paths", conf), pathsFile);
        if (labels.size() != n || paths.size() != n) {
            throw new DataException(dir + ": " + n + " feature rows, " + labels.size() + " labels and " + paths.size()
                    + " paths (infer writes one of each per image)");
        }
        List<Object[]> meta = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            try {
                meta.add(new Object[] {i, paths.get(i), Long.parseLong(labels.get(i).strip())});
            } catch (NumberFormatException e) {
                throw new DataException(labelsFile + ":" + (i + 1) + ": expected an integer label, got '"
                        + labels.get(i) + "'");
            }
        }
        SerializableConfiguration hadoop = new SerializableConfiguration(conf);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        var rows = sc.parallelize(meta, Math.min(partitions, n)).mapPartitions(it -> {
            List<Object[]> part = new ArrayList<>();
            it.forEachRemaining(part::add);
            List<Row> result = new ArrayList<>(part.size());
            if (part.isEmpty()) {
                return result.iterator();
            }
            Path p = new Path(npy);
            FileSystem fs = p.getFileSystem(hadoop.value());
            byte[] bytes = new byte[part.size() * dim * 4];
            try (FSDataInputStream in = fs.open(p)) {
                in.readFully(offset + (long) (Integer) part.get(0)[0] * dim * 4, bytes);
            }
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (Object[] m : part) {
                float[] e = new float[dim];
                b.asFloatBuffer().get(e);
                b.position(b.position() + dim * 4);
                result.add(RowFactory.create(m[1], m[2], e));
            }
            return result.iterator();
        });
        try {
            spark.createDataFrame(rows, SparkInfer.SCHEMA).write().mode(SaveMode.ErrorIfExists).parquet(output);
        } catch (Exception e) {         // Spark throws its checked SparkException undeclared
            throw SparkInfer.dataErrorIn(e);
        }
        out.printf(Locale.ROOT, "wrote %d embeddings of width %d to %s%n", n, dim, output);
        out.flush();
        return n;
    }

    /** {N, D, offset of the data} of a float32 C-order 2-d .npy file. */
    private static Npy.Float32Matrix header(String npy, Configuration conf) {
        Path p = new Path(npy);
        try (InputStream in = p.getFileSystem(conf).open(p)) {
            return Npy.float32Matrix(in.readNBytes(Npy.HEADER_BYTES), npy);
        } catch (IOException e) {
            throw new DataException(npy + ": cannot read: " + e.getMessage(), e);
        }
    }
}
