package org.dml4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dml4j.cli.CommandLineTest.Run;
import org.dml4j.data.TestData;
import org.dml4j.model.CheckpointInfo;
import org.dml4j.model.Checkpoints;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint knows what it is: commands that load one take the flags they were not given from it
 * and stop with exit code 4 on flags that contradict it; a fresh run does not mix its checkpoints
 * with an earlier run's.
 */
class CheckpointFlagsTest {
    @TempDir
    static Path dir;
    static Path data;
    static Path ckpt;

    /** One small run at 16 px (not the 224 px default): 3 iterations, checkpoints at 2 and 3. */
    @BeforeAll
    static void train() throws IOException {
        data = TestData.stripes(dir.resolve("data"), 3, 4, 4, 16, 7);
        Run r = CommandLineTest.run("train-elem", "--use_gpu=False", "--data_dir", data.toString(), "--model=ResNet18",
                "--image_shape=3,16,16", "--loss_name=arcmargin", "--arc_scale=8", "--class_dim=3",
                "--train_batch_size=6", "--total_iter_num=3", "--test_iter_step=1000", "--save_iter_step=2",
                "--lr=0.02", "--lr_steps=2", "--model_save_dir", dir.resolve("out").toString());
        assertEquals(0, r.code(), r.err());
        ckpt = dir.resolve("out/ResNet18/3");
    }

    private static String configValue(Run r, String name) {
        return CommandLineTest.configValue(r, name);
    }

    @Test
    void checkpointJsonRecordsWhatTheCheckpointIs() throws IOException {
        CheckpointInfo info = Checkpoints.info(ckpt);
        assertEquals(CheckpointInfo.FORMAT, info.format());
        assertEquals(3, info.iteration());
        assertEquals("3,16,16", info.flags().get("--image_shape"));
        assertEquals("0.02", info.flags().get("--lr"));
        assertEquals("2", info.flags().get("--lr_steps"));
        assertEquals(2, info.data().size());
        assertEquals(12, info.data().get(0).images());
        assertEquals(64, info.data().get(0).sha256().length());
        assertTrue(Files.readString(ckpt.resolve(Checkpoints.INFO_FILE)).contains("\"deeplearning4j\" : \"1.0.0-M2.1\""));
    }

    @Test
    void evalWithoutFlagsRunsTheNetworkAsItWasTrainedAndContradictingFlagsExitWith4() {
        Run plain = CommandLineTest.run("eval", "--use_gpu=False", "--data_dir", data.toString(), "--pretrained_model",
                ckpt.toString());
        assertEquals(0, plain.code(), plain.err());
        assertEquals("3,16,16", configValue(plain, "image_shape"), "not the 224 px default");
        assertEquals("ResNet18", configValue(plain, "model"));
        Run explicit = CommandLineTest.run("eval", "--use_gpu=False", "--data_dir", data.toString(), "--pretrained_model",
                ckpt.toString(), "--model=ResNet18", "--image_shape=3,16,16", "--embedding_size=0");
        assertEquals(recall(explicit), recall(plain));

        Run wrong = CommandLineTest.run("infer", "--use_gpu=False", "--data_dir", data.toString(), "--pretrained_model",
                ckpt.toString(), "--image_shape=3,224,224", "--model=ResNet50");
        assertEquals(ExitCodes.MODEL_MISMATCH, wrong.code(), wrong.err());
        assertTrue(wrong.err().contains("model mismatch: --pretrained_model " + ckpt + " was trained with other flags:"
                + " --model=ResNet50 here, ResNet18 in the checkpoint; --image_shape=3,224,224 here, 3,16,16 in the"
                + " checkpoint"), wrong.err());
        assertTrue(!wrong.out().contains("Configuration Arguments"), "stopped before anything ran");
    }

    @Test
    void resumeTakesTheCheckpointsFlagsAndRefusesOthers() {
        String out = dir.resolve("out").toString();
        Run resumed = CommandLineTest.run("train-elem", "--use_gpu=False", "--data_dir", data.toString(),
                "--checkpoint", ckpt.toString(), "--total_iter_num=4", "--test_iter_step=1000", "--save_iter_step=1000",
                "--model_save_dir", dir.resolve("resumed").toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("Resuming from " + ckpt + " at iteration 4"), resumed.out());
        assertEquals("arcmargin", configValue(resumed, "loss_name"));
        assertEquals("8.0", configValue(resumed, "arc_scale"));
        assertEquals("0.02", configValue(resumed, "lr"));
        assertEquals("3,16,16", configValue(resumed, "image_shape"));

        Run other = CommandLineTest.run("train-elem", "--use_gpu=False", "--data_dir", data.toString(),
                "--checkpoint", "latest", "--model=ResNet18", "--lr=0.1", "--seed=3", "--model_save_dir", out);
        assertEquals(ExitCodes.MODEL_MISMATCH, other.code(), other.err());
        assertTrue(other.err().contains("--checkpoint " + ckpt + " was trained with other flags: --seed=3 here, 0 in the"
                + " checkpoint; --lr=0.1 here, 0.02 in the checkpoint"), other.err());
    }

    @Test
    void aFreshRunDoesNotMixWithAnEarlierRunsCheckpoints() throws IOException {
        Path copy = dir.resolve("fresh/ResNet18");
        Files.createDirectories(copy);
        for (String it : new String[] {"2", "3"}) {
            Files.createDirectories(copy.resolve(it));
            for (String f : new String[] {Checkpoints.MODEL_FILE, Checkpoints.INFO_FILE}) {
                Files.copy(dir.resolve("out/ResNet18").resolve(it).resolve(f), copy.resolve(it).resolve(f));
            }
        }
        String[] fresh = {"train-elem", "--use_gpu=False", "--data_dir", data.toString(), "--model=ResNet18",
            "--image_shape=3,16,16", "--class_dim=3", "--train_batch_size=6", "--total_iter_num=1",
            "--test_iter_step=1000", "--save_iter_step=1000", "--model_save_dir", dir.resolve("fresh").toString()};
        Run refused = CommandLineTest.run(fresh);
        assertEquals(ExitCodes.USAGE, refused.code(), refused.err());
        assertTrue(refused.err().contains(copy + " already holds checkpoints of an earlier run (iterations 2, 3); resume"
                + " it with --checkpoint latest, choose another --model_save_dir, or pass --overwrite=True"), refused.err());
        assertEquals(java.util.List.of(2L, 3L), Checkpoints.iterations(copy), "nothing was touched");

        String[] replacing = java.util.Arrays.copyOf(fresh, fresh.length + 1);
        replacing[fresh.length] = "--overwrite=True";
        Run replaced = CommandLineTest.run(replacing);
        assertEquals(0, replaced.code(), replaced.err());
        assertEquals(java.util.List.of(1L), Checkpoints.iterations(copy), "only the new run's checkpoint");
    }

    @Test
    void fineTuningFromACheckpointTakesItsBackboneAndSize() {
        Run pair = CommandLineTest.run("train-pair", "--use_gpu=False", "--data_dir", data.toString(),
                "--pretrained_model", ckpt.toString(), "--loss_name=eml", "--samples_each_class=2",
                "--train_batch_size=6", "--total_iter_num=1", "--test_iter_step=1000", "--save_iter_step=1000",
                "--model_save_dir", dir.resolve("pair").toString());
        assertEquals(0, pair.code(), pair.err());
        assertEquals("ResNet18", configValue(pair, "model"));
        assertEquals("3,16,16", configValue(pair, "image_shape"));
        assertTrue(pair.out().contains("skipped 0 (shape)"), pair.out());

        Run bigger = CommandLineTest.run("train-pair", "--use_gpu=False", "--data_dir", data.toString(),
                "--pretrained_model", ckpt.toString(), "--image_shape=3,32,32", "--loss_name=eml",
                "--samples_each_class=2", "--train_batch_size=6", "--total_iter_num=1", "--test_iter_step=1000",
                "--save_iter_step=1000", "--model_save_dir", dir.resolve("pair32").toString());
        assertEquals(0, bigger.code(), bigger.err());
        assertTrue(bigger.out().contains("note: --pretrained_model " + ckpt + " was trained with --image_shape=3,16,16;"
                + " this run uses 3,32,32"), bigger.out());
    }

    @Test
    void aCheckpointOfTheOtherTrainingCommandIsAMismatchAndAMistypedFlagAUsageError() {
        Run pair = CommandLineTest.run("train-pair", "--use_gpu=False", "--data_dir", data.toString(),
                "--checkpoint", ckpt.toString(), "--model_save_dir", dir.resolve("pair-resume").toString());
        assertEquals(ExitCodes.MODEL_MISMATCH, pair.code(), pair.err());
        assertTrue(pair.err().contains("--checkpoint " + ckpt + " was trained with --loss_name=arcmargin, a loss of"
                + " train-elem; resume it with that command"), pair.err());

        String[][] typos = {
            {"eval", "--pretrained_model", ckpt.toString(), "--model=ResNet81"},
            {"infer", "--pretrained_model", ckpt.toString(), "--embedding_size=-1"},
            {"train-elem", "--checkpoint", ckpt.toString(), "--loss_name=arcmragin"},
            {"train-elem", "--checkpoint", ckpt.toString(), "--image_shape=3,16"},
        };
        for (String[] t : typos) {
            String[] args = java.util.Arrays.copyOf(t, t.length + 4);
            args[t.length] = "--use_gpu=False";
            args[t.length + 1] = "--data_dir";
            args[t.length + 2] = data.toString();
            args[t.length + 3] = "--model_save_dir=" + dir.resolve("typo");
            if (!t[0].startsWith("train")) {
                args = java.util.Arrays.copyOf(args, args.length - 1);
            }
            Run r = CommandLineTest.run(args);
            assertEquals(ExitCodes.USAGE, r.code(), String.join(" ", t) + ": " + r.err());
            assertTrue(r.err().contains(t[t.length - 1].substring(0, t[t.length - 1].indexOf('='))), r.err());
        }
    }

    private static String recall(Run r) {
        Matcher m = Pattern.compile("test_recall (\\S+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        return m.group(1);
    }
}
