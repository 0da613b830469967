package org.dml4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.ImageShape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Folding every BatchNorm into its convolution gives the unfolded network's embeddings: in
 * float64 to 1e-10 (the maths is exact), and in float32 through dml4j's own 1×1 path (bias and
 * ReLU in the same pass) to float rounding.
 */
class InferenceNetworkTest {
    private static ComputationGraph trained(Backbone backbone, int size, int embedding, DataType type, long seed) {
        return TestNetworks.trained(backbone, size, embedding, type, seed);
    }

    private static INDArray input(int n, int size, DataType type) {
        return TestNetworks.input(n, size, type);
    }

    private static double maxRelative(INDArray a, INDArray b) {
        INDArray x = a.castTo(DataType.DOUBLE);
        INDArray y = b.castTo(DataType.DOUBLE);
        return x.sub(y).amaxNumber().doubleValue() / y.amaxNumber().doubleValue();
    }

    @ParameterizedTest
    @CsvSource({"ResNet18, 0", "ResNet18, 8", "ResNet50, 0", "ResNet50, 16"})
    void foldedEqualsUnfolded(String model, int embedding) {
        Backbone b = Backbones.parse(model);
        int size = 32;
        ComputationGraph net = trained(b, size, embedding, DataType.DOUBLE, 7);
        String vertex = EmbeddingNetwork.embeddingVertex(new Architecture(b, new ImageShape(3, size, size), embedding));
        INDArray x = input(3, size, DataType.DOUBLE);
        INDArray reference = net.output(List.of(vertex), false, new INDArray[] {x}, null)[0];
        reference = reference.reshape(reference.size(0), -1);
        ImageShape shape = new ImageShape(3, size, size);
        for (InferenceNetwork.Flavour flavour : InferenceNetwork.Flavour.values()) {
            ComputationGraph folded = InferenceNetwork.of(net, shape, vertex, false, flavour, DataType.DOUBLE);
            assertTrue(folded.getLayers().length < net.getLayers().length, "BatchNorms and head are gone");
            for (org.deeplearning4j.nn.api.Layer l : folded.getLayers()) {
                assertFalse(l.conf().getLayer() instanceof BatchNormalization, l.conf().getLayer().getLayerName());
            }
            assertNull(folded.getVertex(EmbeddingNetwork.HEAD));
            INDArray out = folded.outputSingle(x);
            assertArrayEquals(reference.shape(), out.shape());
            assertTrue(maxRelative(out, reference) < 1e-10, flavour + ": " + maxRelative(out, reference));

            ComputationGraph normalized = InferenceNetwork.of(net, shape, vertex, true, flavour, DataType.DOUBLE);
            INDArray unit = normalized.outputSingle(x);
            INDArray expected = reference.divColumnVector(reference.norm2(1).reshape(-1, 1));
            assertTrue(maxRelative(unit, expected) < 1e-10, flavour + " normalised: " + maxRelative(unit, expected));
        }
        ComputationGraph fast = InferenceNetwork.of(trained(b, size, embedding, DataType.FLOAT, 7), shape, vertex, false,
                InferenceNetwork.Flavour.DML4J, DataType.FLOAT);
        INDArray f32 = fast.outputSingle(input(3, size, DataType.FLOAT));
        assertTrue(maxRelative(f32, reference) < 1e-4, "float32: " + maxRelative(f32, reference));
    }

    @ParameterizedTest
    @CsvSource({"STOCK, org.deeplearning4j.nn.conf.layers.ConvolutionLayer", "DML4J, org.dml4j.model.GemmConvolution"})
    void theFlavourDecidesTheConvolutionClass(InferenceNetwork.Flavour flavour, String convolution) {
        ComputationGraph net = trained(ResNet.RESNET18, 32, 0, DataType.FLOAT, 1);
        ComputationGraph folded = InferenceNetwork.of(net, new ImageShape(3, 32, 32), ResNet.POOL, false, flavour,
                DataType.FLOAT);
        assertEquals(convolution, EmbeddingNetwork.layerConf(folded, "conv1").getClass().getName());
        assertTrue(((org.deeplearning4j.nn.conf.layers.ConvolutionLayer) EmbeddingNetwork.layerConf(folded,
                "res2a_branch2a")).hasBias(), "the folded BatchNorm's offset is the bias");
        for (var v : folded.getConfiguration().getVertices().values()) {
            String cls = v instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
                    ? lv.getLayerConf().getLayer().getClass().getName() : v.getClass().getName();
            assertTrue(flavour == InferenceNetwork.Flavour.DML4J || cls.startsWith("org.deeplearning4j."),
                    "stock classes only: " + cls);
        }
    }
}
