package org.dml4j.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dml4j.data.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * The README's demo: an untrained baseline, train-elem (arcmargin), train-pair (eml) from it, eval
 * with a report, and infer, each run through the same command line a user types, on the CPU. Prints
 * Recall@1 and MAP@R after each stage and where everything went.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
        description = "Run the whole pipeline on a small data set (default: the Fashion-MNIST sample that ships"
                + " with dml4j) and summarise it.")
public final class DemoCommand implements Callable<Integer> {
    private static final Pattern RECALL = Pattern.compile("test_recall ([0-9.]+)");
    private static final Pattern MAP = Pattern.compile("MAP@R\\s+([0-9.]+)");

    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    @Option(names = {"--data_dir", "--data-dir"}, paramLabel = "DIR", defaultValue = "data/fashion-mnist-closed-sample",
            description = "Data set in the SOP layout. Default: ${DEFAULT-VALUE}.")
    Path dataDir;

    @Option(names = "--output", paramLabel = "DIR", defaultValue = "output/demo",
            description = "Where checkpoints, report and features go. Default: ${DEFAULT-VALUE}.")
    Path output;

    @Option(names = {"--image_size", "--image-size"}, paramLabel = "S", defaultValue = "32",
            description = "Network input side. Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(names = {"--class_dim", "--class-dim"}, paramLabel = "N", defaultValue = "10",
            description = "Training classes of the data set. Default: ${DEFAULT-VALUE}.")
    int classDim;

    @Option(names = "--elem_iterations", paramLabel = "N", defaultValue = "300",
            description = "train-elem iterations. Default: ${DEFAULT-VALUE}.")
    int elemIterations;

    @Option(names = "--pair_iterations", paramLabel = "N", defaultValue = "100",
            description = "train-pair iterations. Default: ${DEFAULT-VALUE}.")
    int pairIterations;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "40",
            description = "Training batch (a multiple of 8). Default: ${DEFAULT-VALUE}.")
    int batch;

    private final List<String> summary = new ArrayList<>();

    @Override
    public Integer call() {
        AtomicFiles.requireWritable(output, true, "--output");
        String data = dataDir.toString();
        String shape = "3," + size + "," + size;
        String[] common = {"--use_gpu=False", "--data_dir", data, "--model", "ResNet18", "--image_shape", shape,
            "--verbose=" + (Dml4j.verbose(spec.commandLine()) ? "True" : "False")};
        Path elem = output.resolve("elem");
        Path pair = output.resolve("pair");
        String elemCkpt = elem.resolve("ResNet18").resolve(Integer.toString(elemIterations)).toString();
        String pairCkpt = pair.resolve("ResNet18").resolve(Integer.toString(pairIterations)).toString();
        int code = stage("untrained network (baseline)", join(new String[] {"eval", "--batch_size", "100"}, common));
        code = code != 0 ? code : stage("train-elem (arcmargin)", join(new String[] {"train-elem", "--loss_name",
            "arcmargin", "--arc_scale", "16", "--class_dim", Integer.toString(classDim), "--train_batch_size",
            Integer.toString(batch), "--lr", "0.01", "--total_iter_num", Integer.toString(elemIterations), "--lr_steps",
            Integer.toString(elemIterations * 3 / 4), "--display_iter_step", "20", "--test_iter_step",
            Integer.toString(elemIterations), "--save_iter_step", Integer.toString(elemIterations), "--model_save_dir",
            elem.toString(), "--overwrite=True"}, common));
        code = code != 0 ? code : stage("train-pair (eml)", join(new String[] {"train-pair", "--loss_name", "eml",
            "--samples_each_class", "8", "--train_batch_size", Integer.toString(batch), "--lr", "0.0001",
            "--total_iter_num", Integer.toString(pairIterations), "--lr_steps", Integer.toString(pairIterations * 3 / 4),
            "--display_iter_step", "20", "--test_iter_step", Integer.toString(pairIterations), "--save_iter_step",
            Integer.toString(pairIterations), "--pretrained_model", elemCkpt, "--model_save_dir", pair.toString(),
            "--overwrite=True"}, common));
        code = code != 0 ? code : stage("eval (+ report)", join(new String[] {"eval", "--batch_size", "100",
            "--pretrained_model", pairCkpt, "--report", output.resolve("report").toString()}, common));
        code = code != 0 ? code : stage("infer", join(new String[] {"infer", "--batch_size", "100",
            "--pretrained_model", pairCkpt, "--output", output.resolve("features").toString()}, common));
        PrintWriter out = spec.commandLine().getOut();
        out.println();
        out.println("=== demo summary (test split of " + data + ")");
        summary.forEach(s -> out.println("  " + s));
        if (code == 0) {
            out.println("  checkpoints and curves: " + elem.resolve("ResNet18") + ", " + pair.resolve("ResNet18"));
            out.println("  report: " + output.resolve("report/report.html") + "; features: " + output.resolve("features"));
        }
        out.flush();
        return code;
    }

    /** Runs one command through dml4j's own command line, echoing its output, and notes its figures. */
    private int stage(String name, String[] args) {
        PrintWriter out = spec.commandLine().getOut();
        out.println();
        out.println("=== " + name + ": bin/dml4j " + String.join(" ", args));
        out.flush();
        StringWriter captured = new StringWriter();
        CommandLine cl = Dml4j.commandLine(new Dml4j());
        cl.setOut(new PrintWriter(new Tee(out, captured), true));
        cl.setErr(spec.commandLine().getErr());
        int code = cl.execute(args);
        String text = captured.toString();
        String recall = last(RECALL, text);
        String map = last(MAP, text);
        summary.add(String.format(Locale.ROOT, "%-30s %s", name + ":", code != 0 ? "FAILED (exit " + code + ")"
                : (recall == null ? "done" : "Recall@1 " + recall) + (map == null ? "" : ", MAP@R " + map)));
        return code;
    }

    private static String last(Pattern p, String text) {
        Matcher m = p.matcher(text);
        String found = null;
        while (m.find()) {
            found = m.group(1);
        }
        return found;
    }

    private static String[] join(String[] a, String[] b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    /** Writes to the console and keeps a copy. */
    private static final class Tee extends Writer {
        private final PrintWriter console;
        private final StringWriter copy;

        Tee(PrintWriter console, StringWriter copy) {
            this.console = console;
            this.copy = copy;
        }

        @Override
        public void write(char[] buf, int off, int len) {
            console.write(buf, off, len);
            copy.write(buf, off, len);
        }

        @Override
        public void flush() {
            console.flush();
        }

        @Override
        public void close() {
            flush();
        }
    }
}
