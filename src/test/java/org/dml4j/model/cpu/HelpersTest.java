package org.dml4j.model.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.ImageShape;
import org.dml4j.model.Architecture;
import org.dml4j.model.EmbeddingNetwork;
import org.dml4j.model.ResNet;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J M2.1's oneDNN helpers load only through our shim class {@code org.nd4j.nativeblas.Nd4jCpu};
 * without it (or with the property left at its default) every conv and pooling layer runs without
 * them, about 2× slower, and nothing else says so.
 */
class HelpersTest {
    private static String summaryOfANetworkBuiltWith(boolean helpers) {
        ComputationGraph net = Helpers.building(helpers, () -> EmbeddingNetwork.forInference(
                new Architecture(ResNet.RESNET18, new ImageShape(3, 32, 32), 0), 0));
        net.output(false, Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32));
        return Helpers.summary(net);
    }

    @Test
    void theOneDnnHelpersLoadWhenAskedForAndThePropertyIsPutBack() {
        String before = System.getProperty(Helpers.DISABLE_PROPERTY);
        String on = summaryOfANetworkBuiltWith(true);
        assertTrue(on.contains("GemmConvolutionLayer→MKLDNNConvHelper"), "the shim lets DL4J load its oneDNN helper: " + on);
        assertTrue(on.contains("SubsamplingLayer→MKLDNNSubsamplingHelper"), on);
        assertTrue(on.contains("BatchNormLayer→MKLDNNBatchNormHelper×20"), "inference BatchNorm is oneDNN's: " + on);
        assertEquals(before, System.getProperty(Helpers.DISABLE_PROPERTY), "nothing built later changes its path");

        String off = summaryOfANetworkBuiltWith(false);
        assertFalse(off.contains("MKLDNN"), off);
        assertTrue(off.contains("GemmConvolutionLayer→none"), off);
        assertEquals(before, System.getProperty(Helpers.DISABLE_PROPERTY));
    }
}
