package org.dml4j.model;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Which platform helper (oneDNN on CPU) each kind of layer uses, e.g.
 * {@code GemmConvolutionLayer→MKLDNNConvHelper×20, GemmConvolutionLayer→dml4j×33, BatchNormLayer→dml4j×53}
 * ("dml4j": the layer's own CPU path, {@link CpuArrays}). Without helpers ResNet training is 4–5× slower,
 * so the trainer logs this once.
 */
public final class Helpers {
    private Helpers() {
    }

    /** A one-line summary; call after the first forward pass (helpers are created lazily). */
    public static String summary(ComputationGraph net) {
        Map<String, Integer> counts = new TreeMap<>();
        for (Layer layer : net.getLayers()) {
            String helper = helperName(layer);
            if (helper != null) {
                counts.merge(layer.getClass().getSimpleName() + "→" + helper, 1, Integer::sum);
            }
        }
        StringBuilder sb = new StringBuilder();
        counts.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append("×").append(v));
        return sb.toString();
    }

    /** The helper's class name, "none", or null for layer kinds that never have one. */
    private static String helperName(Layer layer) {
        if (layer instanceof BatchNormLayer bn && bn.ownPath() || layer instanceof GemmConvolutionLayer c && c.ownPath()) {
            return "dml4j";
        }
        try {
            Method m = layer.getClass().getMethod("getHelper");
            Object helper = m.invoke(layer);
            return helper == null ? "none" : helper.getClass().getSimpleName();
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
