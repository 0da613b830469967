package org.dml4j.model.cpu;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Which platform helper (oneDNN on CPU) each kind of layer uses, e.g.
 * {@code GemmConvolutionLayer→MKLDNNConvHelper×20, GemmConvolutionLayer→dml4j×33, BatchNormLayer→dml4j×53}
 * ("dml4j": the layer's own CPU path, {@link CpuArrays}). Without helpers, training ResNet50
 * at 64 px was 2.2× slower (README, Benchmarks), so the trainer logs this once.
 */
public final class Helpers {
    private Helpers() {
    }

    /** DL4J's system property that switches its platform helpers off (default "true" in M2.1). */
    public static final String DISABLE_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";

    /**
     * Builds a network with DL4J's platform helpers on or off (DL4J reads its system property when
     * each layer is constructed), then puts the property back as it was, so nothing built later
     * changes its code path.
     */
    public static synchronized <T> T building(boolean helpers, Supplier<T> build) {
        String before = System.getProperty(DISABLE_PROPERTY);
        System.setProperty(DISABLE_PROPERTY, Boolean.toString(!helpers));
        try {
            return build.get();
        } finally {
            if (before == null) {
                System.clearProperty(DISABLE_PROPERTY);
            } else {
                System.setProperty(DISABLE_PROPERTY, before);
            }
        }
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
        if (layer instanceof BatchNormLayer bn && bn.oneDnn() || layer instanceof GemmConvolutionLayer c && c.oneDnn()) {
            return "oneDNN";
        }
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
