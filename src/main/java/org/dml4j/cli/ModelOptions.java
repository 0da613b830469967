package org.dml4j.cli;

import java.util.HashMap;
import java.util.Map;
import org.dml4j.data.DataConfig;
import org.dml4j.eval.EvalConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The flags of eval.py and infer.py (docs/ORIGINAL.md §2.4–2.5); defaults come per command. */
final class ModelOptions {
    @Mixin
    NetworkOptions network;

    @Option(names = {"--batch_size", "--batch-size"}, paramLabel = "N", description = "Batch size. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    EvalConfig toConfig(DataConfig data) {
        return new EvalConfig(network.backbone(), network.embeddingSize, network.strideIn1x1.value(), batchSize, network.shape(),
                network.useGpu.value(), network.pretrainedModel, data);
    }

    /** Defaults of eval.py and infer.py, which differ only in the batch size. */
    static Map<String, String> defaults(int batchSize) {
        Map<String, String> all = new HashMap<>(NetworkOptions.DEFAULTS);
        all.put("--batch_size", Integer.toString(batchSize));
        return all;
    }
}
