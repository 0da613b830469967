package org.dml4j.model.cpu;

import java.util.Collection;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What a layer configuration's {@code instantiate} does after constructing its own layer class (as DL4J's do). */
public final class Layers {
    private Layers() {
    }

    /**
     * Gives a freshly constructed runtime layer its listeners, index, parameter views (initialised
     * or not) and configuration, as DL4J's own layer configurations do in {@code instantiate}.
     *
     * @return {@code layer}
     */
    public static <L extends BaseLayer<?>> L wire(L layer, NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                           int index, INDArray paramsView, boolean initializeParams,
                                           ParamInitializer initializer) {
        layer.setListeners(listeners);
        layer.setIndex(index);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(initializer.init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }
}
