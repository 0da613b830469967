package org.dml4j.inference;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bytedeco.opencv.opencv_core.Mat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dml4j.data.Batch;
import org.dml4j.data.BatchLoader;
import org.dml4j.data.ImageList;
import org.dml4j.data.ImageShape;
import org.dml4j.data.ImageTransform;
import org.dml4j.data.VisibleText;
import org.dml4j.error.DataException;
import org.dml4j.error.ModelMismatchException;
import org.dml4j.error.UsageException;
import org.dml4j.model.Architecture;
import org.dml4j.model.Backbones;
import org.dml4j.model.CheckpointInfo;
import org.dml4j.model.Checkpoints;
import org.dml4j.model.EmbeddingNetwork;
import org.dml4j.model.InferenceNetwork;
import org.dml4j.onnx.OnnxModel;
import org.dml4j.onnx.OnnxSession;
import org.dml4j.retrieval.Embeddings;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trained network as a function from images to embeddings, with the test preprocessing it was
 * trained for (docs/ORIGINAL.md §3.5: short side to the crop size, centre crop, RGB, mean/std).
 * Independent of consoles and of where images come from: an image batch already preprocessed
 * ({@link #embed(INDArray)}), decoded images ({@link #embedDecoded}), or an image list read in
 * prefetched batches ({@link #embed(ImageList, int, int, BatchCallback)}). Outputs are raw (not
 * normalised) float32 embeddings; whether they are finite is the caller's rule to apply
 * ({@link Embeddings#requireFinite}), since only the caller can name the images.
 *
 * <p>The network runs as an inference network ({@link InferenceNetwork}: BatchNorms folded into the
 * convolutions, the loss head left out) on one of two engines: Deeplearning4j (the default) or
 * ONNX Runtime, which runs the same network exported to ONNX ({@link OnnxModel}).
 *
 * <p>Not thread-safe (a DL4J network is not): use one instance per thread. Close it to free an ONNX
 * Runtime session at once.
 */
public final class EmbeddingModel implements AutoCloseable {
    /** What runs the network. */
    public enum Engine {
        /** Deeplearning4j, with dml4j's CPU layers. */
        DL4J("dl4j"),
        /** ONNX Runtime, on the network exported to ONNX in memory. */
        ONNXRUNTIME("onnxruntime");

        private final String flagValue;

        Engine(String flagValue) {
            this.flagValue = flagValue;
        }

        /**
         * Parses {@code --engine}.
         *
         * @throws UsageException naming the flag and the accepted values
         */
        public static Engine parse(String value) {
            for (Engine e : values()) {
                if (e.flagValue.equals(value)) {
                    return e;
                }
            }
            throw new UsageException("--engine: expected dl4j or onnxruntime, got " + VisibleText.quote(value));
        }

        @Override
        public String toString() {
            return flagValue;
        }
    }

    private final Engine engine;
    private final ComputationGraph inference;
    private final OnnxSession session;
    private final Architecture architecture;
    private final String vertex;
    private final ImageTransform preprocessing;

    /**
     * @param ownsTrained whether {@code trained} may be closed once folded (loaded here, not the caller's)
     */
    private EmbeddingModel(ComputationGraph trained, Architecture architecture, String vertex, Engine engine,
                           boolean ownsTrained) {
        if (trained.getVertex(vertex) == null) {
            throw new ModelMismatchException("the network has no vertex '" + vertex + "' to take embeddings from");
        }
        this.engine = engine;
        this.architecture = architecture;
        this.vertex = vertex;
        this.preprocessing = new ImageTransform(architecture.shape().cropSize(), false);
        ComputationGraph folded = InferenceNetwork.of(trained, architecture.shape(), vertex, false,
                engine == Engine.DL4J ? InferenceNetwork.Flavour.DML4J : InferenceNetwork.Flavour.STOCK, DataType.FLOAT);
        if (ownsTrained) {
            trained.close();   // its native memory now, not at some later garbage collection
        }
        if (engine == Engine.DL4J) {
            this.inference = folded;
            this.session = null;
        } else {
            this.inference = null;
            byte[] onnx = OnnxModel.of(folded, architecture.shape(), EmbeddingNetwork.embeddingWidth(architecture),
                    Map.of()).toByteArray();
            folded.close();
            this.session = new OnnxSession(onnx);
        }
    }

    private EmbeddingModel(byte[] onnx, Architecture architecture) {
        this.engine = Engine.ONNXRUNTIME;
        this.architecture = architecture;
        this.vertex = EmbeddingNetwork.embeddingVertex(architecture);
        this.preprocessing = new ImageTransform(architecture.shape().cropSize(), false);
        this.inference = null;
        this.session = new OnnxSession(onnx);
    }

    /**
     * An exported model ({@code dml4j export}'s model.onnx) run by ONNX Runtime, with the test
     * preprocessing of {@code architecture}'s image shape.
     *
     * @param onnx         model.onnx's bytes
     * @param architecture what preprocessing.json's {@code source} says the model is
     * @throws IllegalStateException when ONNX Runtime cannot load the bytes
     */
    public static EmbeddingModel fromOnnx(byte[] onnx, Architecture architecture) {
        return new EmbeddingModel(onnx, architecture);
    }

    /**
     * A network in memory (the trainer's, for its periodic test), run by DL4J.
     *
     * @param vertex the vertex whose output is the embedding
     */
    public static EmbeddingModel of(ComputationGraph net, Architecture architecture, String vertex) {
        return new EmbeddingModel(net, architecture, vertex, Engine.DL4J, false);
    }

    /**
     * A network in memory, run by {@code engine}.
     *
     * @param vertex the vertex whose output is the embedding
     */
    public static EmbeddingModel of(ComputationGraph net, Architecture architecture, String vertex, Engine engine) {
        return new EmbeddingModel(net, architecture, vertex, engine, false);
    }

    /**
     * A dml4j checkpoint (folder, or model zip with its checkpoint.json beside it), run by DL4J;
     * the architecture and embedding vertex come from its checkpoint.json.
     *
     * @param shapeIfUnknown the image shape for checkpoints written before dml4j recorded it, or null
     * @throws DataException          when it cannot be read, or holds non-finite parameters
     * @throws ModelMismatchException when it has no checkpoint.json saying what it is, or an old one
     *                                without the image shape and none is given
     */
    public static EmbeddingModel load(Path checkpoint, ImageShape shapeIfUnknown) {
        return load(checkpoint, shapeIfUnknown, Engine.DL4J);
    }

    /**
     * A dml4j checkpoint run by {@code engine}; as {@link #load(Path, ImageShape)}.
     */
    public static EmbeddingModel load(Path checkpoint, ImageShape shapeIfUnknown, Engine engine) {
        Checkpoints.Loaded loaded = Checkpoints.load(checkpoint, false);
        if (loaded.info() == null) {
            throw new ModelMismatchException(checkpoint + ": no " + Checkpoints.INFO_FILE + " says what this model is");
        }
        return new EmbeddingModel(loaded.net(), architectureOf(loaded.info(), shapeIfUnknown, checkpoint.toString()),
                loaded.info().embeddingVertex(), engine, true);
    }

    /**
     * A checkpoint held in memory (sent to a worker): model.zip's bytes and its checkpoint.json.
     *
     * @param source names the model in messages (its path, or where the bytes came from)
     * @throws DataException          when the bytes are not a DL4J model, hold non-finite parameters, or
     *                                are not the model {@code info} describes
     * @throws ModelMismatchException when {@code info} has no image shape (a checkpoint older than format 1)
     */
    public static EmbeddingModel fromBytes(byte[] modelZip, CheckpointInfo info, String source) {
        Objects.requireNonNull(info, "info: the checkpoint.json that describes the model (Checkpoints.info)");
        ComputationGraph net;
        try {
            net = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(modelZip), false);
        } catch (IOException | RuntimeException e) {
            throw new DataException(source + ": not a DL4J model (" + modelZip.length + " bytes): " + e.getMessage(), e);
        }
        String bad = Checkpoints.nonFiniteParameter(net);
        if (bad != null) {
            throw new DataException(source + ": holds parameters that are not finite (NaN or infinite), first in "
                    + bad);
        }
        Checkpoints.requireDescribes(info, net, "its checkpoint description", source);
        return new EmbeddingModel(net, architectureOf(info, null, source), info.embeddingVertex(), Engine.DL4J, true);
    }

    private static Architecture architectureOf(CheckpointInfo info, ImageShape shapeIfUnknown, String source) {
        ImageShape shape = info.imageShape() != null ? info.imageShape() : shapeIfUnknown;
        if (shape == null) {
            throw new ModelMismatchException(source + " was written before dml4j recorded the image shape;"
                    + " give the shape it was trained at with --image_shape C,H,W");
        }
        return new Architecture(Backbones.parse(info.model()), shape, info.embeddingSize(), info.strideIn1x1());
    }

    /** The engine that runs the network. */
    public Engine engine() {
        return engine;
    }

    /**
     * The inference network the DL4J engine runs (BatchNorms folded; do not use it from another thread).
     *
     * @throws IllegalStateException for the ONNX Runtime engine, which holds no DL4J network
     */
    public ComputationGraph network() {
        if (inference == null) {
            throw new IllegalStateException("the " + engine + " engine holds no DL4J network");
        }
        return inference;
    }

    /** The architecture it was built with (the image shape fixes the preprocessing). */
    public Architecture architecture() {
        return architecture;
    }

    /** The vertex whose output is the embedding (in the trained network and in the inference network). */
    public String vertex() {
        return vertex;
    }

    /** The test preprocessing images need before {@link #embed(INDArray)}. */
    public ImageTransform preprocessing() {
        return preprocessing;
    }

    /**
     * Embeddings of preprocessed images.
     *
     * @param images [N, 3, S, S] float32, S the crop size, preprocessed as {@link #preprocessing()} does
     * @return [N, D] float32, a new array
     */
    public INDArray embed(INDArray images) {
        INDArray f = session != null ? session.run(images) : inference.outputSingle(images);
        return f.reshape(images.size(0), -1).castTo(DataType.FLOAT).dup();
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
        }
    }

    /**
     * Embeddings of decoded 8-bit BGR images (any size, as OpenCV decodes them), preprocessed and run
     * in batches of {@code batchSize}.
     *
     * @param images    decoded images, none empty
     * @param batchSize images per forward pass, at least 1
     * @return [N, D] float32, rows in the images' order ([0, D] for no images)
     * @throws IllegalArgumentException when {@code batchSize} is below 1 or an image is empty
     */
    public INDArray embedDecoded(List<Mat> images, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        for (int i = 0; i < images.size(); i++) {
            if (images.get(i) == null || images.get(i).empty()) {
                throw new IllegalArgumentException("image " + i + " is empty (not decoded)");
            }
        }
        if (images.isEmpty()) {
            return Nd4j.create(DataType.FLOAT, 0, EmbeddingNetwork.embeddingWidth(architecture));
        }
        int crop = architecture.shape().cropSize();
        List<INDArray> parts = new ArrayList<>();
        for (int from = 0; from < images.size(); from += batchSize) {
            int n = Math.min(batchSize, images.size() - from);
            float[] pixels = new float[n * preprocessing.volume()];
            for (int i = 0; i < n; i++) {
                preprocessing.apply(images.get(from + i), null, pixels, i * preprocessing.volume());
            }
            parts.add(embed(Nd4j.create(pixels, new long[] {n, 3, crop, crop}, DataType.FLOAT)));
        }
        return parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(INDArray[]::new));
    }

    /** Embeddings [N, D] in list order with the images' labels. */
    public record Features(INDArray features, int[] labels) {
    }

    /** Called after each batch with its index, the number of batches, the batch, its embeddings and its seconds. */
    public interface BatchCallback {
        void done(int k, long batches, Batch batch, INDArray features, double seconds);
    }

    /**
     * Embeddings of every image of {@code images}, in order: decoded and preprocessed by
     * {@code workers} threads ahead of the network, {@code batchSize} at a time.
     *
     * @param callback called after each batch, or null
     * @throws DataException naming an image that cannot be decoded
     */
    public Features embed(ImageList images, int batchSize, int workers, BatchCallback callback) {
        int crop = architecture.shape().cropSize();
        List<INDArray> parts = new ArrayList<>();
        List<int[]> labels = new ArrayList<>();
        int k = 0;
        try (BatchLoader loader = BatchLoader.inOrder(images, preprocessing, batchSize, workers)) {
            while (loader.hasNext()) {
                Batch b = loader.next();
                long start = System.nanoTime();
                INDArray f = embed(Nd4j.create(b.images(), new long[] {b.size(), 3, crop, crop}, DataType.FLOAT));
                parts.add(f);
                labels.add(b.labels());
                if (callback != null) {
                    callback.done(k, loader.batches(), b, f, (System.nanoTime() - start) / 1e9);
                }
                k++;
            }
        }
        int n = labels.stream().mapToInt(a -> a.length).sum();
        int[] all = new int[n];
        int pos = 0;
        for (int[] l : labels) {
            System.arraycopy(l, 0, all, pos, l.length);
            pos += l.length;
        }
        return new Features(Nd4j.concat(0, parts.toArray(INDArray[]::new)), all);
    }

    /**
     * Checks that every embedding of {@code images} (rows in list order) is finite.
     *
     * @param source what the embeddings are, for the message
     * @throws DataException naming each bad row's image and list line; when every row is bad, also
     *                       that the model itself gives no finite output
     */
    public static void requireFinite(Features f, ImageList images, String source) {
        int bad = Embeddings.nonFiniteRows(f.features()).length;
        if (bad > 0) {
            Embeddings.requireFinite(f.features(), source + (bad == f.labels().length
                    ? " (every image: the model's parameters are probably not finite)" : ""), images::describe);
        }
    }
}
