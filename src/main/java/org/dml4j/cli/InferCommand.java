package org.dml4j.cli;

import java.io.PrintWriter;
import org.dml4j.eval.EvalConfig;
import org.dml4j.eval.Evaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** infer.py: Feature vectors of the test images (spec §8). */
@Command(name = "infer", mixinStandardHelpOptions = true, versionProvider = Dml4j.Version.class,
        defaultValueProvider = InferCommand.Defaults.class, description = "Feature vectors of the test images (spec §8).")
public final class InferCommand extends PipelineCommand {
    static final class Defaults extends CommandDefaults {
        Defaults() {
            super(ModelOptions.defaults(1));
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
        System.exit(Dml4j.execute(new InferCommand(), args));
    }
}
