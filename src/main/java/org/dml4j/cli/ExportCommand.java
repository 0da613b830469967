package org.dml4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dml4j.data.ImageShape;
import org.dml4j.export.Exporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code export}: a checkpoint as ONNX, as a plain-DL4J model, with its preprocessing and test data. */
@Command(name = "export", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
        description = {"Write a checkpoint's embedding network for use outside dml4j: model.onnx (ONNX opset 13),"
                + " model.zip (stock Deeplearning4j layers only), preprocessing.json and test_data_set_0 (a preprocessed"
                + " test batch and dml4j's embeddings of it). BatchNorms are folded into the convolutions; no loss"
                + " head, no optimiser state.",
            "ONNX Runtime and DL4J run both models on the test batch before anything is written; they must give"
                + " dml4j's embeddings."})
public final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    @Option(names = {"--pretrained_model", "--pretrained-model"}, required = true, paramLabel = "PATH",
            converter = Dml4j.PathName.class,
            description = "The dml4j checkpoint folder to export (or its model.zip, with checkpoint.json beside it).")
    String checkpoint;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "The folder to write.")
    Path output;

    @Option(names = "--normalize", arity = "0..1", fallbackValue = "True", defaultValue = "False",
            converter = PyBool.Converter.class, paramLabel = "BOOL",
            description = "End the models with an L2 normalisation, so that a dot product is the cosine."
                    + " Default: ${DEFAULT-VALUE}.")
    PyBool normalize;

    @Option(names = "--overwrite", arity = "0..1", fallbackValue = "True", defaultValue = "False",
            converter = PyBool.Converter.class, paramLabel = "BOOL",
            description = "Replace an existing --output folder (only once the new one is complete; an --output that"
                    + " is or holds the checkpoint, the data or the current folder is refused). Default: ${DEFAULT-VALUE}.")
    PyBool overwrite;

    @Option(names = {"--data_dir", "--data-dir"}, paramLabel = "DIR",
            description = "Data root whose Ebay_test.txt gives the test batch. Default: the test list the checkpoint"
                    + " was trained with.")
    Path dataDir;

    @Option(names = {"--image_shape", "--image-shape"}, paramLabel = "C,H,W",
            description = "Only for checkpoints written before dml4j recorded the image shape: the shape they were"
                    + " trained at (another shape than a recorded one is refused). Default: the checkpoint's.")
    String imageShape;

    @Override
    public Integer call() {
        Exporter.export(Dml4j.path(checkpoint), output, normalize.value(), overwrite.value(), dataDir,
                imageShape == null ? null : ImageShape.parse(imageShape), spec.commandLine().getOut());
        return ExitCodes.OK;
    }

    /** {@code export} on its own; exits with its code. */
    public static void main(String[] args) {
        System.exit(Dml4j.execute(new ExportCommand(), args));
    }
}
