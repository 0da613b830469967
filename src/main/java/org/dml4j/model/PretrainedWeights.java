package org.dml4j.model;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code --pretrained_model} (spec §4.2): copies every parameter whose name and shape match from a
 * saved network into a new one. A name present in both with another shape is skipped with the
 * original's warning line; names only in the source are ignored; parameters the source lacks keep
 * their initialisation. Optimiser state is not read, so training starts a fresh schedule.
 */
public final class PretrainedWeights {
    /** What happened to the target's parameters, and the layers that received weights. */
    public record Report(int loaded, int skippedShape, int missing, List<String> loadedLayers) {
    }

    private PretrainedWeights() {
    }

    /** Loads from a checkpoint folder or model zip into {@code target}, printing what it does. */
    public static Report load(ComputationGraph target, Path source, PrintWriter out) {
        out.println("Loading parameters from " + source + "...");
        out.flush();
        ComputationGraph from = Checkpoints.load(source, false).net();
        Report r = copy(from.paramTable(), target, out);
        List<String> layers = r.loadedLayers();
        String names = layers.size() <= 6 ? String.join(", ", layers)
                : String.join(", ", layers.subList(0, 3)) + ", …, " + String.join(", ", layers.subList(layers.size() - 2,
                layers.size()));
        out.printf("loaded %d parameters of %d layers (%s), skipped %d (shape), %d not in the file%n",
                r.loaded(), layers.size(), names, r.skippedShape(), r.missing());
        out.flush();
        return r;
    }

    static Report copy(Map<String, INDArray> source, ComputationGraph target, PrintWriter out) {
        int loaded = 0;
        int skipped = 0;
        int missing = 0;
        Set<String> layers = new LinkedHashSet<>();
        for (Map.Entry<String, INDArray> e : target.paramTable().entrySet()) {
            INDArray src = source.get(e.getKey());
            if (src == null) {
                missing++;
            } else if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                out.println("warning: variable " + e.getKey() + " is already excluded automatically");
                skipped++;
            } else {
                e.getValue().assign(src.castTo(e.getValue().dataType()));
                loaded++;
                layers.add(e.getKey().substring(0, e.getKey().lastIndexOf('_')));
            }
        }
        return new Report(loaded, skipped, missing, List.copyOf(layers));
    }
}
