package org.dml4j.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dml4j.data.FileNames;
import org.dml4j.data.VisibleText;
import org.dml4j.error.DataException;
import org.dml4j.error.ModelMismatchException;
import org.dml4j.error.UsageException;
import org.dml4j.model.CheckpointInfo;
import org.dml4j.train.Trainer;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

/**
 * The {@code dml4j} command: the four pipeline commands plus data preparation and benchmarks, and
 * picocli's {@code generate-completion} (a bash/zsh completion script; not listed in the usage).
 */
@Command(name = "dml4j", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
        description = "Deep metric learning on Deeplearning4j.",
        footer = {"", "Shell completion (bash, zsh): source <(dml4j generate-completion)"},
        subcommands = {TrainElemCommand.class, TrainPairCommand.class, EvalCommand.class, InferCommand.class,
            SearchCommand.class, ExportCommand.class, DemoCommand.class, PrepareCommand.class, BenchCommand.class,
            CheckpointCommand.class, AutoComplete.GenerateCompletion.class})
public final class Dml4j implements Runnable {
    @Spec
    CommandSpec spec;

    /** Also before the command: {@code dml4j --verbose eval ...} ({@link #verbose}). */
    @Mixin
    VerboseOption verbose;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the command line and exits with its code ({@link ExitCodes}). */
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
        CommandLine completion = cl.getSubcommands().get("generate-completion");
        if (completion != null) {
            completion.getCommandSpec().usageMessage().hidden(true);   // a tool for the shell, not a dml4j step
            completion.getCommandSpec().addMixin("verbose", CommandSpec.forAnnotatedObject(new VerboseOption()));
        }
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
            UnmatchedArgumentException.printSuggestions(ex, c.getErr());   // "Did you mean: train-elem or train-pair?"
            c.getErr().flush();
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
        Path p = Path.of(value);
        String cwd = System.getProperty("user.dir", "");
        if (!p.isAbsolute() && cwd.indexOf('\uFFFD') >= 0) {
            throw new TypeConversionException("the working folder's name is not valid " + FileNames.encoding()
                    + " (" + VisibleText.quote(cwd) + "), so " + VisibleText.quote(value) + " cannot be found from it:"
                    + " run from another folder or give absolute paths");
        }
        return p;
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

    /** Appended to every exit-1 message. */
    static final String VERBOSE_HINT = " (rerun with --verbose for the stack trace)";

    /** An exit code and the one line that says why. */
    record Outcome(int code, String message) {
    }

    /** The exit code and message for an exception out of a command, by its type ({@link ExitCodes}). */
    static Outcome outcome(Exception ex) {
        if (ex instanceof UsageException) {
            return new Outcome(ExitCodes.USAGE, ex.getMessage() + " (see --help)");
        }
        if (ex instanceof DataException) {
            return new Outcome(ExitCodes.DATA, "data error: " + ex.getMessage());
        }
        if (ex instanceof ModelMismatchException) {
            return new Outcome(ExitCodes.MODEL_MISMATCH, "model mismatch: " + ex.getMessage());
        }
        if (ex instanceof Trainer.Interrupted) {
            return new Outcome(ExitCodes.INTERRUPTED, ex.getMessage());
        }
        if (ex instanceof UncheckedIOException || ex instanceof IllegalStateException) {
            // complete messages (disk full, divergence); the trace still helps a bug report
            return new Outcome(ExitCodes.FAILURE, ex.getMessage() + VERBOSE_HINT);
        }
        return new Outcome(ExitCodes.FAILURE, "unexpected error: " + ex + VERBOSE_HINT);
    }

    private static int handle(Exception ex, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        Outcome o = outcome(ex);
        boolean verbose = verbose(cmd);
        // never advise a flag the command would refuse (every dml4j command has it; see the tests)
        boolean hint = !verbose && cmd.getCommandSpec().findOption("--verbose") != null;
        String message = hint ? o.message() : o.message().replace(VERBOSE_HINT, "");
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + message);
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
        return o.code();
    }

    /**
     * Whether {@code --verbose} (True) was given to {@code cmd} or to a command above it, as in
     * {@code dml4j --verbose eval ...} or {@code dml4j bench --verbose knn ...}.
     */
    static boolean verbose(CommandLine cmd) {
        for (CommandLine c = cmd; c != null; c = c.getParent()) {
            ParseResult parsed = c.getParseResult();
            if (parsed != null && parsed.matchedOptionValue("--verbose", new PyBool(false)).value()) {
                return true;
            }
        }
        return false;
    }

    /** dml4j's, Deeplearning4j's and Java's versions, as checkpoints record them. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            Map<String, String> v = CheckpointInfo.versionsNow();
            return new String[] {"dml4j " + v.get("dml4j") + ", Deeplearning4j " + v.get("deeplearning4j") + ", Java "
                    + v.get("java")};
        }
    }
}
