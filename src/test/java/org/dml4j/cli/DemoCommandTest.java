package org.dml4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dml4j.cli.CommandLineTest.Run;
import org.dml4j.data.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README demo's pipeline, at a size that takes seconds, so it cannot silently break. */
class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void theDemoRunsEveryStageAndSaysWhereThingsWent() throws IOException {
        Path data = TestData.stripes(dir.resolve("data"), 4, 8, 4, 16, 7);
        Path out = dir.resolve("demo");
        Run r = CommandLineTest.run("demo", "--data_dir", data.toString(), "--output", out.toString(), "--image_size",
                "16", "--class_dim", "4", "--elem_iterations", "4", "--pair_iterations", "2", "--batch", "32");
        assertEquals(0, r.code(), r.err() + r.out());
        String summary = r.out().substring(r.out().indexOf("=== demo summary"));
        assertTrue(summary.matches("(?s).*untrained network \\(baseline\\):\\s+Recall@1 [0-9.]+, MAP@R [0-9.]+.*"), summary);
        assertTrue(summary.matches("(?s).*train-elem \\(arcmargin\\):\\s+Recall@1 [0-9.]+.*"), summary);
        assertTrue(summary.matches("(?s).*train-pair \\(eml\\):\\s+Recall@1 [0-9.]+.*"), summary);
        assertTrue(summary.matches("(?s).*eval \\(\\+ report\\):\\s+Recall@1 [0-9.]+, MAP@R [0-9.]+.*"), summary);
        assertTrue(summary.contains("infer:"), summary);
        assertTrue(Files.isRegularFile(out.resolve("report/report.html")));
        assertTrue(Files.isRegularFile(out.resolve("features/features.npy")));
        assertTrue(Files.isRegularFile(out.resolve("elem/ResNet18/training.png")));
        assertTrue(Files.isRegularFile(out.resolve("pair/ResNet18/2/model.zip")));
    }
}
