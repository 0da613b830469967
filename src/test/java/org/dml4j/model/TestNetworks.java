package org.dml4j.model;

import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.dml4j.train.Momentum;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.ImageShape;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Networks and inputs for tests of what is computed from a trained network. */
public final class TestNetworks {
    private TestNetworks() {
    }

    /** A network with BatchNorm statistics far from the identity, so that a wrong fold shows. */
    public static ComputationGraph trained(Backbone backbone, int size, int embedding, DataType type, long seed) {
        ComputationGraph net = EmbeddingNetwork.build(new Architecture(backbone, new ImageShape(3, size, size), embedding),
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build(),
                new Momentum(0.1, null, 0.9), 1e-4, seed, type);     // the trainer's updater, as checkpoints hold
        Nd4j.getRandom().setSeed(seed);
        for (org.deeplearning4j.nn.api.Layer l : net.getLayers()) {
            if (l.conf().getLayer() instanceof BatchNormalization) {
                String n = l.conf().getLayer().getLayerName();
                long c = net.getParam(n + "_mean").length();
                net.getParam(n + "_gamma").assign(Nd4j.rand(type, 1, c).muli(1.5).addi(0.25));
                net.getParam(n + "_beta").assign(Nd4j.rand(type, 1, c).subi(0.5));
                net.getParam(n + "_mean").assign(Nd4j.rand(type, 1, c).subi(0.5).muli(0.2));
                net.getParam(n + "_var").assign(Nd4j.rand(type, 1, c).muli(2).addi(0.1));
            }
        }
        return net;
    }

    /** [n, 3, size, size] uniform in [-2, 2), fixed seed. */
    public static INDArray input(int n, int size, DataType type) {
        Nd4j.getRandom().setSeed(3);
        return Nd4j.rand(type, n, 3, size, size).muli(4).subi(2);
    }

}
