package org.dml4j.model.weights;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.error.DataException;
import org.dml4j.error.ModelMismatchException;
import org.dml4j.error.UsageException;
import org.dml4j.math.Finite;
import org.dml4j.model.Backbone;
import org.dml4j.model.Backbones;
import org.dml4j.model.Checkpoints;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code --pretrained_model} (docs/ORIGINAL.md §4.2): copies every parameter whose name and shape match from a
 * source into a new network. Sources: a dml4j checkpoint (folder or model zip), a folder of the
 * original's per-parameter files ({@link PaddleParams}, e.g. the ImageNet {@code ResNet50_pretrained}),
 * or a Keras {@code .h5} file ({@link KerasWeights}). A parameter present in both with another shape
 * is skipped with the original's warning line; a parameter the source lacks keeps its
 * initialisation and is reported as missing; tensors of the source nobody takes are reported as
 * unused. Optimiser state is not read, so training starts a fresh schedule.
 */
public final class PretrainedWeights {
    /** What happened to one of the target's parameters. */
    public enum Status { LOADED, SKIPPED_SHAPE, MISSING }

    /**
     * One of the target's parameters.
     *
     * @param param  our name ({@code layer_param})
     * @param source the source's name for it, or null when the source has no name for it
     */
    public record Entry(String param, String source, Status status) {
    }

    /** Per parameter of the target, in its order, and the source tensors nobody took. */
    public record Report(List<Entry> entries, List<String> unused) {
        /** Parameters of the target with status {@code s}. */
        public long count(Status s) {
            return entries.stream().filter(e -> e.status() == s).count();
        }

        /** Layers that received at least one parameter, in network order. */
        public List<String> loadedLayers() {
            LinkedHashSet<String> layers = new LinkedHashSet<>();
            entries.stream().filter(e -> e.status() == Status.LOADED)
                    .forEach(e -> layers.add(e.param().substring(0, e.param().lastIndexOf('_'))));
            return List.copyOf(layers);
        }

        /** Parameters with status {@code s}, each with the source's name when it differs. */
        public List<String> named(Status s) {
            return entries.stream().filter(e -> e.status() == s)
                    .map(e -> e.source() == null || e.source().equals(e.param()) ? e.param() : e.param() + " (" + e.source() + ")")
                    .toList();
        }
    }

    private PretrainedWeights() {
    }

    /** Loads {@code source} into {@code target}, printing what it does. */
    public static Report load(ComputationGraph target, Path source, PrintWriter out) {
        out.println("Loading parameters from " + source + "...");
        out.flush();
        ImportedWeights weights = read(target, source, out);
        Report r = copy(weights, target, out);
        List<String> layers = r.loadedLayers();
        String names = layers.size() <= 6 ? String.join(", ", layers)
                : String.join(", ", layers.subList(0, 3)) + ", …, " + String.join(", ", layers.subList(layers.size() - 2,
                layers.size()));
        out.printf(Locale.ROOT, "loaded %d parameters of %d layers (%s), skipped %d (shape), %d not in the source, %d unused in"
                        + " the source%n", r.count(Status.LOADED), layers.size(), names, r.count(Status.SKIPPED_SHAPE),
                r.count(Status.MISSING), r.unused().size());
        list(out, "not in the source (kept as initialised)", r.named(Status.MISSING));
        list(out, "unused source tensors", r.unused());
        out.flush();
        return r;
    }

    private static void list(PrintWriter out, String what, List<String> names) {
        if (names.isEmpty()) {
            return;
        }
        int shown = Math.min(names.size(), 40);
        out.println("  " + what + ": " + String.join(", ", names.subList(0, shown))
                + (shown < names.size() ? ", … (" + (names.size() - shown) + " more)" : ""));
    }

    /** Whether {@code source} is a dml4j checkpoint (rather than the original's or Keras' weights). */
    public static boolean isCheckpoint(Path source) {
        return !KerasWeights.isKeras(source) && !PaddleParams.isParamFolder(source);
    }

    private static ImportedWeights read(ComputationGraph target, Path source, PrintWriter out) {
        if (KerasWeights.isKeras(source)) {
            Backbone backbone = Backbones.of(target);
            if (backbone.hasStrideChoice() && !backbone.stridesIn1x1(target)) {
                out.println("note: Keras' ResNet strides in the first 1x1 conv of a block; this network strides in the"
                        + " 3x3 one. The weights load either way; pass --stride_in_1x1=True to run them as trained.");
            }
            return KerasWeights.read(source, target, backbone);
        }
        if (PaddleParams.isParamFolder(source)) {
            return PaddleParams.read(source, target);
        }
        if (!Files.exists(source)) {
            throw new UsageException("--pretrained_model " + source + ": not found");
        }
        ComputationGraph from = Checkpoints.load(source, false).net();
        requireSameStride(from, Backbones.of(target).stridesIn1x1(target), source);
        Map<String, String> names = new LinkedHashMap<>();
        target.paramTable().keySet().forEach(k -> names.put(k, k));
        List<String> unused = new ArrayList<>(from.paramTable().keySet());
        unused.removeAll(target.paramTable().keySet());
        return new ImportedWeights(from.paramTable(), names, unused);
    }

    /**
     * @throws ModelMismatchException naming the flag when the checkpoint {@code trained}, read from
     *                                  {@code source}, was built with another {@code --stride_in_1x1}
     */
    public static void requireSameStride(ComputationGraph trained, boolean strideIn1x1, Path source) {
        boolean was = Backbones.of(trained).stridesIn1x1(trained);
        if (was != strideIn1x1) {
            throw new ModelMismatchException("--pretrained_model " + source + " was trained with --stride_in_1x1="
                    + (was ? "True" : "False") + "; pass the same value");
        }
    }

    static Report copy(ImportedWeights source, ComputationGraph target, PrintWriter out) {
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : target.paramTable().entrySet()) {
            String key = e.getKey();
            INDArray src = source.params().get(key);
            String name = source.names().get(key);
            INDArray dst = e.getValue();
            if (src == null) {
                entries.add(new Entry(key, name, Status.MISSING));
            } else if (!sameShape(src.shape(), dst.shape())) {
                out.println("warning: variable " + (name == null ? key : name) + " is already excluded automatically"
                        + " (" + Arrays.toString(src.shape()) + " in the source, " + Arrays.toString(dst.shape()) + " here)");
                entries.add(new Entry(key, name, Status.SKIPPED_SHAPE));
            } else if (!Finite.all(src)) {
                throw new DataException("--pretrained_model: " + (name == null ? key : name) + " holds values that are"
                        + " not finite (NaN or infinite); these weights cannot be used");
            } else {
                dst.assign(src.reshape(dst.shape()).castTo(dst.dataType()));
                entries.add(new Entry(key, name, Status.LOADED));
            }
        }
        return new Report(entries, source.unused());
    }

    /** Equal up to dimensions of size 1 ([C] and [1, C] are one shape; element order is unchanged). */
    static boolean sameShape(long[] a, long[] b) {
        Function<long[], long[]> squeeze = s -> Arrays.stream(s).filter(d -> d != 1).toArray();
        return Arrays.equals(squeeze.apply(a), squeeze.apply(b));
    }
}
