package org.dml4j.cli;

import java.util.Iterator;
import java.util.Map;
import org.dml4j.data.ImageShape;
import org.dml4j.model.Architecture;
import org.dml4j.model.Backbone;
import org.dml4j.model.Backbones;
import picocli.CommandLine.Option;

/** The network flags all four original scripts share; defaults come per command. */
final class NetworkOptions {
    /** Defaults all four commands share. */
    static final Map<String, String> DEFAULTS = Map.of("--model", "ResNet50", "--embedding_size", "0",
            "--image_shape", "3,224,224", "--use_gpu", "True", "--stride_in_1x1", "False");

    @Option(names = "--model", paramLabel = "NAME", completionCandidates = BackboneNames.class,
            description = "Backbone: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    String model;

    /** The backbone names for {@code --model}'s help and shell completion, from the registry. */
    static final class BackboneNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Backbones.ALL.stream().map(Backbone::name).iterator();
        }
    }

    @Option(names = {"--embedding_size", "--embedding-size"}, paramLabel = "N",
            description = "Width of a linear embedding after global pooling; 0 uses the pooled features. Default: ${DEFAULT-VALUE}.")
    int embeddingSize;

    @Option(names = {"--image_shape", "--image-shape"}, paramLabel = "C,H,W",
            description = "Network input shape; H must equal W. Default: ${DEFAULT-VALUE}.")
    String imageShape;

    @Option(names = {"--use_gpu", "--use-gpu"}, arity = "1", converter = PyBool.Converter.class, paramLabel = "BOOL",
            description = "Run on the GPU(s) (needs the -Pcuda build). Default: ${DEFAULT-VALUE}.")
    PyBool useGpu;

    @Option(names = {"--stride_in_1x1", "--stride-in-1x1"}, arity = "1", converter = PyBool.Converter.class,
            paramLabel = "BOOL", description = "Stride on the first 1x1 conv of a bottleneck block (Keras' ResNet50)"
                    + " instead of the 3x3 one (the original's). Default: ${DEFAULT-VALUE}.")
    PyBool strideIn1x1;

    @Option(names = {"--pretrained_model", "--pretrained-model"}, paramLabel = "PATH", converter = Dml4j.PathName.class,
            description = "Weights to load: a dml4j checkpoint folder (or its model.zip), a folder of the original's"
                    + " per-parameter files (ImageNet ResNet50_pretrained), or a Keras .h5 file. A checkpoint's"
                    + " --model, --image_shape, --embedding_size and --stride_in_1x1 are used when not given"
                    + " (training: --model and --stride_in_1x1 must match, size and width may change)."
                    + " Shape-mismatched parameters are skipped; eval/infer/search without it use the randomly"
                    + " initialised network. Default: None.")
    String pretrainedModel;

    Backbone backbone() {
        return Backbones.parse(model);
    }

    ImageShape shape() {
        return ImageShape.parse(imageShape);
    }

    /** The network these flags describe. */
    Architecture architecture() {
        return new Architecture(backbone(), shape(), embeddingSize, strideIn1x1.value());
    }
}
