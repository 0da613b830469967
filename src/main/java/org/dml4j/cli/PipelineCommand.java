package org.dml4j.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.dml4j.model.Devices;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The sequence the original scripts share, GPU check first: refuse {@code --use_gpu=True} on the
 * CPU build before anything is printed (exit 2; the original checked after its configuration
 * block, and True is the default), take the flags not given from the checkpoint loaded, validate
 * the flags into a configuration (exit 2), compare the given ones with the checkpoint (exit 4),
 * print the configuration block, then run.
 */
abstract class PipelineCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    /** Builds and validates the configuration; returns the work to do with it. */
    abstract Runnable prepare(PrintWriter out);

    /** The command's network flags. */
    abstract NetworkOptions network();

    /**
     * Takes the flags not given from the checkpoint this run loads ({@link CheckpointFlags}), before
     * the configuration is built; returns the comparison of the given ones to make once it is
     * built, or null (commands that load no model).
     */
    CheckpointFlags.Pending adoptCheckpointFlags(PrintWriter out) {
        return null;
    }

    /** Whether this run uses a device at all (eval of given features does not). */
    boolean needsDevice() {
        return true;
    }

    @Override
    public final Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (Dml4j.verbose(spec.commandLine())) {
            spec.findOption("--verbose").setValue(new PyBool(true));   // given before the command: shown as in effect
        }
        if (needsDevice()) {
            Devices.requireGpuSupport(network().useGpu.value());
        }
        CheckpointFlags.Pending pending = adoptCheckpointFlags(out);
        Runnable work = prepare(out);
        if (pending != null) {
            pending.requireCompatible();
        }
        ConfigBlock.print(spec, out);
        work.run();
        return ExitCodes.OK;
    }
}
