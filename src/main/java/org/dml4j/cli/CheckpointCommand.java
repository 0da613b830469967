package org.dml4j.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.dml4j.model.Checkpoints;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Tools for checkpoint folders. */
@Command(name = "checkpoint", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
        description = "Inspect checkpoints.", subcommands = CheckpointCommand.DiffCommand.class)
final class CheckpointCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** Also before the subcommand: {@code dml4j checkpoint --verbose diff ...} ({@link Dml4j#verbose}). */
    @Mixin
    VerboseOption verbose;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "diff", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
            description = "Largest absolute difference between the parameters of two checkpoints;"
                    + " exit 0 when within --tolerance, 1 when it exceeds it or the parameter sets differ (as cmp).")
    static final class DiffCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Parameters(index = "0", paramLabel = "A", description = "Checkpoint folder or model zip.")
        Path a;

        @Parameters(index = "1", paramLabel = "B", description = "Checkpoint folder or model zip.")
        Path b;

        @Option(names = "--tolerance", defaultValue = "1e-6", paramLabel = "X",
                description = "Largest absolute difference that counts as equal. Default: ${DEFAULT-VALUE}.")
        double tolerance;

        @Override
        public Integer call() {
            Map<String, INDArray> pa = Checkpoints.load(a, false).net().paramTable();
            Map<String, INDArray> pb = Checkpoints.load(b, false).net().paramTable();
            if (!pa.keySet().equals(pb.keySet())) {
                Set<String> onlyA = new TreeSet<>(pa.keySet());
                onlyA.removeAll(pb.keySet());
                Set<String> onlyB = new TreeSet<>(pb.keySet());
                onlyB.removeAll(pa.keySet());
                spec.commandLine().getOut().println("the checkpoints hold different parameters: only in A "
                        + (onlyA.isEmpty() ? "none" : String.join(", ", onlyA)) + "; only in B "
                        + (onlyB.isEmpty() ? "none" : String.join(", ", onlyB)));
                return ExitCodes.FAILURE;
            }
            double worst = 0;
            String where = "-";
            for (Map.Entry<String, INDArray> e : pa.entrySet()) {
                INDArray other = pb.get(e.getKey());
                if (!Arrays.equals(e.getValue().shape(), other.shape())) {
                    spec.commandLine().getOut().println("shapes differ for " + e.getKey() + ": "
                            + Arrays.toString(e.getValue().shape()) + " in A, " + Arrays.toString(other.shape()) + " in B");
                    return ExitCodes.FAILURE;
                }
                double d = e.getValue().sub(other).amaxNumber().doubleValue();
                if (d > worst) {
                    worst = d;
                    where = e.getKey();
                }
            }
            spec.commandLine().getOut().printf(Locale.ROOT, "max |difference| = %.3g (%s) over %d parameter arrays%n", worst, where,
                    pa.size());
            return worst <= tolerance ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }
}
