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
 * them, about 2× slower, and nothing else says so. The bias-free convolutions call oneDNN themselves
 * ({@link OneDnn}) unless that is switched off.
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
        assertTrue(on.contains("SubsamplingLayer→MKLDNNSubsamplingHelper"), "the shim lets DL4J load its oneDNN helpers: " + on);
        assertTrue(on.contains("BatchNormLayer→MKLDNNBatchNormHelper×20"), "inference BatchNorm is DL4J's helper: " + on);
        assertTrue(on.contains("GemmConvolutionLayer→oneDNN×20"), "bias-free convolutions call oneDNN themselves: " + on);
        assertEquals(before, System.getProperty(Helpers.DISABLE_PROPERTY), "nothing built later changes its path");
        OneDnnTesting.without(() -> {
            String helperOnly = summaryOfANetworkBuiltWith(true);
            assertTrue(helperOnly.contains("GemmConvolutionLayer→MKLDNNConvHelper"), helperOnly);
        });

        String off = summaryOfANetworkBuiltWith(false);
        assertFalse(off.contains("MKLDNN"), off);
        assertTrue(off.contains("GemmConvolutionLayer→oneDNN×20"), off);
        assertEquals(before, System.getProperty(Helpers.DISABLE_PROPERTY));
        OneDnnTesting.without(() -> {
            String neither = summaryOfANetworkBuiltWith(false);
            assertTrue(neither.contains("GemmConvolutionLayer→none"), neither);
        });
    }
}
