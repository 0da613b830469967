package org.dml4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dml4j.data.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

public class CommandLineTest {
    @TempDir
    Path dir;

    /** Exit code, stdout and stderr of one run. */
    public record Run(int code, String out, String err) {
        List<String> outLines() {
            return Arrays.asList(out.split("\n"));
        }
    }

    public static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Dml4j.commandLine(new Dml4j());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Value printed for {@code name} in the configuration block. */
    static String configValue(Run r, String name) {
        return r.outLines().stream().filter(l -> l.startsWith(name + ": ")).findFirst()
                .map(l -> l.substring(name.length() + 2)).orElseThrow(() -> new AssertionError(name + " not printed"));
    }

    @ParameterizedTest
    @CsvSource({"true,True", "TRUE,True", "yes,True", "Y,True", "t,True", "on,True", "1,True",
        "false,False", "False,False", "no,False", "N,False", "f,False", "OFF,False", "0,False"})
    void booleansAcceptTheOriginalSpellings(String spelling, String shown) {
        Run r = run("eval", "--use_gpu=False", "--data_dir", dir.toString(), "--pretrained_model", "x",
                "--verbose=" + spelling);
        assertEquals(shown, configValue(r, "verbose"));
        Run elem = run("train-elem", "--use_gpu", "false", "--arc_easy_margin", spelling, "--data_dir", dir.toString());
        assertEquals(shown, configValue(elem, "arc_easy_margin"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"maybe", "2", "", "truee", "nope"})
    void badBooleansAreOneLineUsageErrorsNamingTheFlag(String value) {
        Run r = run("train-pair", "--use_gpu=" + value);
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().split("\n").length, r.err());
        assertTrue(r.err().contains("'--use_gpu'"), r.err());
        assertTrue(r.err().contains("use true/false, yes/no, t/f, on/off or 1/0"), r.err());
        assertEquals("", r.out(), "nothing runs");
    }

    @Test
    void configurationBlockIsSortedWithPythonValues() {
        Run r = run("train-elem", "--use_gpu=False", "--data_dir", dir.toString(), "--lr", "1e-5");
        List<String> lines = r.outLines();
        int first = lines.indexOf("-----------  Configuration Arguments -----------");
        int last = lines.indexOf("-".repeat(48));
        assertEquals(0, first, r.out());
        List<String> body = lines.subList(first + 1, last);
        List<String> names = body.stream().map(l -> l.substring(0, l.indexOf(':'))).toList();
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(null);
        assertEquals(sorted, names);
        assertEquals(List.of("arc_easy_margin", "arc_margin", "arc_scale", "check_images", "checkpoint", "class_dim",
                "data_dir",
                "display_iter_step", "embedding_size", "enable_ce", "image_shape", "loss_name", "lr", "lr_steps",
                "lr_strategy", "model", "model_save_dir", "num_devices", "num_workers", "overwrite", "pretrained_model",
                "save_iter_step", "seed",
                "skip_bad_images", "stride_in_1x1", "test_batch_size", "test_iter_step", "total_iter_num",
                "train_batch_size", "use_gpu", "verbose"), names);
        assertEquals("1e-05", configValue(r, "lr"));
        assertEquals("80.0", configValue(r, "arc_scale"));
        assertEquals("0.15", configValue(r, "arc_margin"));
        assertEquals("None", configValue(r, "pretrained_model"));
        assertEquals("False", configValue(r, "use_gpu"));
        assertEquals("3,224,224", configValue(r, "image_shape"));
        assertEquals("15000,25000", configValue(r, "lr_steps"));
        assertEquals("256", configValue(r, "train_batch_size"));
    }

    @Test
    void eachCommandHasTheOriginalsDefaults() {
        Run pair = run("train-pair", "--use_gpu=False", "--data_dir", dir.toString());
        assertEquals("120", configValue(pair, "train_batch_size"));
        assertEquals("0.0001", configValue(pair, "lr"));
        assertEquals("100000", configValue(pair, "lr_steps"));
        assertEquals("5000", configValue(pair, "test_iter_step"));
        assertEquals("triplet", configValue(pair, "loss_name"));
        assertEquals("2", configValue(pair, "samples_each_class"));
        assertEquals("0.1", configValue(pair, "margin"));
        assertEquals("0.01", configValue(pair, "npairs_reg_lambda"));
        assertEquals("10", configValue(run("eval", "--use_gpu=0", "--data_dir", dir.toString()), "batch_size"));
        assertEquals("1", configValue(run("infer", "--use_gpu=0", "--data_dir", dir.toString()), "batch_size"));
    }

    @Test
    void valuesAreAcceptedWithEqualsOrSpaceAndUnderscoreOrKebabNames() {
        for (String[] form : new String[][] {{"--train_batch_size=30"}, {"--train_batch_size", "30"},
            {"--train-batch-size=30"}, {"--train-batch-size", "30"}}) {
            List<String> args = new ArrayList<>(List.of("train-pair", "--use_gpu=False", "--data_dir", dir.toString()));
            args.addAll(List.of(form));
            assertEquals("30", configValue(run(args.toArray(String[]::new)), "train_batch_size"), Arrays.toString(form));
        }
    }

    @Test
    void everyUnderscoredFlagHasAKebabAliasAndHelpEndsWithItsDefault() {
        CommandLine root = Dml4j.commandLine(new Dml4j());
        for (String name : List.of("train-elem", "train-pair", "eval", "infer")) {
            for (OptionSpec o : root.getSubcommands().get(name).getCommandSpec().options()) {
                if (o.usageHelp() || o.versionHelp()) {
                    continue;
                }
                String first = o.names()[0];
                if (first.contains("_")) {
                    assertTrue(Arrays.asList(o.names()).contains(first.replace('_', '-')), name + " " + first);
                }
                String help = String.join(" ", o.description());
                assertTrue(help.matches(".* Default: [^$]+\\.( \\S.*)?") || help.contains("Default: the number of cores"),
                        name + " " + first + ": " + help);
            }
        }
        Run help = run("train-elem", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--arc_margin, --arc-margin=X"), help.out());
        assertTrue(help.out().contains("ArcFace scale s. Default: 80.0."), help.out());
        assertTrue(help.out().contains("Exit codes:"), help.out());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "train-elem --model=ResNet51|--model: unknown model 'ResNet51'; choose one of ResNet18, ResNet34, ResNet50, ResNet101, ResNet152",
        "train-elem --loss_name=triplet|--loss_name: unknown loss 'triplet' for train-elem; choose one of softmax, arcmargin",
        "train-pair --loss_name=softmax|--loss_name: unknown loss 'softmax' for train-pair; choose one of triplet, quadruplet, eml, npairs",
        "train-elem --lr_strategy=cosine_decay|--lr_strategy: only 'piecewise_decay' is supported, got 'cosine_decay'",
        "train-elem --image_shape=3,224|--image_shape: expected C,H,W such as 3,224,224, got '3,224'",
        "train-elem --image_shape=3,224,200|--image_shape: height must equal width, got 224,200",
        "eval --image_shape=1,64,64|--image_shape: channels must be 3 (RGB), got 1",
        "train-elem --lr_steps=100,x|--lr_steps: expected comma-separated iterations such as 15000,25000, got '100,x'",
        "train-elem --lr_steps=200,100|--lr_steps must be non-negative and strictly increasing, got [200, 100]",
        "train-pair --loss_name=npairs --samples_each_class=4|--samples_each_class must be 2 for npairs, got 4",
        "train-elem --lr=abc|Invalid value for option '--lr': 'abc' is not a double",
        "train-elem --num_workers=0|--num_workers must be >= 1, got 0",
        "train-elem --enable_ce=True --loss_name=softmax|--enable_ce=True requires --model=ResNet50 and --loss_name=arcmargin",
        "infer --batch_size=0|--batch_size must be >= 1, got 0"})
    void badValuesAreOneLineUsageErrors(String args, String message) {
        List<String> argv = new ArrayList<>(Arrays.asList(args.split(" ")));
        argv.add("--use_gpu=False");
        Run r = run(argv.toArray(String[]::new));
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().split("\n").length, r.err());
        assertTrue(r.err().contains(message), r.err());
        assertFalse(r.err().contains("at org."), "no stack trace: " + r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"train-elem", "train-pair", "eval", "infer", "search"})
    void useGpuOnTheCpuBuildStopsBeforeAnythingIsPrintedAndSaysWhatToDo(String command) {
        // the default --use_gpu=True, with a checkpoint and flags that would otherwise print notes and the block
        List<String> args = new ArrayList<>(List.of(command, "--data_dir", dir.toString(), "--pretrained_model",
                dir.toString(), "--seed=2"));
        if (command.equals("search")) {
            args.addAll(List.of("--index", dir.toString(), "--query", dir.toString()));   // required: picocli asks first
        }
        Run r = run(args.toArray(String[]::new));
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals("", r.out(), "no configuration block, no notes");
        assertEquals("dml4j " + command + ": --use_gpu=True needs the CUDA build (mvn -Pcuda package, README 'GPU');"
                + " this build runs on the CPU: pass --use_gpu=False (see --help)\n", r.err());
        args.add("--use_gpu=yes");
        assertEquals(r.err(), run(args.toArray(String[]::new)).err(), "given, as when defaulted");
        args.set(args.size() - 1, "--verbose");
        Run verbose = run(args.toArray(String[]::new));
        assertEquals(ExitCodes.USAGE, verbose.code());
        assertTrue(verbose.out().isEmpty() && verbose.err().contains("\tat org.dml4j."), "the trace: " + verbose.err());
    }

    @Test
    void evalOfGivenFeaturesNeedsNoDevice() throws IOException {
        Path f = dir.resolve("f.npy");
        try (var o = Files.newOutputStream(f)) {
            org.dml4j.eval.Npy.write(org.nd4j.linalg.factory.Nd4j.createFromArray(new float[][] {{1, 0}, {0, 1}}), o);
        }
        Run r = run("eval", "--features", f.toString(), "--labels", Files.writeString(dir.resolve("l.txt"), "1\n1\n")
                .toString());
        assertEquals(0, r.code(), "the default --use_gpu=True does not matter: " + r.err());
    }

    @Test
    void outputsThatCannotBeWrittenAreRefusedBeforeAnyWork() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        String[][] cases = {
            {"infer", "--output", file.toString(), "--output " + file + ": exists and is not a folder"},
            {"infer", "--output", file.resolve("sub").toString(), file + " is a file, so nothing can be created under it"},
            {"eval", "--report", file.toString(), "--report " + file + ": exists and is not a folder"},
            {"eval", "--output_json", dir.toString(), "--output_json " + dir + ": is a folder, not a file"},
            {"train-elem", "--model_save_dir", file.toString(), "--model_save_dir " + file + ": exists and is not a"},
        };
        for (String[] c : cases) {
            Run r = run(c[0], c[1], c[2], "--use_gpu=False", "--data_dir", dir.resolve("no-data").toString());
            assertEquals(ExitCodes.USAGE, r.code(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().contains(c[3]), r.err());
        }
        Run search = run("search", "--use_gpu=False", "--index", dir.toString(), "--query", file.toString(),
                "--num_workers=3");
        assertTrue(search.out().contains("note: --num_workers does not apply to search (the index and the query are"
                + " the data); ignored"), search.out());
    }

    @Test
    void benchmarkFlagsAreCheckedAsFlags() {
        String[][] cases = {
            {"bench", "knn", "--n", "0", "--n must be >= 2, got 0"},
            {"bench", "infer", "--size", "0", "--size must be >= 1, got 0"},
            {"bench", "train", "--devices", "0", "--devices must be >= 1, got 0"},
            {"bench", "data", "--images", "/nonexistent-dml4j", "--images /nonexistent-dml4j: not a folder"},
            {"bench", "scan", "--passes", "0", "--passes must be >= 1, got 0"},
        };
        for (String[] c : cases) {
            Run r = run(Arrays.copyOf(c, c.length - 1));
            assertEquals(ExitCodes.USAGE, r.code(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().contains(c[c.length - 1]), r.err());
        }
    }

    @Test
    void commandsCheckTheDataBeforeTheyStart() throws IOException {
        TestData.sopLike(dir, new int[] {3, 3, 3, 3}, new int[] {2, 2});
        Run shards = run("train-pair", "--use_gpu=False", "--data_dir", dir.toString(), "--loss_name=npairs",
                "--train_batch_size=6", "--num_shards=2", "--model=ResNet18", "--image_shape=3,16,16");
        assertEquals(2, shards.code(), shards.err());
        assertTrue(shards.out().contains("train dataset size: 4\nval dataset size: 2\n"), shards.out());
        assertTrue(shards.err().contains("a loss shard of 3 rows (--train_batch_size split into --num_shards shards, at least one per --num_devices device) must be a multiple of"
                + " --samples_each_class (2)"), shards.err());

        Run tooBig = run("train-elem", "--use_gpu=False", "--data_dir", dir.toString(), "--class_dim=3");
        assertEquals(2, tooBig.code());
        assertTrue(tooBig.err().contains("--class_dim (3) must exceed the largest training label 3"), tooBig.err());

        Run missing = run("eval", "--use_gpu=False", "--data_dir", dir.resolve("nowhere").toString());
        assertEquals(3, missing.code());
        assertTrue(missing.err().contains("Ebay_test.txt: list file not found"), missing.err());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--batch_size=1\u00A0|'1\\u00A0' is not an int",
        "--model=ResNet18\u200B|unknown model 'ResNet18\\u200B'",
        "--verbose=yes\u2060|'yes\\u2060' is not a boolean",
        "--image_shape=\uFEFF3,32,32|got '\\uFEFF3,32,32'"})
    void invisibleCharactersInFlagValuesAreShown(String flag, String shown) {
        Run r = run("eval", "--use_gpu=False", flag);
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains(shown), r.err());
    }

    @Test
    void numbersPrintTheSameWhateverTheJvmsLocale() throws IOException {
        java.util.Locale before = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.GERMANY);
            Path f = dir.resolve("f.npy");
            try (var o = java.nio.file.Files.newOutputStream(f)) {
                org.dml4j.eval.Npy.write(org.nd4j.linalg.factory.Nd4j.createFromArray(
                        new float[][] {{1, 0}, {0.9f, 0.1f}, {0, 1}}), o);
            }
            Run r = run("eval", "--features", f.toString(), "--labels",
                    java.nio.file.Files.writeString(dir.resolve("l.txt"), "1\n1\n2\n").toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("Recall@1        0.66667"), "a decimal point, not a comma: " + r.out());
        } finally {
            java.util.Locale.setDefault(before);
        }
    }

    @Test
    void pathFlagsWhoseBytesWereNotValidAreRefused() {
        for (String flag : new String[] {"--output", "--pretrained_model", "--data_dir"}) {
            Run r = run("infer", "--use_gpu=False", flag, "out\uFFFD");
            assertEquals(ExitCodes.USAGE, r.code(), r.err());
            assertTrue(r.err().contains("'out\\uFFFD' is not valid UTF-8 (undecodable bytes shown as \\uFFFD); rename"),
                    r.err());
        }
    }

    @Test
    void relativePathsFromAWorkingFolderWhoseNameIsNotValidAreRefused() {
        String cwd = System.getProperty("user.dir");
        try {
            System.setProperty("user.dir", "/tmp/imgs\uFFFD");
            assertThrows(picocli.CommandLine.TypeConversionException.class, () -> Dml4j.path("features.npy"));
            assertEquals(Path.of("/abs/features.npy"), Dml4j.path("/abs/features.npy"), "absolute paths still work");
        } finally {
            System.setProperty("user.dir", cwd);
        }
        assertEquals(Path.of("features.npy"), Dml4j.path("features.npy"));
    }

    @Test
    void aClassifierNeedsTwoClasses() {
        for (String loss : new String[] {"softmax", "arcmargin"}) {
            Run r = run("train-elem", "--use_gpu=False", "--class_dim=1", "--loss_name=" + loss);
            assertEquals(ExitCodes.USAGE, r.code(), r.err());
            assertTrue(r.err().contains("--class_dim must be >= 2 for " + loss + " (a classifier over one class learns"
                    + " nothing), got 1"), r.err());
        }
    }

    @Test
    void exitCodesComeFromExceptionTypesAndMistypedCommandsGetSuggestions() {
        assertEquals(new Dml4j.Outcome(ExitCodes.USAGE, "--lr must be > 0 (see --help)"),
                Dml4j.outcome(new org.dml4j.error.UsageException("--lr must be > 0")));
        assertEquals(ExitCodes.DATA, Dml4j.outcome(new org.dml4j.error.DataException("x")).code());
        assertEquals(ExitCodes.MODEL_MISMATCH, Dml4j.outcome(new org.dml4j.error.ModelMismatchException("x")).code());
        Dml4j.Outcome internal = Dml4j.outcome(new IllegalArgumentException("k must be in 1..0"));
        assertEquals(ExitCodes.FAILURE, internal.code(), "an internal check is not the user's flag");
        assertTrue(internal.message().startsWith("unexpected error: java.lang.IllegalArgumentException: k must be"),
                internal.message());
        for (Exception e : new Exception[] {new IllegalArgumentException("x"), new IllegalStateException("diverged"),
            new java.io.UncheckedIOException("disk full", new java.io.IOException())}) {
            Dml4j.Outcome o = Dml4j.outcome(e);
            assertEquals(ExitCodes.FAILURE, o.code());
            assertTrue(o.message().endsWith(" (rerun with --verbose for the stack trace)"), o.message());
        }

        Run train = run("train");
        assertEquals(ExitCodes.USAGE, train.code());
        assertTrue(train.err().contains("Did you mean: dml4j train-pair or dml4j train-elem"), train.err());
        Run typo = run("eval", "--batch-sise=3");
        assertTrue(typo.err().contains("Possible solutions: --batch_size, --batch-size"), typo.err());
    }

    /**
     * An exit-1 message ends with "(rerun with --verbose for the stack trace)" in whichever command
     * failed, so every command, group and the umbrella itself accepts --verbose.
     */
    @Test
    void everyCommandAcceptsVerbose() {
        List<List<String>> paths = new ArrayList<>();
        collect(Dml4j.commandLine(new Dml4j()), new ArrayList<>(), paths);
        assertTrue(paths.size() > 25, paths.toString());
        assertTrue(paths.contains(List.of()) && paths.contains(List.of("generate-completion"))
                && paths.contains(List.of("prepare", "pairs")) && paths.contains(List.of("bench", "embeddings")),
                paths.toString());
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.addAll(List.of("--verbose", "--help"));
            Run r = run(args.toArray(String[]::new));
            assertEquals(0, r.code(), args + ": " + r.err());
            assertTrue(r.out().contains("--verbose[=BOOL]"), args + " lists --verbose: " + r.out());
        }
        // groups with nothing to run print their usage, --verbose or not
        for (String group : new String[] {"prepare", "bench", "checkpoint"}) {
            Run r = run(group, "--verbose");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().startsWith("Usage: dml4j " + group), r.out());
        }
        assertEquals(0, run("--verbose").code());
        List<List<String>> spark = new ArrayList<>();
        CommandLine sparkRoot = Dml4j.commandLine(new SparkCommand());
        collect(sparkRoot, new ArrayList<>(), spark);
        assertEquals(4, spark.size(), spark.toString());
        for (List<String> path : spark) {
            CommandLine c = sparkRoot;
            for (String name : path) {
                c = c.getSubcommands().get(name);
            }
            assertTrue(c.getCommandSpec().findOption("--verbose") != null, "dml4j-spark " + path);
        }
    }

    private static void collect(CommandLine cl, List<String> path, List<List<String>> paths) {
        paths.add(List.copyOf(path));
        cl.getSubcommands().forEach((name, sub) -> {
            List<String> deeper = new ArrayList<>(path);
            deeper.add(name);
            collect(sub, deeper, paths);
        });
    }

    @Test
    void verboseBeforeTheCommandAppliesToIt() {
        Run plain = run("bench", "knn", "--n", "0");
        assertEquals(ExitCodes.USAGE, plain.code());
        assertFalse(plain.err().contains("\tat org.dml4j."), plain.err());
        for (String[] args : new String[][] {{"--verbose", "bench", "knn", "--n", "0"},
            {"bench", "--verbose", "knn", "--n", "0"}, {"bench", "knn", "--verbose", "--n", "0"}}) {
            Run r = run(args);
            assertEquals(ExitCodes.USAGE, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("dml4j bench knn: --n must be >= 2, got 0"), r.err());
            assertTrue(r.err().contains("\tat org.dml4j."), String.join(" ", args) + ": the trace: " + r.err());
        }
        Run off = run("--verbose=False", "bench", "knn", "--n", "0");
        assertFalse(off.err().contains("\tat org.dml4j."), off.err());
        Run eval = run("--verbose", "eval", "--use_gpu=False", "--data_dir", dir.resolve("nowhere").toString());
        assertEquals(ExitCodes.DATA, eval.code(), eval.err());
        assertEquals("True", configValue(eval, "verbose"), "the configuration block shows it in effect");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "evl|dml4j: Unmatched argument at index 0: 'evl' (see --help)|Did you mean: dml4j eval?",
        "eval --batchsize 3|dml4j eval: Unknown options: '--batchsize', '3' (see --help)|Possible solutions: --batch_size, --batch-size",
        "eval --batchsize=3|dml4j eval: Unknown option: '--batchsize=3' (see --help)|Possible solutions: --batch_size, --batch-size",
        "prepare fashon-mnist|dml4j prepare: Unmatched argument at index 1: 'fashon-mnist' (see --help)|Did you mean: prepare fashion-mnist",
        "bench knn --dimm 3|dml4j bench knn: Unknown options: '--dimm', '3' (see --help)|Possible solutions: --dim"})
    void mistypedCommandsAndFlagsGetSuggestionsOnStderrWithExitTwo(String args, String error, String suggestion) {
        Run r = run(args.split(" "));
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals("", r.out(), "nothing runs, no usage on stdout");
        List<String> lines = r.err().lines().toList();
        assertEquals(error, lines.get(0));
        assertTrue(lines.get(1).startsWith(suggestion), r.err());
        assertEquals(2, lines.size(), "the error and the suggestion, nothing else: " + r.err());
    }

    @Test
    void argumentsCanComeFromAnAtFile() throws IOException {
        Path data = dir.resolve("my data");   // a value with a space, quoted in the file
        Path flags = Files.writeString(dir.resolve("eval.args"), String.join("\n",
                "# eval on the CPU, batches of 7",
                "--use_gpu=False",
                "--data_dir \"" + data + "\"",
                "--batch_size 7  --seed=3", ""));
        Run r = run("eval", "@" + flags, "--num_workers=1");
        assertEquals(ExitCodes.DATA, r.code(), "it runs, and finds no list in the empty folder: " + r.err());
        assertEquals("False", configValue(r, "use_gpu"));
        assertEquals(data.toString(), configValue(r, "data_dir"));
        assertEquals("7", configValue(r, "batch_size"));
        assertEquals("3", configValue(r, "seed"));
        assertEquals("1", configValue(r, "num_workers"));
        Run twice = run("eval", "@" + flags, "--seed=4");
        assertEquals(ExitCodes.USAGE, twice.code(), "a flag in the file and on the line is given twice");
        assertTrue(twice.err().contains("option '--seed' (N) should be specified only once"), twice.err());

        Path whole = Files.writeString(dir.resolve("whole.args"), "eval @" + flags + "\n");
        Run nested = run("@" + whole);
        assertEquals(ExitCodes.DATA, nested.code(), nested.err());
        assertEquals("7", configValue(nested, "batch_size"), "the command's name and a nested @-file");

        Run missing = run("eval", "@" + dir.resolve("no-such.args"));
        assertEquals(ExitCodes.USAGE, missing.code(), missing.err());
        assertTrue(missing.err().contains("no-such.args"), missing.err());
    }

    @Test
    void generateCompletionPrintsABashAndZshScriptForEveryCommand() {
        Run r = run("generate-completion");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("#!/usr/bin/env bash"), r.out().lines().findFirst().orElse(""));
        assertTrue(r.out().contains("complete -F _complete_dml4j"), "registers itself for the dml4j command");
        assertTrue(r.out().contains("autoload -U +X bashcompinit"), "zsh too");
        for (String word : List.of("train-elem", "train-pair", "eval", "infer", "fashion-mnist", "knn", "diff",
            "--loss_name", "--train_batch_size", "--use_gpu", "--pretrained_model", "--verbose")) {
            assertTrue(r.out().contains(word), word);
        }
        assertTrue(r.out().contains("ResNet50"), "--model's values complete too");
        Run help = run("--help");
        assertFalse(help.out().contains("  generate-completion"), "not one of dml4j's steps in the command list");
        assertTrue(help.out().contains("source <(dml4j generate-completion)"), help.out());
    }

    @Test
    void pythonFloatFormatting() {
        assertEquals("0.01", ConfigBlock.pythonFloat(0.01));
        assertEquals("0.0001", ConfigBlock.pythonFloat(1e-4));
        assertEquals("1e-05", ConfigBlock.pythonFloat(1e-5));
        assertEquals("1.5e-07", ConfigBlock.pythonFloat(1.5e-7));
        assertEquals("80.0", ConfigBlock.pythonFloat(80));
        assertEquals("1e+16", ConfigBlock.pythonFloat(1e16));
        assertEquals("1234567890123456.0", ConfigBlock.pythonFloat(1234567890123456.0));
        assertEquals("-0.15", ConfigBlock.pythonFloat(-0.15));
        assertEquals("0.30000000000000004", ConfigBlock.pythonFloat(0.1 + 0.2));
        assertEquals("0.0", ConfigBlock.pythonFloat(0));
    }
}
