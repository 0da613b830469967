package org.dml4j.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dml4j.data.AtomicFiles;
import org.dml4j.error.DataException;
import org.dml4j.error.UsageException;
import org.dml4j.math.Finite;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.core.JsonLocation;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints: {@code <model_save_dir>/<model>/<iteration>/} holding {@code model.zip} (the network
 * with its updater state, DL4J's format) and {@code checkpoint.json} ({@link CheckpointInfo}: what
 * the network is, how and on what it was trained). A checkpoint is written into a hidden temporary folder and
 * renamed into place, so a crash never leaves a half-written folder under a real iteration name.
 */
public final class Checkpoints {
    /** The network file inside a checkpoint folder. */
    public static final String MODEL_FILE = "model.zip";
    /** The description file inside a checkpoint folder. */
    public static final String INFO_FILE = "checkpoint.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * A loaded checkpoint.
     *
     * @param info what its checkpoint.json says, or null for a bare model zip
     */
    public record Loaded(ComputationGraph net, CheckpointInfo info) {
        /** The iteration the checkpoint was taken after, or −1 when unknown. */
        public long iteration() {
            return info == null ? -1 : info.iteration();
        }
    }

    private Checkpoints() {
    }

    /**
     * Writes a checkpoint atomically into {@code modelDir/<iteration>} and returns its folder.
     *
     * @param info written to checkpoint.json beside the model; gives the iteration
     * @throws UncheckedIOException  naming the folder when it cannot be written; an earlier
     *                               checkpoint of the same iteration stays intact
     * @throws IllegalStateException when the parameters are not finite (nothing is written)
     */
    public static Path save(ComputationGraph net, Path modelDir, CheckpointInfo info) {
        long iteration = info.iteration();
        Path target = modelDir.resolve(Long.toString(iteration));
        Path tmp = modelDir.resolve("." + iteration + ".partial-" + System.nanoTime());
        if (!finite(net)) {
            throw new IllegalStateException("not writing checkpoint " + target + ": the parameters are not finite");
        }
        try {
            Files.createDirectories(tmp);
            ModelSerializer.writeModel(net, tmp.resolve(MODEL_FILE).toFile(), true);
            JSON.writeValue(tmp.resolve(INFO_FILE).toFile(), info.toJson());
            Path old = null;
            if (Files.exists(target)) {
                old = modelDir.resolve("." + iteration + ".old-" + System.nanoTime());
                AtomicFiles.move(target, old);
            }
            AtomicFiles.move(tmp, target);
            if (old != null) {
                deleteTree(old);
            }
            return target;
        } catch (IOException e) {
            try {
                deleteTree(tmp);
            } catch (IOException ignored) {
                // the message below says what failed; a stray temporary folder is harmless
            }
            throw new UncheckedIOException("cannot write checkpoint " + target + ": " + e, e);
        }
    }

    /**
     * Tidies what a killed run may have left under {@code modelDir}: temporary folders of an
     * unfinished write are deleted; a checkpoint set aside for replacement whose replacement never
     * arrived is put back.
     */
    public static void recover(Path modelDir) {
        if (!Files.isDirectory(modelDir)) {
            return;
        }
        try (Stream<Path> entries = Files.list(modelDir)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                if (name.matches("\\.\\d+\\.partial-\\d+")) {
                    LoggerFactory.getLogger(Checkpoints.class).warn("removing an unfinished checkpoint write: {}", p);
                    deleteTree(p);
                } else if (name.matches("\\.\\d+\\.old-\\d+")) {
                    Path target = modelDir.resolve(name.substring(1, name.indexOf(".old-")));
                    if (Files.exists(target)) {
                        deleteTree(p);
                    } else {
                        LoggerFactory.getLogger(Checkpoints.class).warn("restoring {} from {}", target, p);
                        AtomicFiles.move(p, target);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot tidy " + modelDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The newest complete checkpoint under {@code modelDir} (a numeric folder holding both files;
     * temporary folders of an interrupted write are hidden and never match).
     *
     * @throws UsageException when there is none
     */
    public static Path latest(Path modelDir) {
        List<Long> all = iterations(modelDir);
        if (all.isEmpty()) {
            throw new UsageException("--checkpoint latest: no complete checkpoint in " + modelDir);
        }
        return modelDir.resolve(Long.toString(all.get(all.size() - 1)));
    }

    /** The iterations of the complete checkpoints under {@code modelDir}, ascending (empty when none or no folder). */
    public static List<Long> iterations(Path modelDir) {
        if (!Files.isDirectory(modelDir)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(modelDir)) {
            return dirs.filter(d -> d.getFileName().toString().matches("\\d{1,18}"))
                    .filter(d -> Files.isRegularFile(d.resolve(MODEL_FILE)) && Files.isRegularFile(d.resolve(INFO_FILE)))
                    .map(d -> Long.parseLong(d.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            throw new UsageException("cannot list " + modelDir + ": " + DataException.reason(e), e);
        }
    }

    /** Deletes the checkpoint of iteration {@code iteration} under {@code modelDir}. */
    public static void delete(Path modelDir, long iteration) {
        Path dir = modelDir.resolve(Long.toString(iteration));
        try {
            deleteTree(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Deletes every complete checkpoint under {@code modelDir} (an earlier run's, replaced on request). */
    public static void deleteAll(Path modelDir) {
        try {
            for (long it : iterations(modelDir)) {
                deleteTree(modelDir.resolve(Long.toString(it)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the checkpoints in " + modelDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads a checkpoint folder (or a bare DL4J model zip).
     *
     * @param withUpdater also restore the optimiser state (for resuming)
     * @throws UsageException naming the path when it is not a checkpoint (or not there)
     * @throws DataException  when the file cannot be read as a model, or holds non-finite parameters
     */
    public static Loaded load(Path path, boolean withUpdater) {
        Path model = Files.isDirectory(path) ? path.resolve(MODEL_FILE) : path;
        if (!Files.isRegularFile(model)) {
            throw new UsageException(path + ": not a checkpoint (no " + MODEL_FILE + " there)");
        }
        try {
            ComputationGraph net = ModelSerializer.restoreComputationGraph(model.toFile(), withUpdater);
            String bad = nonFiniteParameter(net);
            if (bad != null) {
                throw new DataException(model + ": holds parameters that are not finite (NaN or infinite),"
                        + " first in " + bad + "; this file cannot be used");
            }
            INDArray state = withUpdater && net.getUpdater() != null ? net.getUpdater().getStateViewArray() : null;
            if (state != null && !Finite.all(state)) {
                throw new DataException(model + ": its optimiser state (momentum) holds values that are not finite"
                        + " (NaN or infinite); this checkpoint cannot be resumed");
            }
            CheckpointInfo info = info(model);
            if (info != null) {
                requireDescribes(info, net, model.resolveSibling(INFO_FILE).toString(), model.toString());
            }
            return new Loaded(net, info);
        } catch (NoSuchFileException e) {
            throw new UsageException(path + ": not found", e);
        } catch (DataException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new DataException(model + ": cannot read the model: " + e.getMessage(), e);
        }
    }

    /**
     * What a checkpoint folder's (or its model.zip's) checkpoint.json says, without loading the
     * model; null when there is none, and for a zip of another name (a model copied out of its
     * folder says nothing about the checkpoint.json that may lie beside it).
     *
     * @throws DataException naming the file when it is not a readable checkpoint.json
     */
    public static CheckpointInfo info(Path checkpoint) {
        Path file = infoFile(checkpoint);
        return file != null && Files.isRegularFile(file) ? readInfo(file) : null;
    }

    /**
     * Where a checkpoint folder's (or its model.zip's) checkpoint.json is, whether or not it exists;
     * null for a zip of another name.
     */
    public static Path infoFile(Path checkpoint) {
        if (Files.isDirectory(checkpoint)) {
            return checkpoint.resolve(INFO_FILE);
        }
        Path name = checkpoint.getFileName();
        return name != null && name.toString().equals(MODEL_FILE) ? checkpoint.resolveSibling(INFO_FILE) : null;
    }

    /**
     * A checkpoint.json must describe the model.zip beside it: the same backbone (when the zip holds
     * one of dml4j's), an embedding vertex that exists, and the embedding size (a folder assembled from two runs fails here
     * rather than with a shape error mid-run).
     *
     * @param infoName  names the checkpoint.json in messages
     * @param modelName names the model in messages
     * @throws DataException naming both and the values that differ
     */
    public static void requireDescribes(CheckpointInfo info, ComputationGraph net, String infoName, String modelName) {
        String where = infoName + " does not describe " + modelName + ": ";
        Backbone holds = Backbones.ALL.stream().filter(b -> b.isIn(net)).findFirst().orElse(null);
        // a network of no dml4j backbone (hand-built, a test's) is taken at its checkpoint.json's word
        if (holds != null && !holds.name().equals(info.model())) {
            throw new DataException(where + "it names --model=" + info.model() + ", the zip holds " + holds);
        }
        if (holds != null && holds.hasStrideChoice() && holds.stridesIn1x1(net) != info.strideIn1x1()) {
            throw new DataException(where + "it says --stride_in_1x1=" + info.strideIn1x1() + ", the zip's blocks stride"
                    + (holds.stridesIn1x1(net) ? " in their first 1x1 convolution" : " in their 3x3 convolution"));
        }
        long width = EmbeddingNetwork.layerConf(net, EmbeddingNetwork.EMBEDDING) instanceof FeedForwardLayer fc
                ? fc.getNOut() : 0;
        if (width != info.embeddingSize()) {
            throw new DataException(where + "it says --embedding_size=" + info.embeddingSize() + ", the zip's "
                    + (width == 0 ? EmbeddingNetwork.EMBEDDING + " is missing (pooled features)"
                    : EmbeddingNetwork.EMBEDDING + " has width " + width));
        }
        if (net.getVertex(info.embeddingVertex()) == null) {
            throw new DataException(where + "its embedding vertex '" + info.embeddingVertex()
                    + "' is not in the network");
        }
    }

    private static CheckpointInfo readInfo(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataException(file + ": cannot be read: " + DataException.reason(e), e);
        }
        return info(bytes, file.toString());
    }

    /**
     * A checkpoint.json read through another file system (a Spark executor's).
     *
     * @param file names it in messages
     * @throws DataException naming the file, line and column for JSON that is not a checkpoint description
     */
    @SuppressWarnings("unchecked")
    public static CheckpointInfo info(byte[] json, String file) {
        try {
            return CheckpointInfo.fromJson(JSON.readValue(json, Map.class), file);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String first = e.getOriginalMessage().lines().findFirst().orElse("")
                    .replaceAll(": enable JsonParser\\.Feature.*", "");   // advice for Jackson's users, not ours
            throw new DataException(file + (at == null ? "" : ", line " + at.getLineNr() + " column "
                    + at.getColumnNr()) + ": not a checkpoint description (" + first.replaceAll(
                    "java\\.util\\.LinkedHashMap<[^>]*>|java\\.util\\.Map", "a JSON object") + ")", e);
        } catch (IOException e) {
            throw new DataException(file + ": cannot be read: " + DataException.reason(e), e);
        }
    }

    /** The name of the first parameter array holding a NaN or infinite value, or null. */
    public static String nonFiniteParameter(ComputationGraph net) {
        if (finite(net)) {
            return null;
        }
        return net.paramTable().entrySet().stream()
                .filter(e -> !Finite.all(e.getValue()))
                .map(Map.Entry::getKey).findFirst().orElse("?");
    }

    /** Whether every parameter is a finite number. */
    public static boolean finite(ComputationGraph net) {
        return Finite.all(net.params());
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
