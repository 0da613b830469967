package org.dml4j.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import onnx.Onnx;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dml4j.data.AtomicFiles;
import org.dml4j.data.ImageList;
import org.dml4j.data.ImageShape;
import org.dml4j.data.ImageTransform;
import org.dml4j.data.Split;
import org.dml4j.error.DataException;
import org.dml4j.error.ModelMismatchException;
import org.dml4j.error.UsageException;
import org.dml4j.inference.EmbeddingModel;
import org.dml4j.math.Rows;
import org.dml4j.model.CheckpointInfo;
import org.dml4j.model.Checkpoints;
import org.dml4j.model.EmbeddingNetwork;
import org.dml4j.model.InferenceNetwork;
import org.dml4j.onnx.OnnxModel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

/**
 * {@code dml4j export}: a checkpoint as files any runtime can use (the original's
 * export_model.py, docs/ORIGINAL.md §8), in one folder written as a whole:
 * <ul>
 * <li>{@value #ONNX}: the embedding network ({@link OnnxModel}), BatchNorms folded;</li>
 * <li>{@value #DL4J}: the same network of stock Deeplearning4j classes only, for
 * {@code ModelSerializer.restoreComputationGraph} in a program without dml4j;</li>
 * <li>{@value #PREPROCESSING}: what a consumer must do to an image before the network, and what
 * comes out;</li>
 * <li>{@code test_data_set_0/input_0.pb, output_0.pb}: a preprocessed batch of the test split and
 * dml4j's embeddings of it, as ONNX TensorProtos (the ONNX model zoo's convention).</li>
 * </ul>
 * Before the folder is put in place, ONNX Runtime runs the ONNX model and DL4J the saved zip on
 * that batch; both must reproduce dml4j's embeddings to {@value #TOLERANCE} (relative to the
 * largest magnitude), or nothing is written.
 */
public final class Exporter {
    /** The ONNX model's file name. */
    public static final String ONNX = "model.onnx";
    /** The plain-DL4J model's file name. */
    public static final String DL4J = "model.zip";
    /** The preprocessing description's file name. */
    public static final String PREPROCESSING = "preprocessing.json";
    /** The test data folder. */
    public static final String TEST_DATA = "test_data_set_0";
    /** Largest relative difference the self-check accepts. */
    public static final double TOLERANCE = 1e-4;
    /** Images in the test batch (fewer when the test split is smaller). */
    static final int TEST_IMAGES = 4;

    private Exporter() {
    }

    /**
     * What was written and how well the runtimes agreed.
     *
     * @param folder          the export folder
     * @param width           the embedding's width D
     * @param onnxRuntimeDiff largest relative difference of ONNX Runtime's embeddings from dml4j's
     * @param dl4jDiff        the same for the plain-DL4J zip
     * @param bytes           file name → size in bytes
     */
    public record Result(Path folder, long width, double onnxRuntimeDiff, double dl4jDiff, Map<String, Long> bytes) {
    }

    /**
     * Exports a checkpoint.
     *
     * @param checkpoint     a dml4j checkpoint folder (or its model.zip) with its checkpoint.json
     * @param output         the folder to write
     * @param normalize      L2-normalise the embeddings inside the models
     * @param overwrite      replace an existing {@code output}
     * @param testImages     where the test batch comes from: a data root holding Ebay_test.txt, or null
     *                       for the test list the checkpoint was trained with
     * @param shapeIfUnknown the image shape of a checkpoint older than format 1, or null
     * @throws UsageException         for an output in the way, or no test list to take images from
     * @throws ModelMismatchException for an --image_shape other than the checkpoint's
     * @throws DataException          for a path that is not a dml4j checkpoint (no checkpoint.json), unreadable
     *                                checkpoints or test images
     * @throws IllegalStateException  when a runtime does not reproduce dml4j's embeddings (nothing written)
     */
    public static Result export(Path checkpoint, Path output, boolean normalize, boolean overwrite, Path testImages,
                                ImageShape shapeIfUnknown, PrintWriter out) {
        if (!Files.exists(checkpoint)) {
            throw new UsageException("--pretrained_model " + checkpoint + ": not found");
        }
        AtomicFiles.requireFolderCreatable(output, "--output");
        AtomicFiles.requireNotOver(output, checkpoint, "--output", "the checkpoint being exported");
        AtomicFiles.requireNotOver(output, Path.of(""), "--output", "the current folder");
        if (Files.exists(output) && !overwrite) {
            throw new UsageException("--output " + output + " already exists; pass --overwrite=True to replace it");
        }
        AtomicFiles.requireWritable(output, true, "--output");
        CheckpointInfo info = Checkpoints.info(checkpoint);
        if (info == null) {
            throw new DataException("--pretrained_model " + checkpoint + " is not a dml4j checkpoint (a folder with "
                    + Checkpoints.MODEL_FILE + " and " + Checkpoints.INFO_FILE + "): export needs "
                    + Checkpoints.INFO_FILE + " to know what the network is");
        }
        if (shapeIfUnknown != null && info.imageShape() != null && !shapeIfUnknown.equals(info.imageShape())) {
            throw new ModelMismatchException("--image_shape " + shapeIfUnknown + ": " + checkpoint + " was trained at "
                    + info.imageShape() + ", which the export keeps (--image_shape is only for checkpoints that do not"
                    + " record their shape)");
        }
        ImageList test = testList(info, testImages);
        AtomicFiles.requireNotOver(output, test.root(), "--output", "the data root of the test batch");
        EmbeddingModel model = EmbeddingModel.load(checkpoint, shapeIfUnknown);
        ImageShape shape = model.architecture().shape();
        out.println("Exporting " + checkpoint + " (" + model.architecture().backbone() + ", " + shape + ", embedding "
                + EmbeddingNetwork.embeddingWidth(model.architecture()) + (normalize ? ", L2-normalised" : "") + ")");
        out.flush();

        int n = Math.min(TEST_IMAGES, test.size());
        int volume = shape.volume();
        float[] pixels = new float[n * volume];
        for (int i = 0; i < n; i++) {
            model.preprocessing().apply(test.imagePath(i), null, pixels, i * volume);
        }
        INDArray x = Nd4j.create(pixels, new long[] {n, shape.channels(), shape.height(), shape.width()}, DataType.FLOAT);
        INDArray expected = model.embed(x);
        if (normalize) {
            Rows.normalizeInPlace(expected);
        }
        long width = expected.size(1);
        ComputationGraph stock = InferenceNetwork.of(model.network(), shape, model.vertex(), normalize,
                InferenceNetwork.Flavour.STOCK, DataType.FLOAT);
        String json = stock.getConfiguration().toJson();
        if (json.contains("org.dml4j")) {           // a program without dml4j could not load the zip
            throw new IllegalStateException("the plain-DL4J network still names a class of dml4j's (near \""
                    + json.substring(Math.max(0, json.indexOf("org.dml4j") - 40), json.indexOf("org.dml4j") + 40)
                    .replaceAll("\\s+", " ")
                    + "\"); nothing was written");
        }
        Path source = checkpoint.toAbsolutePath().normalize();
        Map<String, Object> preprocessing = preprocessing(shape, width, normalize, source, info);
        Map<String, String> metadata = metadata(preprocessing, info, source, normalize);
        byte[] onnx = OnnxModel.of(stock, shape, width, metadata).toByteArray();

        double ortDiff = maxRelative(onnxRuntime(onnx, x), expected);
        double[] dl4jDiff = {Double.NaN};
        Map<String, Long> bytes = new LinkedHashMap<>();
        try {
            AtomicFiles.writeFolder(output, dir -> {
                Files.write(dir.resolve(ONNX), onnx);
                ModelSerializer.writeModel(stock, dir.resolve(DL4J).toFile(), false);
                Files.write(dir.resolve(PREPROCESSING), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsBytes(preprocessing));
                Path data = Files.createDirectory(dir.resolve(TEST_DATA));
                write(data.resolve("input_0.pb"), OnnxModel.tensor(OnnxModel.INPUT, x.shape(), x));
                write(data.resolve("output_0.pb"), OnnxModel.tensor(OnnxModel.OUTPUT, expected.shape(), expected));
                dl4jDiff[0] = maxRelative(plainDl4j(dir.resolve(DL4J), x), expected);
                check("ONNX Runtime", ortDiff);
                check("the plain-DL4J " + DL4J, dl4jDiff[0]);
                try (var files = Files.walk(dir)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        bytes.put(dir.relativize(f).toString(), Files.size(f));
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the export to " + output + ": " + DataException.reason(e), e);
        }
        Result result = new Result(output, width, ortDiff, dl4jDiff[0], bytes);
        bytes.forEach((f, size) -> out.printf(Locale.ROOT, "  %-28s %,12d bytes%n", f, size));
        out.printf(Locale.ROOT, "checked on %d test images: ONNX Runtime and the plain-DL4J %s give dml4j's embeddings"
                + " (largest relative differences %.1e and %.1e)%n", n, DL4J, ortDiff, dl4jDiff[0]);
        out.println("exported to " + output);
        out.flush();
        return result;
    }

    /** The test batch's source: the given data root, else the test list the checkpoint records. */
    private static ImageList testList(CheckpointInfo info, Path dataDir) {
        if (dataDir != null) {
            return ImageList.read(dataDir, Split.TEST);
        }
        List<String> looked = new ArrayList<>();
        for (CheckpointInfo.DataList d : info.data()) {
            Path list = Path.of(d.path());
            if (d.split().equals("test")) {
                if (Files.isRegularFile(list)) {
                    return ImageList.read(list.toAbsolutePath().getParent(), list, Split.TEST);
                }
                looked.add(list.toAbsolutePath().toString());
            }
        }
        throw new UsageException("export writes a test batch from the test split: the checkpoint's test list"
                + (looked.isEmpty() ? " is not recorded" : " (" + String.join(", ", looked) + ") is not there")
                + ", so pass --data_dir (a data root holding " + Split.TEST.listFileName() + ")");
    }

    private static void write(Path file, Onnx.TensorProto tensor) throws IOException {
        try (OutputStream o = Files.newOutputStream(file)) {
            tensor.writeTo(o);
        }
    }

    private static void check(String runtime, double diff) {
        if (!(diff <= TOLERANCE)) {
            throw new IllegalStateException(runtime + " does not reproduce dml4j's embeddings (largest relative"
                    + " difference " + diff + " > " + TOLERANCE + "); nothing was written");
        }
    }

    /** The ONNX model run by ONNX Runtime on {@code x}. */
    static float[] onnxRuntime(byte[] model, INDArray x) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(model, options);
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.dup('c').data().asFloat()), x.shape());
             OrtSession.Result result = session.run(Map.of(OnnxModel.INPUT, input))) {
            FloatBuffer values = ((OnnxTensor) result.get(OnnxModel.OUTPUT).orElseThrow()).getFloatBuffer();
            float[] f = new float[values.remaining()];
            values.get(f);
            return f;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot run the exported model: " + e.getMessage(), e);
        }
    }

    /** The saved plain-DL4J model, restored as a program without dml4j would, run on {@code x}. */
    private static float[] plainDl4j(Path zip, INDArray x) throws IOException {
        ComputationGraph net = ModelSerializer.restoreComputationGraph(zip.toFile(), false);
        return net.outputSingle(x).castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    /** Largest absolute difference over the largest magnitude of {@code reference} [N, D]. */
    static double maxRelative(float[] got, INDArray reference) {
        float[] ref = reference.castTo(DataType.FLOAT).dup('c').data().asFloat();
        if (got.length != ref.length) {
            return Double.POSITIVE_INFINITY;
        }
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < ref.length; i++) {
            worst = Math.max(worst, Math.abs((double) got[i] - ref[i]));
            scale = Math.max(scale, Math.abs(ref[i]));
        }
        return scale == 0 ? worst : worst / scale;
    }

    /**
     * preprocessing.json: the test preprocessing of docs/ORIGINAL.md §3.5 spelled out for a consumer,
     * the input and output, and where the model came from.
     */
    static Map<String, Object> preprocessing(ImageShape shape, long width, boolean normalize, Path checkpoint,
                                             CheckpointInfo info) {
        int crop = shape.cropSize();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("input", ordered("name", OnnxModel.INPUT, "shape", List.of("N", shape.channels(), shape.height(),
                shape.width()), "dtype", "float32", "layout", "NCHW"));
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("name", OnnxModel.OUTPUT);
        output.put("shape", List.of("N", width));
        output.put("dtype", "float32");
        output.put("l2_normalized", normalize);
        output.put("compare_with", "cosine similarity (the dot product of L2-normalised embeddings)");
        m.put("output", output);
        List<Object> steps = new ArrayList<>();
        steps.add(ordered("step", "decode", "to", "8-bit, 3 channels, as OpenCV's IMREAD_COLOR (grey, alpha, palette,"
                + " 16-bit and CMYK images become 8-bit colour)"));
        steps.add(ordered("step", "resize", "short_side", crop, "long_side",
                "long * " + crop + " / short, rounded half to even", "interpolation", "Lanczos-4 (OpenCV INTER_LANCZOS4)",
                "note", "an image already of that size is not resampled"));
        steps.add(ordered("step", "centre_crop", "size", crop, "offsets", "x = (width - " + crop + ") // 2, y = (height - "
                + crop + ") // 2"));
        steps.add(ordered("step", "channel_order", "to", "RGB"));
        steps.add(ordered("step", "scale", "formula", "x / 255", "dtype", "float32"));
        double[] mean = {ImageTransform.mean(0), ImageTransform.mean(1), ImageTransform.mean(2)};
        double[] std = {ImageTransform.std(0), ImageTransform.std(1), ImageTransform.std(2)};
        steps.add(ordered("step", "normalize", "formula", "(x - mean) / std, per channel", "mean", mean, "std", std));
        steps.add(ordered("step", "layout", "to", "CHW, then batch: N x 3 x " + shape.height() + " x " + shape.width()));
        m.put("preprocessing", steps);
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("checkpoint", checkpoint.toString());
        source.put("iteration", info.iteration());
        source.put("model", info.model());
        source.put("image_shape", shape.toString());
        source.put("embedding_size", info.embeddingSize());
        source.put("loss", info.training() == null ? null : info.training().lossName());
        source.put("versions", CheckpointInfo.versionsNow());
        m.put("source", source);
        return m;
    }

    /** A map that keeps the order its pairs are given in (key, value, key, value, …), for readable JSON. */
    private static Map<String, Object> ordered(Object... pairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private static Map<String, String> metadata(Map<String, Object> preprocessing, CheckpointInfo info, Path checkpoint,
                                                boolean normalize) {
        Map<String, String> md = new LinkedHashMap<>();
        md.put("dml4j_version", CheckpointInfo.versionsNow().get("dml4j"));
        md.put("model", info.model());
        md.put("embedding_size", Integer.toString(info.embeddingSize()));
        md.put("l2_normalized", Boolean.toString(normalize));
        md.put("checkpoint", checkpoint.toString());
        md.put("iteration", Long.toString(info.iteration()));
        if (info.training() != null) {
            md.put("loss", info.training().lossName());
        }
        for (CheckpointInfo.DataList d : info.data()) {
            md.put(d.split() + "_list_sha256", d.sha256());
        }
        try {
            md.put("preprocessing", new ObjectMapper().writeValueAsString(preprocessing));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return md;
    }
}
