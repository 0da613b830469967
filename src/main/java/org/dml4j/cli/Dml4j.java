package org.dml4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.io.UncheckedIOException;
import org.dml4j.data.DataException;
import org.dml4j.data.FileNames;
import org.dml4j.data.VisibleText;
import org.dml4j.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** The {@code dml4j} command: the four pipeline commands plus data preparation and benchmarks. */
@Command(name = "dml4j", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
        description = "Deep metric learning on Deeplearning4j.",
        subcommands = {TrainElemCommand.class, TrainPairCommand.class, EvalCommand.class, InferCommand.class,
            SearchCommand.class, DemoCommand.class, PrepareCommand.class, BenchCommand.class, CheckpointCommand.class})
public final class Dml4j implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(new Dml4j(), args));
    }

    /** Runs a command with dml4j's error handling; returns the exit code. */
    public static int execute(Object command, String... args) {
        return commandLine(command).execute(args);
    }

    /** A command line with one-line errors, exit codes per {@link ExitCodes} and their help list. */
    static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        Map<String, String> codes = new LinkedHashMap<>();
        for (String entry : ExitCodes.HELP_LIST) {
            String[] kv = entry.split(":", 2);
            codes.put(kv[0], kv[1]);
        }
        applyExitCodeHelp(cl, codes);
        cl.registerConverter(Path.class, Dml4j::path);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println(c.getCommandSpec().qualifiedName() + ": " + visible(ex.getMessage()) + " (see --help)");
            return ExitCodes.USAGE;
        });
        cl.setExecutionExceptionHandler(Dml4j::handle);
        return cl;
    }

    /**
     * A path flag's value: refused (exit 2) when its bytes were not valid in the JVM's file-name
     * charset, which would silently name another file.
     */
    static Path path(String value) {
        String problem = FileNames.problem(value);
        if (problem != null) {
            throw new TypeConversionException(problem);
        }
        return Path.of(value);
    }

    /** For path flags held as text (--pretrained_model, --checkpoint): the same check as {@link #path}. */
    static final class PathName implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            path(value);
            return value;
        }
    }

    /** picocli quotes the user's text in its messages: show invisible characters there, line by line. */
    private static String visible(String message) {
        return String.join("\n", message.lines().map(VisibleText::escape).toList());
    }

    private static void applyExitCodeHelp(CommandLine cl, Map<String, String> codes) {
        cl.getCommandSpec().usageMessage().exitCodeListHeading("Exit codes:%n").exitCodeList(codes);
        cl.getSubcommands().values().forEach(sub -> applyExitCodeHelp(sub, codes));
    }

    private static int handle(Exception ex, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        int code;
        String message;
        if (ex instanceof IllegalArgumentException) {
            code = ExitCodes.USAGE;
            message = ex.getMessage() + " (see --help)";
        } else if (ex instanceof DataException) {
            code = ExitCodes.DATA;
            message = "data error: " + ex.getMessage();
        } else if (ex instanceof Trainer.Interrupted) {
            code = ExitCodes.INTERRUPTED;
            message = ex.getMessage();
        } else if (ex instanceof UncheckedIOException) {
            code = ExitCodes.FAILURE;
            message = ex.getMessage();
        } else if (ex instanceof IllegalStateException) {
            code = ExitCodes.FAILURE;
            message = ex.getMessage();
        } else {
            code = ExitCodes.FAILURE;
            message = "unexpected error: " + ex + " (rerun with --verbose for the stack trace)";
        }
        err.println(name + ": " + message);
        ParseResult own = cmd.getParseResult();
        if (own != null && own.matchedOptionValue("--verbose", new PyBool(false)).value()) {
            ex.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /** The version from the jar manifest (set by the build). */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Dml4j.class.getPackage().getImplementationVersion();
            return new String[] {"dml4j " + (v == null ? "(development build)" : v)
                    + ", Deeplearning4j 1.0.0-M2.1, Java " + System.getProperty("java.version")};
        }
    }
}
