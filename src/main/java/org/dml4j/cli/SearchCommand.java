package org.dml4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.dml4j.error.UsageException;
import org.dml4j.eval.EvalConfig;
import org.dml4j.eval.Searcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Nearest images to a query image in an index written by infer --output. */
@Command(name = "search", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
        defaultValueProvider = SearchCommand.Defaults.class,
        description = {"Print the images of an index (infer --output DIR) most similar to a query image.",
            "The data flags (--data_dir, --num_workers, --check_images, --skip_bad_images) do not apply (the index"
                    + " and the query are the data): given, they are ignored with a note."})
public final class SearchCommand extends PipelineCommand {
    static final class Defaults extends CommandDefaults {
        Defaults() {
            super(ModelOptions.defaults(1));
        }
    }

    /** Data flags every pipeline command has that search has no use for. */
    private static final String[] UNUSED = {"--data_dir", "--num_workers", "--check_images", "--skip_bad_images"};

    @Mixin
    ModelOptions model;

    @Option(names = "--index", required = true, paramLabel = "DIR",
            description = "Folder with features.npy and paths.txt written by infer --output.")
    Path index;

    @Option(names = "--query", required = true, paramLabel = "IMAGE", description = "The query image.")
    Path query;

    @Option(names = "--top", paramLabel = "N", defaultValue = "10", description = "How many to print. Default: ${DEFAULT-VALUE}.")
    int top;

    @Override
    Runnable prepare(PrintWriter out) {
        EvalConfig config = model.toConfig(common.toConfig());
        for (String unused : UNUSED) {
            if (spec.commandLine().getParseResult().hasMatchedOption(unused)) {
                out.println("note: " + unused + " does not apply to search (the index and the query are the data);"
                        + " ignored");
            }
        }
        if (top < 1) {
            throw new UsageException("--top must be >= 1, got " + top);
        }
        return () -> Searcher.run(config, index, query, top, out);
    }

    @Override
    CheckpointFlags.Pending adoptCheckpointFlags(PrintWriter out) {
        return model.adoptCheckpointFlags(spec, out);
    }

    @Override
    NetworkOptions network() {
        return model.network;
    }

    /** {@code search} on its own; exits with its code. */
    public static void main(String[] args) {
        System.exit(Dml4j.execute(new SearchCommand(), args));
    }
}
