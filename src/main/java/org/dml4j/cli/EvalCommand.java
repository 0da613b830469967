package org.dml4j.cli;

import java.io.PrintWriter;
import org.dml4j.eval.EvalConfig;
import org.dml4j.eval.Evaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** eval.py: Recall@1 of a model on the test split (spec §7). */
@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
        defaultValueProvider = EvalCommand.Defaults.class, description = "Recall@1 of a model on the test split (spec §7).")
public final class EvalCommand extends PipelineCommand {
    static final class Defaults extends CommandDefaults {
        Defaults() {
            super(ModelOptions.defaults(10));
        }
    }

    @Mixin
    ModelOptions model;

    @Override
    Runnable prepare(PrintWriter out) {
        EvalConfig config = model.toConfig(common.toConfig());
        return () -> Evaluator.run(config, out);
    }

    @Override
    NetworkOptions network() {
        return model.network;
    }

    public static void main(String[] args) {
        System.exit(Dml4j.execute(new EvalCommand(), args));
    }
}
