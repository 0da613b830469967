package org.dml4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dml4j.cli.CommandLineTest.Run;
import org.junit.jupiter.api.Test;

/** The benchmark commands run end to end at a tiny size (what they measure is not asserted: no timing in tests). */
class BenchCommandTest {
    @Test
    void inferAndTrainRunAndProfileEveryLayerKind() {
        Run infer = CommandLineTest.run("bench", "infer", "--model", "ResNet18", "--size", "32", "--batch", "2",
                "--warmup", "0", "--steps", "1", "--profile");
        assertEquals(0, infer.code(), infer.err());
        assertTrue(infer.out().contains("infer ResNet18 3x32x32 batch 2"), infer.out());
        assertTrue(infer.out().contains("profile (inference mode") && infer.out().contains("GemmConvolution 3x3/1 forward"),
                infer.out());

        Run train = CommandLineTest.run("bench", "train", "--model", "ResNet18", "--size", "32", "--batch", "4",
                "--warmup", "0", "--steps", "1", "--devices", "2", "--profile");
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("devices 2: median step"), train.out());
        assertTrue(train.out().contains("GemmConvolution 3x3/1 backward") && train.out().contains("RegularizedBatchNorm backward"),
                train.out());
    }

    @Test
    void scanCountsWhatTheScanFinds(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        org.dml4j.data.TestData.sopLike(dir, new int[] {2, 1}, new int[] {2});
        java.nio.file.Files.writeString(dir.resolve("class_2/0.png"), "not an image");
        Run scan = CommandLineTest.run("bench", "scan", "--data_dir", dir.toString(), "--passes", "2");
        assertEquals(0, scan.code(), scan.err());
        assertTrue(scan.out().contains("scan benchmark: 5 images"), scan.out());
        assertEquals(2, scan.outLines().stream().filter(l -> l.matches("[12] .* 1")).count(), "one problem per pass: "
                + scan.out());
    }
}
