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

    /** A copy of the checkpoint folder (under {@code name}/ResNet18/3) with its checkpoint.json edited. */
    private static Path edited(String name, java.util.function.UnaryOperator<String> edit) throws IOException {
        Path copy = Files.createDirectories(dir.resolve("edited").resolve(name).resolve("ResNet18/3"));
        Files.copy(ckpt.resolve(Checkpoints.MODEL_FILE), copy.resolve(Checkpoints.MODEL_FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String json = Files.readString(ckpt.resolve(Checkpoints.INFO_FILE));
        String changed = edit.apply(json);
        assertTrue(!changed.equals(json), name + ": the edit changed nothing");
        Files.writeString(copy.resolve(Checkpoints.INFO_FILE), changed);
        return copy;
    }

    private static Run resume(Path from, String... more) {
        String[] args = {"train-elem", "--use_gpu=False", "--data_dir", data.toString(), "--checkpoint", from.toString(),
            "--test_iter_step=1000", "--save_iter_step=1000", "--model_save_dir",
            dir.resolve("resumed-" + from.getParent().getParent().getFileName()).toString()};
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return CommandLineTest.run(all);
    }

    @Test
    void storedValuesNoRunAcceptsAreDataErrorsNamingTheFile() throws IOException {
        String[][] cases = {
            {"null", "whole", "holds null, not a checkpoint description"},
            {"iter-neg", "\"iteration\" : 3,|\"iteration\" : -7,", "field 'iteration' must be between -1 and 2147483647"},
            {"iter-max", "\"iteration\" : 3,|\"iteration\" : 9223372036854775807,", "field 'iteration' must be between"},
            {"batch", "\"train_batch_size\" : 6|\"train_batch_size\" : 0", "holds a value no run accepts:"
                + " --train_batch_size must be >= 1, got 0"},
            {"lr", "\"lr\" : 0.02|\"lr\" : -0.5", "holds a value no run accepts: --lr must be a positive number"},
            {"strategy", "\"piecewise_decay\"|\"cosine\"", "holds a value no run accepts: --lr_strategy"},
            {"steps", "\"lr_steps\" : \"2\"|\"lr_steps\" : \"abc\"", "holds a value no run accepts: --lr_steps"},
            {"scale", "\"arc_scale\" : 8.0|\"arc_scale\" : -80.0", "holds a value no run accepts: --arc_scale must be > 0"},
            {"devices", "\"num_devices\" : 1|\"num_devices\" : 0", "holds a value no run accepts: --num_devices must be >= 1"},
            {"loss", "\"arcmargin\"|\"bogus\"", "field 'loss_name' names no loss of dml4j ('bogus'"},
            {"stride", "\"stride_in_1x1\" : false|\"stride_in_1x1\" : true", "field 'stride_in_1x1' is true, but"
                + " ResNet18 has no bottleneck blocks"},
            {"vertex", "\"embedding_vertex\" : \"pool5\"|\"embedding_vertex\" : \"fc_0\"",
                "field 'embedding_vertex' must be 'pool5' for embedding_size 0"},
        };
        for (String[] c : cases) {
            Path bad = edited(c[0], json -> c[1].equals("whole") ? "null" : json.replace(c[1].split("\\|")[0],
                    c[1].split("\\|")[1]));
            Run r = resume(bad, "--total_iter_num=5");
            assertEquals(ExitCodes.DATA, r.code(), c[0] + ": " + r.err());
            assertTrue(r.err().contains("data error: " + bad.resolve(Checkpoints.INFO_FILE) + ": " + c[2]), r.err());
            assertTrue(!r.out().contains("Configuration Arguments"), c[0] + ": stopped before anything ran");
        }
        Path stride = dir.resolve("edited/stride/ResNet18/3");
        Run eval = CommandLineTest.run("eval", "--use_gpu=False", "--data_dir", data.toString(), "--pretrained_model",
                stride.toString());
        assertEquals(ExitCodes.DATA, eval.code(), "eval reads the same file the same way: " + eval.err());
    }

    @Test
    void resumeRefusesWhatIsNotAnExactResumeAndSaysWhatToDo() throws IOException {
        Path noTraining = edited("no-training", json -> json.replaceAll("(?s)\"training\" : \\{.*?\\},\n  \"data\"",
                "\"data\""));
        Run r = resume(noTraining, "--total_iter_num=5");
        assertEquals(ExitCodes.MODEL_MISMATCH, r.code(), r.err());
        assertTrue(r.err().contains("holds no training state (loss, batch, schedule), so it cannot be resumed exactly;"
                + " start from it with --pretrained_model instead"), r.err());

        Run both = resume(ckpt, "--pretrained_model", ckpt.toString());
        assertEquals(ExitCodes.USAGE, both.code(), both.err());
        assertTrue(both.err().contains("--checkpoint resumes a run with its own weights"), both.err());

        for (String[] typo : new String[][] {{"--train_batch_size=-6", "--train_batch_size must be >= 1"},
            {"--lr=-1", "--lr must be a positive number"}, {"--lr_strategy=cosine", "--lr_strategy: only"},
            {"--arc_scale=NaN", "--arc_scale must be > 0"}, {"--num_devices=-1", "--num_devices must be >= 0"}}) {
            Run t = resume(ckpt, typo[0]);
            assertEquals(ExitCodes.USAGE, t.code(), typo[0] + ": an invalid value is a usage error, not a mismatch: "
                    + t.err());
            assertTrue(t.err().contains(typo[1]), t.err());
        }

        Run done = resume(ckpt, "--total_iter_num=3");
        assertEquals(0, done.code(), done.err());
        assertTrue(done.out().contains("note: " + ckpt + " is at iteration 3, at or past --total_iter_num=3: nothing"
                + " to train"), done.out());

        Run latest = CommandLineTest.run("train-elem", "--use_gpu=False", "--data_dir", data.toString(),
                "--checkpoint", "latest", "--model_save_dir", dir.resolve("out").toString());
        assertEquals(ExitCodes.USAGE, latest.code(), latest.err());
        assertTrue(latest.err().contains("has checkpoints of ResNet18: pass --model=ResNet18"), latest.err());

        Run pairWithLoss = CommandLineTest.run("train-pair", "--use_gpu=False", "--data_dir", data.toString(),
                "--checkpoint", ckpt.toString(), "--loss_name=eml", "--model_save_dir", dir.resolve("pl").toString());
        assertEquals(ExitCodes.MODEL_MISMATCH, pairWithLoss.code(), pairWithLoss.err());
        assertTrue(pairWithLoss.err().contains("a loss of train-elem; resume it with that command"), pairWithLoss.err());
    }

    @Test
    void resumingAnEarlierCheckpointDoesNotMixWithTheLaterOnes() throws IOException {
        Path run = dir.resolve("branch/ResNet18");
        for (String it : new String[] {"2", "3"}) {
            Files.createDirectories(run.resolve(it));
            for (String f : new String[] {Checkpoints.MODEL_FILE, Checkpoints.INFO_FILE}) {
                Files.copy(dir.resolve("out/ResNet18").resolve(it).resolve(f), run.resolve(it).resolve(f));
            }
        }
        String[] args = {"train-elem", "--use_gpu=False", "--data_dir", data.toString(), "--checkpoint",
            run.resolve("2").toString(), "--total_iter_num=3", "--test_iter_step=1000", "--save_iter_step=1000",
            "--model_save_dir", dir.resolve("branch").toString()};
        Run refused = CommandLineTest.run(args);
        assertEquals(ExitCodes.USAGE, refused.code(), refused.err());
        assertTrue(refused.err().contains(run + " holds checkpoints after iteration 2 (3), which this resume would mix"
                + " with its own"), refused.err());
        String[] overwrite = java.util.Arrays.copyOf(args, args.length + 1);
        overwrite[args.length] = "--overwrite=True";
        Run replaced = CommandLineTest.run(overwrite);
        assertEquals(0, replaced.code(), replaced.err());
        assertTrue(replaced.out().contains("removed checkpoint " + run.resolve("3")), replaced.out());
        assertEquals(java.util.List.of(2L, 3L), Checkpoints.iterations(run), "3 is this run's own now");
    }

    @Test
    void aModelZipWithoutItsDescriptionIsCheckedAgainstTheFlags() throws IOException {
        Path renamed = dir.resolve("renamed.zip");
        Files.copy(ckpt.resolve(Checkpoints.MODEL_FILE), renamed, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Run wrongModel = CommandLineTest.run("eval", "--use_gpu=False", "--data_dir", data.toString(),
                "--pretrained_model", renamed.toString());
        assertEquals(ExitCodes.MODEL_MISMATCH, wrongModel.code(), wrongModel.err());
        assertTrue(wrongModel.err().contains(renamed + " holds ResNet18, not --model=ResNet50"), wrongModel.err());
        Run wrongWidth = CommandLineTest.run("eval", "--use_gpu=False", "--data_dir", data.toString(),
                "--pretrained_model", renamed.toString(), "--model=ResNet18", "--embedding_size=16");
        assertEquals(ExitCodes.MODEL_MISMATCH, wrongWidth.code(), wrongWidth.err());
        assertTrue(wrongWidth.err().contains("has no fc_0 (pooled features): pass --embedding_size=0, not 16"),
                wrongWidth.err());
        Run fine = CommandLineTest.run("eval", "--use_gpu=False", "--data_dir", data.toString(),
                "--pretrained_model", renamed.toString(), "--model=ResNet18", "--image_shape=3,16,16");
        assertEquals(0, fine.code(), fine.err());
        assertTrue(fine.out().contains("has no checkpoint.json beside it saying its image shape"), fine.out());
        assertEquals(recall(CommandLineTest.run("eval", "--use_gpu=False", "--data_dir", data.toString(),
                "--pretrained_model", ckpt.toString())), recall(fine));
    }

    private static String recall(Run r) {
        Matcher m = Pattern.compile("test_recall (\\S+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        return m.group(1);
    }
}
