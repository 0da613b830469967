package org.dml4j.cli;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dml4j.data.DataConfig;
import org.dml4j.eval.EvalConfig;
import org.dml4j.inference.EmbeddingModel;
import org.dml4j.model.CheckpointInfo;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The flags of eval.py and infer.py (docs/ORIGINAL.md §2.4–2.5); defaults come per command. */
final class ModelOptions {
    @Mixin
    NetworkOptions network;

    @Option(names = {"--batch_size", "--batch-size"}, paramLabel = "N", description = "Batch size. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--engine", paramLabel = "NAME",
            description = "What runs the network: dl4j, or onnxruntime (ONNX Runtime on the CPU, the network exported to"
                    + " ONNX in memory; about 2x faster here, needs --use_gpu=False). Default: ${DEFAULT-VALUE}.")
    String engine;

    EvalConfig toConfig(DataConfig data) {
        return new EvalConfig(network.architecture(), batchSize, network.useGpu.value(), network.pretrainedModel, data,
                EmbeddingModel.Engine.parse(engine));
    }

    /** {@code --pretrained_model} as a dml4j checkpoint fixes the architecture flags. */
    CheckpointFlags.Pending adoptCheckpointFlags(CommandSpec spec, PrintWriter out) {
        CheckpointInfo info = CheckpointFlags.infoOf(network.pretrainedModel);
        return info == null ? null : CheckpointFlags.adopt(spec, info, "--pretrained_model " + network.pretrainedModel,
                CheckpointInfo.ARCHITECTURE, List.of(), out);
    }

    /** Defaults of eval.py and infer.py, which differ only in the batch size. */
    static Map<String, String> defaults(int batchSize) {
        Map<String, String> all = new HashMap<>(NetworkOptions.DEFAULTS);
        all.put("--batch_size", Integer.toString(batchSize));
        all.put("--engine", "dl4j");
        return all;
    }
}
