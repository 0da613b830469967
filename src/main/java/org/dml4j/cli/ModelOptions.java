package org.dml4j.cli;

import java.util.Map;
import org.dml4j.data.DataConfig;
import org.dml4j.data.ImageShape;
import org.dml4j.eval.EvalConfig;
import org.dml4j.model.Backbone;
import picocli.CommandLine.Option;

/** The flags eval.py and infer.py share (spec §2.4–2.5); defaults come per command. */
final class ModelOptions {
    @Option(names = "--model", paramLabel = "NAME",
            description = "Backbone: ResNet18, ResNet34, ResNet50, ResNet101, ResNet152. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = {"--embedding_size", "--embedding-size"}, paramLabel = "N",
            description = "Embedding width of the trained model; 0 = pooled features. Default: ${DEFAULT-VALUE}.")
    int embeddingSize;

    @Option(names = {"--batch_size", "--batch-size"}, paramLabel = "N", description = "Batch size. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = {"--image_shape", "--image-shape"}, paramLabel = "C,H,W",
            description = "Network input shape; H must equal W. Default: ${DEFAULT-VALUE}.")
    String imageShape;

    @Option(names = {"--use_gpu", "--use-gpu"}, arity = "1", converter = PyBool.Converter.class, paramLabel = "BOOL",
            description = "Run on one GPU (needs the -Pcuda build). Default: ${DEFAULT-VALUE}.")
    PyBool useGpu;

    @Option(names = {"--pretrained_model", "--pretrained-model"}, paramLabel = "PATH",
            description = "Checkpoint to load; without it the randomly initialised network is used. Default: None.")
    String pretrainedModel;

    EvalConfig toConfig(DataConfig data) {
        return new EvalConfig(Backbone.parse(model), embeddingSize, batchSize, ImageShape.parse(imageShape),
                useGpu.value(), pretrainedModel, data);
    }

    /** Defaults of eval.py and infer.py, which differ only in the batch size. */
    static Map<String, String> defaults(int batchSize) {
        return Map.of("--model", "ResNet50", "--embedding_size", "0", "--batch_size", Integer.toString(batchSize),
                "--image_shape", "3,224,224", "--use_gpu", "True");
    }
}
