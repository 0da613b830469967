package org.dml4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.dml4j.data.AtomicFiles;
import org.dml4j.data.ImageList;
import org.dml4j.eval.EvalConfig;
import org.dml4j.eval.Inferer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** infer.py: feature vectors of the test split or of any images (docs/ORIGINAL.md §8). */
@Command(name = "infer", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
        defaultValueProvider = InferCommand.Defaults.class,
        description = "Feature vectors of the test split (or of --image_list / --images), in file order;"
                + " prints the original's Test-<k>-feature lines and can write features.npy.")
public final class InferCommand extends PipelineCommand {
    static final class Defaults extends CommandDefaults {
        Defaults() {
            super(ModelOptions.defaults(1));
        }
    }

    @Mixin
    ModelOptions model;

    @Option(names = "--output", paramLabel = "DIR",
            description = "Write features.npy (float32), paths.txt and labels.txt here. Default: None.")
    Path output;

    @Option(names = "--normalize", arity = "0..1", fallbackValue = "True", converter = PyBool.Converter.class,
            paramLabel = "BOOL", description = "Write unit-length features. Default: ${DEFAULT-VALUE}.")
    PyBool normalize = new PyBool(false);

    @ArgGroup(exclusive = true)
    Source source;

    /** Which images: the test split (default), a list file or a folder. */
    static final class Source {
        @Option(names = {"--image_list", "--image-list"}, paramLabel = "FILE",
                description = "Embed the images listed in FILE, one path per line (UTF-8; relative paths are relative"
                        + " to FILE's folder; blank lines and lines starting with # are skipped). Default: None.")
        Path imageList;

        @Option(names = "--images", paramLabel = "DIR",
                description = "Embed every .jpg/.jpeg/.png/.bmp/.tif/.tiff under DIR (following symbolic links; .webp files are listed and refused, README 'Images'),"
                        + " in sorted order. Default: None.")
        Path images;
    }

    @Override
    Runnable prepare(PrintWriter out) {
        EvalConfig config = model.toConfig(common.toConfig());
        if (output != null) {
            AtomicFiles.requireWritable(output, true, "--output");
        }
        return () -> {
            ImageList images = source == null ? null
                    : source.imageList != null ? ImageList.ofPathList(source.imageList)
                    : ImageList.ofDirectory(source.images);
            Inferer.run(config, images, output, normalize.value(), out);
        };
    }

    @Override
    CheckpointFlags.Pending adoptCheckpointFlags(PrintWriter out) {
        return model.adoptCheckpointFlags(spec, out);
    }

    @Override
    NetworkOptions network() {
        return model.network;
    }

    /** {@code infer} on its own (the original's infer.py entry point); exits with its code. */
    public static void main(String[] args) {
        System.exit(Dml4j.execute(new InferCommand(), args));
    }
}
