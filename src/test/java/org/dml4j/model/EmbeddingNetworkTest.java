package org.dml4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.ImageShape;
import org.junit.jupiter.api.Test;

/** The network eval, infer and search build when no checkpoint gives one. */
class EmbeddingNetworkTest {
    @Test
    void theInferenceHeadIsAsWideAsTheEmbedding() {
        for (int embeddingSize : new int[] {0, 24}) {
            Architecture arch = new Architecture(ResNet.RESNET18, new ImageShape(3, 16, 16), embeddingSize, false);
            ComputationGraph net = EmbeddingNetwork.forInference(arch, 1);
            Map<String, InputType> types = net.getConfiguration()
                    .getLayerActivationTypes(InputType.convolutional(16, 16, 3));
            // width 0 made DL4J log "Assigning a size of zero" (InputType) in every eval and infer without weights
            assertEquals(EmbeddingNetwork.embeddingWidth(arch),
                    ((InputType.InputTypeFeedForward) types.get(EmbeddingNetwork.HEAD)).getSize(), "--embedding_size "
                            + embeddingSize);
        }
    }
}
