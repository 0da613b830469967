package org.dml4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.cli.CommandLineTest;
import org.dml4j.data.ImageShape;
import org.dml4j.data.Split;
import org.dml4j.data.TestData;
import org.dml4j.error.DataException;
import org.dml4j.eval.LabelFile;
import org.dml4j.eval.Npy;
import org.dml4j.model.CheckpointInfo;
import org.dml4j.model.Checkpoints;
import org.dml4j.model.ResNet;
import org.dml4j.model.TestNetworks;
import org.dml4j.retrieval.GalleryMetrics;
import org.dml4j.retrieval.RetrievalEvaluator;
import org.dml4j.retrieval.RetrievalMetrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Spark jobs in local mode against the single-JVM commands: infer's embeddings (≤ 1e-6 after
 * sorting by path), eval's metrics (equal to the last bit), a partition count that does not divide
 * N, a task that fails once and is retried, bad images, and an export folder as the model.
 */
class SparkJobsTest {
    @TempDir
    static Path dir;
    static Path data;
    static Path ckpt;
    static SparkSession spark;
    static float[][] single;         // infer's embeddings, rows in path order
    static String[] paths;
    static long[] labels;

    @BeforeAll
    static void setUp() throws IOException {
        data = TestData.stripes(dir.resolve("data"), 5, 1, 7, 16, 4);       // 35 test images
        ComputationGraph net = TestNetworks.trained(ResNet.RESNET18, 16, 0, DataType.FLOAT, 5);
        CheckpointInfo info = new CheckpointInfo(CheckpointInfo.FORMAT, 1, "ResNet18", new ImageShape(3, 16, 16), 0,
                false, "pool5", null, List.of(new CheckpointInfo.DataList("test",
                data.resolve(Split.TEST.listFileName()).toString(), "ab".repeat(32), 35, 5)),
                CheckpointInfo.versionsNow(), Instant.now());
        ckpt = Checkpoints.save(net, dir.resolve("out"), info);
        CommandLineTest.Run infer = CommandLineTest.run("infer", "--use_gpu=False", "--data_dir", data.toString(),
                "--pretrained_model", ckpt.toString(), "--output", dir.resolve("single").toString());
        assertEquals(0, infer.code(), infer.err());
        INDArray f = Npy.read(dir.resolve("single/features.npy"));
        List<String> p = Files.readAllLines(dir.resolve("single/paths.txt"));
        List<String> l = Files.readAllLines(dir.resolve("single/labels.txt"));
        Integer[] order = IntStream.range(0, p.size()).boxed().sorted(Comparator.comparing(p::get)).toArray(Integer[]::new);
        single = new float[order.length][];
        paths = new String[order.length];
        labels = new long[order.length];
        for (int i = 0; i < order.length; i++) {
            single[i] = f.getRow(order[i]).toFloatVector();
            paths[i] = p.get(order[i]);
            labels[i] = Long.parseLong(l.get(order[i]));
        }
        spark = SparkSession.builder().master("local[2,3]").appName("dml4j test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "3").getOrCreate();
    }

    @AfterAll
    static void tearDown() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static String run(java.util.function.Consumer<PrintWriter> job) {
        StringWriter s = new StringWriter();
        try (PrintWriter out = new PrintWriter(s)) {
            job.accept(out);
        }
        return s.toString();
    }

    /** The dataset's rows ordered by path: {path, label, embedding}. */
    private static List<Row> rows(String parquet) {
        return spark.read().parquet(parquet).orderBy("path").collectAsList();
    }

    @Test
    void inferEqualsTheSingleJvmInferAndEvalItsMetricsToTheLastBit() {
        String out = dir.resolve("spark-infer").toString();
        String said = run(o -> SparkInfer.run(spark, new SparkInfer.Job(data.toString(), null, ckpt.toString(), out,
                4, 4, false), o));        // 4 partitions of 35 images, batches of 4
        assertTrue(said.contains("wrote 35 embeddings"), said);
        List<Row> rows = rows(out);
        assertEquals(35, rows.size());
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(paths[i], rows.get(i).getString(0));
            assertEquals(labels[i], rows.get(i).getLong(1));
            List<Object> e = rows.get(i).getList(2);
            for (int c = 0; c < single[i].length; c++) {
                worst = Math.max(worst, Math.abs(((Float) e.get(c)) - single[i][c]));
                scale = Math.max(scale, Math.abs(single[i][c]));
            }
        }
        // batches of 4 here, infer's default there: DL4J's convolutions round differently per batch size
        assertTrue(worst / scale <= 1e-6, "largest difference " + worst + " of values up to " + scale);

        RetrievalMetrics want = RetrievalEvaluator.allAgainstAll(Nd4j.createFromArray(single),
                LabelFile.dense(labels), "single").metrics();
        for (int[] partsAndBlock : new int[][] {{3, 7}, {1, 1024}, {35, 2}}) {
            RetrievalMetrics got = (RetrievalMetrics) SparkEval.run(spark, new SparkEval.Job(out, null, partsAndBlock[0],
                    partsAndBlock[1]), new PrintWriter(new StringWriter()));
            assertEquals(want, got, Arrays.toString(partsAndBlock));
        }
        // Recall@K only up to 10: fewer candidates, the same Recall@1, @10 and MAP@R
        RetrievalMetrics up10 = (RetrievalMetrics) SparkEval.run(spark, new SparkEval.Job(out, null, 3, 7, 10),
                new PrintWriter(new StringWriter()));
        assertEquals(List.of(1, 10), List.copyOf(up10.recallAtK().keySet()));
        assertEquals(want.recallAtK().get(1), up10.recallAtK().get(1));
        assertEquals(want.recallAtK().get(10), up10.recallAtK().get(10));
        assertEquals(want.mapAtR(), up10.mapAtR());
    }

    @Test
    void importWritesInfersOutputAsTheParquetInferWrites() {
        String out = dir.resolve("imported").toString();
        run(o -> NpyImport.run(spark, dir.resolve("single").toString(), out, 3, o));
        List<Row> rows = rows(out);
        assertEquals(35, rows.size());
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(paths[i], rows.get(i).getString(0));
            assertEquals(labels[i], rows.get(i).getLong(1));
            assertTrue(Arrays.equals(single[i], toFloats(rows.get(i).getList(2))), "row " + i + " bit for bit");
        }
    }

    @Test
    void queryGalleryEqualsTheSingleJvmEvaluatorWithJunkAndCameras() {
        // queries: every fifth image by path; gallery: the rest, the class-105 images junk; cameras by position
        List<Row> q = new java.util.ArrayList<>();
        List<Row> g = new java.util.ArrayList<>();
        List<float[]> qv = new java.util.ArrayList<>();
        List<float[]> gv = new java.util.ArrayList<>();
        for (int i = 0; i < paths.length; i++) {
            float[] e = single[i];
            Float[] boxed = IntStream.range(0, e.length).mapToObj(c -> e[c]).toArray(Float[]::new);
            long camera = i % 3;
            if (i % 5 == 0) {
                q.add(org.apache.spark.sql.RowFactory.create(paths[i], labels[i], Arrays.asList(boxed), camera));
                qv.add(e);
            } else {
                g.add(org.apache.spark.sql.RowFactory.create(paths[i], labels[i] == 105 ? -1L : labels[i],
                        Arrays.asList(boxed), camera));
                gv.add(e);
            }
        }
        org.apache.spark.sql.types.StructType schema = SparkInfer.SCHEMA.add("camera",
                org.apache.spark.sql.types.DataTypes.LongType, false);
        spark.createDataFrame(q, schema).write().parquet(dir.resolve("q").toString());
        spark.createDataFrame(g, schema).write().parquet(dir.resolve("g").toString());

        float[][] qx = qv.toArray(float[][]::new);
        float[][] gx = gv.toArray(float[][]::new);
        long[] ql = q.stream().mapToLong(r -> r.getLong(1)).toArray();
        long[] gl = g.stream().mapToLong(r -> r.getLong(1)).toArray();
        int[][] dense = LabelFile.denseTogether(ql, gl);
        int[] qc = q.stream().mapToInt(r -> (int) r.getLong(3)).toArray();
        int[] gc = g.stream().mapToInt(r -> (int) r.getLong(3)).toArray();
        GalleryMetrics want = RetrievalEvaluator.queryAgainstGallery(Nd4j.createFromArray(qx), dense[0], qc,
                Nd4j.createFromArray(gx), dense[1], gc);
        assertTrue(want.validQueries() > 0 && want.validQueries() < want.queries(), "some queries lose every match");
        GalleryMetrics got = (GalleryMetrics) SparkEval.run(spark, new SparkEval.Job(dir.resolve("q").toString(),
                dir.resolve("g").toString(), 3, 2), new PrintWriter(new StringWriter()));
        assertEquals(want, got);
    }

    private static float[] toFloats(List<Object> list) {
        float[] f = new float[list.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (Float) list.get(i);
        }
        return f;
    }

    @Test
    void aTaskThatFailsOnceIsRetriedAndTheOutputIsComplete() {
        String out = dir.resolve("retried").toString();
        spark.conf().set(SparkInfer.FAIL_FIRST_ATTEMPT, "true");
        try {
            run(o -> SparkInfer.run(spark, new SparkInfer.Job(data.toString(), null, ckpt.toString(), out, 8, 3,
                    false), o));
        } finally {
            spark.conf().unset(SparkInfer.FAIL_FIRST_ATTEMPT);
        }
        List<Row> rows = rows(out);
        assertEquals(35, rows.size());
        assertEquals(35, rows.stream().map(r -> r.getString(0)).distinct().count(), "no image twice");
    }

    @Test
    void aBadImageFailsTheJobNamingItAndLeavesNoOutputOrIsLeftOutWhenAsked() throws IOException {
        Path bad = Files.createDirectories(dir.resolve("bad"));
        for (String line : Files.readAllLines(data.resolve("Ebay_test.txt")).subList(1, 36)) {
            String rel = line.split(" ")[3];
            Files.createDirectories(bad.resolve(rel).getParent());
            Files.copy(data.resolve(rel), bad.resolve(rel));
        }
        Files.copy(data.resolve("Ebay_test.txt"), bad.resolve("Ebay_test.txt"));
        byte[] png = Files.readAllBytes(bad.resolve("c103/2.png"));
        Files.write(bad.resolve("c103/2.png"), Arrays.copyOf(png, png.length / 2));     // truncated
        String out = dir.resolve("bad-out").toString();
        DataException e = assertThrows(DataException.class, () -> SparkInfer.run(spark, new SparkInfer.Job(
                bad.toString(), null, ckpt.toString(), out, 8, 3, false), new PrintWriter(new StringWriter())));
        assertTrue(e.getMessage().contains("c103/2.png") && e.getMessage().contains("--skip_bad_images"),
                e.getMessage());
        assertFalse(Files.exists(Path.of(out, "_SUCCESS")), "no committed result");
        String said = run(o -> SparkInfer.run(spark, new SparkInfer.Job(bad.toString(), null, ckpt.toString(),
                dir.resolve("skipped").toString(), 8, 3, true), o));
        assertTrue(said.contains("left out 1 unreadable images") && said.contains("c103/2.png"), said);
        assertEquals(34, rows(dir.resolve("skipped").toString()).size());
    }

    @Test
    void anExportFolderServesAsTheModel() {
        CommandLineTest.Run export = CommandLineTest.run("export", "--pretrained_model", ckpt.toString(), "--output",
                dir.resolve("export").toString());
        assertEquals(0, export.code(), export.err());
        String out = dir.resolve("from-export").toString();
        run(o -> SparkInfer.run(spark, new SparkInfer.Job(null, writeList(), dir.resolve("export").toString(), out, 16,
                2, false), o));
        List<Row> rows = rows(out);
        assertEquals(35, rows.size());
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(-1L, rows.get(i).getLong(1), "an image list has no labels");
            float[] e = toFloats(rows.get(i).getList(2));
            for (int c = 0; c < e.length; c++) {
                worst = Math.max(worst, Math.abs(e[c] - single[i][c]));
                scale = Math.max(scale, Math.abs(single[i][c]));
            }
        }
        assertTrue(worst / scale <= 1e-4, "ONNX Runtime vs DL4J: " + worst / scale);
    }

    /** An image list of the data root's test images (absolute paths, so sorting equals the relative order). */
    private static String writeList() {
        try {
            Path list = dir.resolve("images.txt");
            Files.write(list, Arrays.stream(paths).map(p -> data.resolve(p).toString()).toList());
            return list.toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void badJobsAreRefused() {
        assertThrows(org.dml4j.error.UsageException.class, () -> new SparkInfer.Job(null, null, "m", "o", 1, 1, false));
        assertThrows(org.dml4j.error.UsageException.class, () -> new SparkEval.Job("e", null, 0, 1));
        DataException notParquet = assertThrows(DataException.class, () -> SparkEval.run(spark,
                new SparkEval.Job(data.toString(), null, 2, 8), new PrintWriter(new StringWriter())));
        assertTrue(notParquet.getMessage().contains(data.toString()), notParquet.getMessage());
    }
}
