package org.dml4j.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.bytedeco.opencv.opencv_core.Mat;
import org.dml4j.data.ImageList;
import org.dml4j.data.ImageScan;
import org.dml4j.data.ImageTransform;
import org.dml4j.data.Sample;
import org.dml4j.data.Split;
import org.dml4j.data.TextLines;
import org.dml4j.error.DataException;
import org.dml4j.error.UsageException;
import org.dml4j.inference.EmbeddingModel;
import org.dml4j.retrieval.Embeddings;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code infer} on Spark (docs/SCALE.md): the images of an SOP-style data root's test list or of
 * an image list, read through Hadoop's file systems by the executors, decoded and preprocessed
 * exactly as {@code infer} does, embedded by the model each executor loads once
 * ({@link ExecutorModels}), and written as a Parquet dataset with columns {@code path} (as the list
 * gives it), {@code label} (−1 for an image list) and {@code embedding} (array of float), through
 * Spark's commit protocol, so a failed job leaves no result. Bad images follow {@code infer}'s
 * rules: the same checks and messages; the job fails naming the first, or with
 * {@code skipBadImages} they are left out, counted and listed.
 */
public final class SparkInfer {
    /** The Parquet columns. */
    public static final StructType SCHEMA = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("label", DataTypes.LongType, false)
            .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false);

    /**
     * Test-only fault injection: when this Spark configuration key is "true", the first attempt of
     * partition 0 fails after embedding its images, so a test can see Spark retry it.
     */
    public static final String FAIL_FIRST_ATTEMPT = "spark.dml4j.test.failFirstAttempt";

    /** Images named in the message listing left-out images. */
    private static final int SHOWN = 10;

    private SparkInfer() {
    }

    /**
     * What to embed and where to write it.
     *
     * @param dataDir       an SOP data root (its Ebay_test.txt is embedded), or null
     * @param imageList     a file with one image path per line (relative to its folder), or null
     * @param model         a checkpoint folder (or its model.zip) or an export folder
     * @param output        the Parquet dataset to write (must not exist)
     * @param batchSize     images per forward pass
     * @param partitions    Spark partitions (tasks) of the image list
     * @param skipBadImages leave unreadable images out instead of failing
     */
    public record Job(String dataDir, String imageList, String model, String output, int batchSize, int partitions,
                      boolean skipBadImages) {
        public Job {
            if ((dataDir == null) == (imageList == null)) {
                throw new UsageException("give --data_dir (its Ebay_test.txt) or --image_list, one of them");
            }
            if (model == null) {
                throw new UsageException("--pretrained_model is required: a checkpoint or an export folder");
            }
            if (batchSize < 1) {
                throw new UsageException("--batch_size must be >= 1, got " + batchSize);
            }
            if (partitions < 1) {
                throw new UsageException("--partitions must be >= 1, got " + partitions);
            }
        }
    }

    /**
     * Runs the job.
     *
     * @return the number of images written
     * @throws DataException for a list, model or image that cannot be used (the first a task met)
     */
    public static long run(SparkSession spark, Job job, PrintWriter out) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        if (HadoopFiles.exists(job.output(), conf)) {
            throw new UsageException("--output " + job.output() + " already exists; choose a new folder");
        }
        String root;
        List<Sample> samples;
        if (job.dataDir() != null) {
            root = job.dataDir();
            String list = HadoopFiles.resolve(root, Split.TEST.listFileName());
            samples = ImageList.parse(list, TextLines.lines(HadoopFiles.readOrFail(list, "list file", conf), list),
                    Split.TEST, false);
        } else {
            root = HadoopFiles.parent(job.imageList());
            samples = ImageList.parsePathList(job.imageList(), TextLines.lines(HadoopFiles.readOrFail(job.imageList(),
                    "image list", conf), job.imageList()));
        }
        EmbeddingModel model = ExecutorModels.get(job.model(), conf);     // fails here, on the driver, if it cannot load
        out.printf(Locale.ROOT, "embedding %d images with %s (%s, %s) in %d partitions%n", samples.size(), job.model(),
                model.architecture().backbone(), model.architecture().shape(), job.partitions());
        out.flush();

        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SerializableConfiguration hadoop = new SerializableConfiguration(conf);
        CollectionAccumulator<String> bad = spark.sparkContext().collectionAccumulator("dml4j bad images");
        boolean failFirst = Boolean.parseBoolean(spark.conf().get(FAIL_FIRST_ATTEMPT, "false"));
        String modelPath = job.model();
        int batchSize = job.batchSize();
        boolean skip = job.skipBadImages();
        JavaRDD<Row> rows = sc.parallelize(samples, job.partitions()).mapPartitions(part -> embed(part, root,
                modelPath, hadoop.value(), batchSize, skip, bad, failFirst));
        try {
            spark.createDataFrame(rows, SCHEMA).write().mode(SaveMode.ErrorIfExists).parquet(job.output());
        } catch (Exception e) {         // Spark throws its checked SparkException undeclared
            throw dataErrorIn(e);
        }
        List<String> left = bad.value();
        if (!left.isEmpty()) {
            out.printf(Locale.ROOT, "left out %d unreadable images (--skip_bad_images):%n  %s%n", left.size(),
                    String.join("\n  ", left.stream().sorted().limit(SHOWN).toList()));
        }
        long written = samples.size() - left.size();
        out.printf(Locale.ROOT, "wrote %d embeddings to %s%n", written, job.output());
        out.flush();
        return written;
    }

    /** One task: its images embedded in batches, in list order. */
    private static Iterator<Row> embed(Iterator<Sample> part, String root, String modelPath, Configuration conf,
                                       int batchSize, boolean skip, CollectionAccumulator<String> bad,
                                       boolean failFirst) {
        EmbeddingModel model = ExecutorModels.get(modelPath, conf);
        ImageTransform t = model.preprocessing();
        List<Row> rows = new ArrayList<>();
        List<Sample> batch = new ArrayList<>();
        List<float[]> pixels = new ArrayList<>();
        while (part.hasNext()) {
            Sample s = part.next();
            String file = HadoopFiles.resolve(root, s.path());
            float[] x = preprocessed(file, t, skip, bad, conf);
            if (x != null) {
                batch.add(s);
                pixels.add(x);
            }
            if (batch.size() == batchSize) {
                flush(model, batch, pixels, rows);
            }
        }
        if (!batch.isEmpty()) {
            flush(model, batch, pixels, rows);
        }
        TaskContext task = TaskContext.get();
        if (failFirst && task != null && task.partitionId() == 0 && task.attemptNumber() == 0) {
            throw new IllegalStateException("injected failure (" + FAIL_FIRST_ATTEMPT + ") of partition 0, attempt 0");
        }
        return rows.iterator();
    }

    /** The preprocessed pixels of one image, or null when it is bad and {@code skip} (then listed in {@code bad}). */
    private static float[] preprocessed(String file, ImageTransform t, boolean skip, CollectionAccumulator<String> bad,
                                        Configuration conf) {
        String problem;
        byte[] bytes = null;
        try {
            bytes = HadoopFiles.read(file, conf);
            problem = ImageScan.problem(bytes);
        } catch (FileNotFoundException e) {
            problem = "missing";
        } catch (IOException e) {
            problem = "cannot read: " + e.getMessage();
        }
        if (problem == null) {
            try (Mat img = ImageTransform.decode(bytes, file)) {
                float[] x = new float[t.volume()];
                t.apply(img, null, x, 0);
                return x;
            } catch (DataException e) {
                problem = e.getMessage().startsWith(file + ": ") ? e.getMessage().substring(file.length() + 2)
                        : e.getMessage();
            }
        }
        if (!skip) {
            throw new DataException(file + ": " + problem + " (pass --skip_bad_images=True to leave such images out)");
        }
        bad.add(file + ": " + problem);
        return null;
    }

    private static void flush(EmbeddingModel model, List<Sample> batch, List<float[]> pixels, List<Row> rows) {
        int volume = pixels.get(0).length;
        float[] all = new float[batch.size() * volume];
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(pixels.get(i), 0, all, i * volume, volume);
        }
        int crop = model.architecture().shape().cropSize();
        INDArray f = model.embed(Nd4j.create(all, new long[] {batch.size(), 3, crop, crop}, DataType.FLOAT));
        if (!Embeddings.allFinite(f)) {
            int[] badRows = Embeddings.nonFiniteRows(f);
            throw new DataException("the model's embedding of " + batch.get(badRows[0]).path() + " holds NaN or infinite"
                    + " values (" + badRows.length + " of this batch of " + batch.size() + ")");
        }
        for (int i = 0; i < batch.size(); i++) {
            Sample s = batch.get(i);
            rows.add(RowFactory.create(s.path(), (long) s.label(), f.getRow(i).toFloatVector()));
        }
        batch.clear();
        pixels.clear();
    }

    /** The data error a task threw, if that is why the job failed; else the failure itself (unchecked). */
    static RuntimeException dataErrorIn(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DataException d) {
                return new DataException(d.getMessage(), e);
            }
            if (t instanceof SparkException && t.getMessage() != null && t.getMessage().contains(
                    DataException.class.getName() + ": ")) {
                String m = t.getMessage();
                String rest = m.substring(m.indexOf(DataException.class.getName() + ": ")
                        + DataException.class.getName().length() + 2);
                int end = rest.indexOf("\n");
                return new DataException(end < 0 ? rest : rest.substring(0, end), e);
            }
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
    }
}
