package org.dml4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dml4j.data.ImageShape;
import org.dml4j.error.ModelMismatchException;
import org.dml4j.loss.LossName;
import org.dml4j.model.CheckpointInfo;
import org.dml4j.model.Checkpoints;
import org.dml4j.model.Devices;
import org.dml4j.train.LrSchedule;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The one compatibility check of every command that loads a dml4j checkpoint: a flag the user did
 * not give takes the checkpoint's value (so {@code eval --pretrained_model CKPT} runs the network
 * as it was trained, at its image shape), and a flag the user gave that contradicts the checkpoint
 * stops the run with exit code 4, naming both values. Runs before the configuration is built and
 * printed, so the configuration block shows the values used.
 */
final class CheckpointFlags {
    private CheckpointFlags() {
    }

    /**
     * The checkpoint.json of {@code path} when it is a dml4j checkpoint (folder or model zip), else
     * null (imported weights, a bare model, nothing there: the loaders say what is wrong).
     */
    static CheckpointInfo infoOf(String path) {
        if (path == null) {
            return null;
        }
        Path p = Path.of(path);
        return Files.exists(p) ? Checkpoints.info(p) : null;
    }

    /**
     * Adopts {@code info}'s values for the command's options in {@code strict} and {@code lenient}
     * that were not given. The given ones are compared by {@link Pending#requireCompatible} once the
     * configuration is built, so that an invalid given value is a usage error (2) rather than a
     * mismatch (4).
     *
     * @param source  the flag and value that named the checkpoint, for messages
     * @param strict  flags whose given value must equal the checkpoint's
     * @param lenient flags that may differ (fine-tuning at another size): a note says so
     * @return the comparison still to make
     */
    static Pending adopt(CommandSpec spec, CheckpointInfo info, String source, Collection<String> strict,
                         Collection<String> lenient, PrintWriter out) {
        ParseResult given = spec.commandLine().getParseResult();
        Map<String, String> stored = info.flags();
        List<String> wanted = new ArrayList<>(strict);
        wanted.addAll(lenient);
        for (String flag : wanted) {
            OptionSpec option = spec.findOption(flag);
            String value = stored.get(flag);
            if (option != null && value != null && !given.hasMatchedOption(flag)) {
                option.setValue(typed(option, value));
            }
        }
        if (info.imageShape() == null && spec.findOption("--image_shape") != null
                && !given.hasMatchedOption("--image_shape")) {
            out.println("note: " + source + " was written before dml4j recorded the image shape; using --image_shape="
                    + spec.findOption("--image_shape").getValue() + " (pass the shape it was trained at)");
        }
        out.flush();
        return new Pending(spec, info, source, List.copyOf(strict), List.copyOf(lenient), out);
    }

    /** The comparison of the given flags with the checkpoint, made after they were validated. */
    record Pending(CommandSpec spec, CheckpointInfo info, String source, List<String> strict, List<String> lenient,
                   PrintWriter out) {
        /**
         * @throws ModelMismatchException naming every strict flag given with another value than the checkpoint's
         */
        void requireCompatible() {
            ParseResult given = spec.commandLine().getParseResult();
            Map<String, String> stored = info.flags();
            Map<String, String> requested = new LinkedHashMap<>();
            for (String flag : strict) {
                if (spec.findOption(flag) != null && given.hasMatchedOption(flag)) {
                    requested.put(flag, canonical(flag, spec.findOption(flag).getValue(), spec));
                }
            }
            info.requireCompatible(requested, strict, source);
            for (String flag : lenient) {
                String value = stored.get(flag);
                if (spec.findOption(flag) != null && value != null && given.hasMatchedOption(flag)) {
                    String here = canonical(flag, spec.findOption(flag).getValue(), spec);
                    if (!here.equals(value)) {
                        out.println("note: " + source + " was trained with " + flag + "=" + value + "; this run uses "
                                + here);
                    }
                }
            }
            out.flush();
        }
    }

    /**
     * A checkpoint of the other training command cannot be resumed by this one, whatever
     * {@code --loss_name} says.
     *
     * @throws ModelMismatchException naming the loss and the command that resumes it
     */
    static void requireLossOfThisCommand(CheckpointInfo info, CommandSpec spec, String source) {
        String stored = info.training().lossName();
        boolean pair = PAIR_COMMAND.equals(spec.name());
        if (LossName.find(stored).pair() != pair) {
            throw new ModelMismatchException(source + " was trained with --loss_name=" + stored + ", a loss of "
                    + (pair ? "train-elem" : PAIR_COMMAND) + "; resume it with that command");
        }
    }

    /** The command whose losses are the pair losses. */
    static final String PAIR_COMMAND = "train-pair";

    /**
     * A flag's value as checkpoint.json writes it, so that the two compare as text (called after
     * the configuration was built from the same values, so they are valid).
     */
    private static String canonical(String flag, Object value, CommandSpec spec) {
        if (value instanceof PyBool b) {
            return Boolean.toString(b.value());
        }
        if (value instanceof Double d) {
            return Double.toString(d);
        }
        String text = String.valueOf(value);
        return switch (flag) {
            case "--image_shape" -> ImageShape.parse(text).toString();
            case "--lr_steps" -> LrSchedule.parse(1, LrSchedule.PIECEWISE_DECAY, text).steps();
            case "--num_shards" -> effectiveShards(Integer.parseInt(text), spec);
            case "--num_devices" -> Integer.toString(devices(spec));
            default -> text;
        };
    }

    /**
     * A checkpoint stores the loss shards in effect: one per device when {@code --num_shards} is 1
     * (docs/ORIGINAL.md §5.8), so a given value is compared in those terms.
     */
    private static String effectiveShards(int shards, CommandSpec spec) {
        return Integer.toString(shards == 1 ? devices(spec) : shards);
    }

    /** {@code --num_devices} as the run resolves it (0: every visible GPU, or 1). */
    private static int devices(CommandSpec spec) {
        OptionSpec devices = spec.findOption("--num_devices");
        OptionSpec gpu = spec.findOption("--use_gpu");
        return devices == null ? 1 : Devices.replicas((Integer) devices.getValue(),
                gpu != null && ((PyBool) gpu.getValue()).value());
    }

    /** The option's value for a stored text value (its own type). */
    private static Object typed(OptionSpec option, String stored) {
        Class<?> type = option.type();
        if (type == int.class || type == Integer.class) {
            return Integer.valueOf(stored);
        }
        if (type == long.class || type == Long.class) {
            return Long.valueOf(stored);
        }
        if (type == double.class || type == Double.class) {
            return Double.valueOf(stored);
        }
        if (type == PyBool.class) {
            return new PyBool(Boolean.parseBoolean(stored));
        }
        return stored;
    }
}
