package org.dml4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dml4j.cli.CommandLineTest.Run;
import org.dml4j.data.ImageShape;
import org.dml4j.data.Split;
import org.dml4j.data.TestData;
import org.dml4j.error.DataException;
import org.dml4j.eval.Npy;
import org.dml4j.model.Architecture;
import org.dml4j.model.Backbones;
import org.dml4j.model.CheckpointInfo;
import org.dml4j.model.Checkpoints;
import org.dml4j.model.EmbeddingNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inputs users actually have, through the commands: degenerate embeddings, odd label files,
 * images with data after their end, and data sets too small for what is asked.
 */
class RealWorldInputsTest {
    @TempDir
    Path dir;

    private static final String[] SMALL = {"--use_gpu=False", "--model=ResNet18", "--image_shape=3,16,16"};

    private Path npy(String name, float[][] rows) throws IOException {
        Path f = dir.resolve(name);
        try (OutputStream o = Files.newOutputStream(f)) {
            Npy.write(Nd4j.createFromArray(rows), o);
        }
        return f;
    }

    /** {@code command}, the small-network flags, then {@code rest}. */
    private static String[] small(String command, String... rest) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(SMALL));
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }

    private static final float[][] ISSUE_ROWS = {{0, 0}, {1, 0}, {0.9f, 0.1f}, {0, 1}, {0.1f, 0.9f}, {0.95f, 0.05f}};

    @Test
    void evalOfTheIssuesFeaturesGivesTheRulesValuesWhateverTheLabelFileLooksLike() throws IOException {
        Path features = npy("f.npy", ISSUE_ROWS);
        Map<String, byte[]> labelFiles = Map.of(
                "plain.txt", "7\n0\n1\n1\n0\n0\n".getBytes(StandardCharsets.UTF_8),
                "bom.txt", "\uFEFF7\r\n0\r\n1\r\n1\r\n0\r\n0\r\n".getBytes(StandardCharsets.UTF_8),
                "wide.txt", "9876543210123\n0\n1\n1\n0\n0\n".getBytes(StandardCharsets.UTF_8),
                "savetxt.txt", "7.000000000000000000e+00\n0.0\n1.0\n1.0\n0.0\n0.0\n".getBytes(StandardCharsets.UTF_8));
        for (var labels : labelFiles.entrySet()) {
            Path l = Files.write(dir.resolve(labels.getKey()), labels.getValue());
            Path json = dir.resolve(labels.getKey() + ".json");
            Run r = CommandLineTest.run("eval", "--features", features.toString(), "--labels", l.toString(),
                    "--output_json", json.toString());
            assertEquals(0, r.code(), labels.getKey() + ": " + r.err());
            assertTrue(r.out().contains("Recall@1        0.33333\nRecall@5        0.83333\nMAP@R           0.20000\n"),
                    labels.getKey() + ": " + r.out());
            String j = Files.readString(json);
            assertTrue(j.contains("\"recall@1\" : 0.3333333333333333") && j.contains("\"map@r\" : 0.2"), j);
        }
    }

    @Test
    void nonFiniteFeaturesInAnyRowStopEvalNamingTheRowAndNothingIsOverwritten() throws IOException {
        Path labels = Files.writeString(dir.resolve("l.txt"), "7\n0\n1\n1\n0\n0\n");
        Path json = Files.writeString(dir.resolve("m.json"), "an earlier result");
        for (int row : new int[] {0, 3, 5}) {
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                float[][] x = new float[6][];
                for (int i = 0; i < 6; i++) {
                    x[i] = ISSUE_ROWS[i].clone();
                }
                x[row][1] = bad;
                Path f = npy("bad.npy", x);
                Run r = CommandLineTest.run("eval", "--features", f.toString(), "--labels", labels.toString(),
                        "--output_json", json.toString());
                assertEquals(ExitCodes.DATA, r.code(), r.err());
                assertTrue(r.err().contains(f + ": 1 of 6 embeddings hold NaN or infinite values"), r.err());
                assertTrue(r.err().contains("row " + row + ": " + bad + " in column 1"), r.err());
            }
        }
        assertEquals("an earlier result", Files.readString(json));
    }

    @Test
    void tooLittleDataIsADataErrorSayingWhatIsNeeded() throws IOException {
        Run one = CommandLineTest.run("eval", "--features", npy("one.npy", new float[][] {{1, 2}}).toString(),
                "--labels", Files.writeString(dir.resolve("one.txt"), "3\n").toString());
        assertEquals(ExitCodes.DATA, one.code(), one.err());
        assertTrue(one.err().contains("one.npy: retrieval needs at least 2 images (each query is compared with the"
                + " others), got 1"), one.err());

        Path empty = org.dml4j.eval.LabelFileTest.npy(dir.resolve("empty.npy"), "<f4", "(0, 4)", new byte[0]);
        Run none = CommandLineTest.run("eval", "--features", empty.toString(), "--labels", dir.resolve("one.txt").toString());
        assertEquals(ExitCodes.DATA, none.code(), none.err());
        assertTrue(none.err().contains("an empty array (shape (0, 4))"), none.err());

        Path json = dir.resolve("lone.json");
        Run lone = CommandLineTest.run("eval", "--features", npy("three.npy", new float[][] {{1, 0}, {0, 1}, {1, 1}})
                .toString(), "--labels", Files.writeString(dir.resolve("three.txt"), "1\n2\n3\n").toString(),
                "--output_json", json.toString());
        assertEquals(0, lone.code(), lone.err());
        assertTrue(lone.out().contains("MAP@R           n/a (no label occurs twice)"), lone.out());
        assertTrue(Files.readString(json).contains("\"map@r\" : null"), "valid JSON, not NaN: " + Files.readString(json));

        Path data = TestData.sopLike(dir.resolve("data"), new int[] {2, 2}, new int[] {1});
        Run eval = CommandLineTest.run(small("eval", "--data_dir", data.toString()));
        assertEquals(ExitCodes.DATA, eval.code(), eval.err());
        assertTrue(eval.err().contains("Ebay_test.txt (after leaving out unreadable images): retrieval needs at least"
                + " 2 images"), eval.err());
        Path out = dir.resolve("out");
        Run train = CommandLineTest.run(small("train-elem", "--data_dir", data.toString(), "--class_dim=2",
                "--train_batch_size=2", "--total_iter_num=3", "--test_iter_step=2", "--model_save_dir", out.toString()));
        assertEquals(ExitCodes.DATA, train.code(), train.err());
        assertTrue(train.err().contains("the periodic test every --test_iter_step=2 iterations"), train.err());
        assertFalse(train.out().contains("trainbatch"), "stopped before the first step");
        assertFalse(Files.exists(out.resolve("ResNet18/0")), "no checkpoint");
    }

    @Test
    void searchGivesZeroRowsCosineZeroAndRefusesNonFiniteOnes() throws IOException {
        Path data = TestData.stripes(dir.resolve("data"), 2, 2, 3, 16, 5);
        Path index = dir.resolve("index");
        Run infer = CommandLineTest.run(small("infer", "--data_dir", data.toString(), "--output", index.toString()));
        assertEquals(0, infer.code(), infer.err());
        INDArray f = Npy.read(index.resolve("features.npy"));
        f.getRow(0).assign(0);
        try (OutputStream o = Files.newOutputStream(index.resolve("features.npy"))) {
            Npy.write(f, o);
        }
        List<String> paths = Files.readAllLines(index.resolve("paths.txt"));
        Run search = CommandLineTest.run(small("search", "--index", index.toString(), "--query",
                data.resolve(paths.get(3)).toString(), "--top", "6"));
        assertEquals(0, search.code(), search.err());
        List<String> hits = search.outLines().stream().filter(l -> l.matches("\\s+\\d+\\s+\\S+\\s+\\S+")).toList();
        assertTrue(hits.get(0).matches("\\s+1\\s+1\\.0000\\s+" + paths.get(3)), hits.get(0));
        String zero = hits.stream().filter(h -> h.endsWith(" " + paths.get(0))).findFirst().orElseThrow();
        assertTrue(zero.matches("\\s+\\d\\s+0\\.0000\\s+.*"), "the zero row has cosine 0, not NaN: " + zero);

        List<String> evil = new ArrayList<>(paths);
        evil.set(5, "red\u001B[31m.png");
        Files.write(index.resolve("paths.txt"), evil);
        Run escaped = CommandLineTest.run(small("search", "--index", index.toString(), "--query",
                data.resolve(paths.get(3)).toString(), "--top", "6"));
        assertTrue(escaped.out().contains("red\\u001B[31m.png") && !escaped.out().contains("\u001B"),
                "a terminal escape in a file name is printed escaped: " + escaped.out());
        Files.write(index.resolve("paths.txt"), paths);

        Run missing = CommandLineTest.run(small("search", "--index", index.toString(), "--query",
                dir.resolve("nothing.jpg").toString()));
        assertEquals(ExitCodes.DATA, missing.code(), missing.err());
        assertTrue(missing.err().trim().endsWith("data error: " + dir.resolve("nothing.jpg") + ": missing"), missing.err());

        f.putScalar(4, 1, Float.NaN);
        try (OutputStream o = Files.newOutputStream(index.resolve("features.npy"))) {
            Npy.write(f, o);
        }
        Run nan = CommandLineTest.run(small("search", "--index", index.toString(), "--query",
                data.resolve(paths.get(3)).toString()));
        assertEquals(ExitCodes.DATA, nan.code(), nan.err());
        assertTrue(nan.err().contains("row 4 (" + paths.get(4) + "): NaN in column 1"), nan.err());

    }

    @Test
    void aModelWithNonFiniteParametersIsRefusedAndEarlierFeaturesStay() throws IOException {
        Path data = TestData.stripes(dir.resolve("data"), 2, 2, 2, 16, 6);
        Architecture arch = new Architecture(Backbones.parse("ResNet18"), ImageShape.parse("3,16,16"), 0, false);
        ComputationGraph net = EmbeddingNetwork.forInference(arch, 0);
        Path ckpt = Checkpoints.save(net, dir.resolve("models"), CheckpointInfo.of(arch,
                EmbeddingNetwork.embeddingVertex(arch), 0));
        net.getLayer("conv1").getParam("W").assign(Float.NaN);
        ModelSerializer.writeModel(net, ckpt.resolve(Checkpoints.MODEL_FILE).toFile(), false);
        Path out = Files.createDirectories(dir.resolve("features"));
        Files.writeString(out.resolve("features.npy"), "earlier");
        Map<String, String[]> runs = Map.of(
                "infer", small("infer", "--data_dir", data.toString(), "--pretrained_model", ckpt.toString(), "--output",
                        out.toString()),
                "eval", small("eval", "--data_dir", data.toString(), "--pretrained_model", ckpt.toString()),
                "train-elem", small("train-elem", "--data_dir", data.toString(), "--pretrained_model", ckpt.toString(),
                        "--class_dim=2", "--train_batch_size=2", "--total_iter_num=1", "--model_save_dir",
                        dir.resolve("run").toString()));
        for (var run : runs.entrySet()) {
            Run r = CommandLineTest.run(run.getValue());
            assertEquals(ExitCodes.DATA, r.code(), run.getKey() + ": " + r.err());
            assertTrue(r.err().contains("model.zip: holds parameters that are not finite (NaN or infinite), first in"
                    + " conv1_W"), run.getKey() + ": " + r.err());
        }
        assertEquals("earlier", Files.readString(out.resolve("features.npy")));
    }

    @Test
    void nonFiniteEmbeddingsOfImagesNameTheImagesAndSayWhenEveryOneIsBad() throws IOException {
        Path data = TestData.stripes(dir.resolve("data"), 2, 2, 2, 16, 6);
        org.dml4j.data.ImageList test = org.dml4j.data.ImageList.read(data, Split.TEST);
        INDArray x = Nd4j.rand(4, 3);
        x.putScalar(2, 1, Float.POSITIVE_INFINITY);
        var some = new org.dml4j.inference.EmbeddingModel.Features(x, new int[4]);
        String m = org.junit.jupiter.api.Assertions.assertThrows(org.dml4j.error.DataException.class,
                () -> org.dml4j.inference.EmbeddingModel.requireFinite(some, test, "embeddings")).getMessage();
        assertTrue(m.startsWith("embeddings: 1 of 4 embeddings hold NaN or infinite values"), m);
        assertTrue(m.contains(data.resolve("c102/0.png") + " (list line 4): Infinity in column 1"), m);
        var all = new org.dml4j.inference.EmbeddingModel.Features(Nd4j.zeros(4, 3).assign(Float.NaN), new int[4]);
        m = org.junit.jupiter.api.Assertions.assertThrows(org.dml4j.error.DataException.class,
                () -> org.dml4j.inference.EmbeddingModel.requireFinite(all, test, "embeddings")).getMessage();
        assertTrue(m.startsWith("embeddings (every image: the model's parameters are probably not finite): 4 of 4"), m);
    }

    @Test
    void labelsThatCarryNoInformationAreSaidToBeSo() throws IOException {
        Path f = npy("f.npy", ISSUE_ROWS);
        Run unlabelled = CommandLineTest.run("eval", "--features", f.toString(), "--labels",
                Files.writeString(dir.resolve("minus.txt"), "-1\n".repeat(6)).toString());
        assertEquals(ExitCodes.DATA, unlabelled.code(), unlabelled.err());
        assertTrue(unlabelled.err().contains("every label is -1, which infer writes for images without a label"),
                unlabelled.err());
        Run one = CommandLineTest.run("eval", "--features", f.toString(), "--labels",
                Files.writeString(dir.resolve("same.txt"), "4\n".repeat(6)).toString());
        assertEquals(0, one.code(), one.err());
        assertTrue(one.out().contains("warning: all 6 images have the same label, so every neighbour is a hit"),
                one.out());
    }

    @Test
    void aRunStoppedByBadDataBeforeItsFirstStepLeavesNoMetricsFile() throws IOException {
        Path data = TestData.sopLike(dir.resolve("data"), new int[] {2, 2}, new int[] {2});
        Files.write(data.resolve("class_1/0.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0});
        Path out = dir.resolve("out");
        Run r = CommandLineTest.run(small("train-elem", "--data_dir", data.toString(), "--class_dim=2",
                "--train_batch_size=4", "--total_iter_num=2", "--check_images=False", "--model_save_dir",
                out.toString()));
        assertEquals(ExitCodes.DATA, r.code(), r.err());
        assertTrue(r.err().contains(data.resolve("class_1/0.png") + " (list line 2): failed to load")
                || r.err().contains(data.resolve("class_1/0.png") + ": not a decodable image"), r.err());
        assertFalse(Files.exists(out.resolve("ResNet18/metrics.csv")), "no header-only metrics.csv");
    }

    @Test
    void imagesWithDataAfterTheirEndGiveTheirCleanTwinsFeatures() throws IOException {
        Path root = Files.createDirectories(dir.resolve("twins"));
        byte[] trailer = new byte[2048];
        new java.util.Random(3).nextBytes(trailer);
        List<String> lines = new ArrayList<>(List.of("image_id class_id super_class_id path"));
        int id = 1;
        for (String ext : List.of("png", "jpg")) {
            for (int k = 0; k < 3; k++) {
                Path clean = root.resolve("clean_" + k + "." + ext);
                TestData.png(root.resolve("tmp.png"), TestData.pattern(20, 14, 10 * k + ext.length()));
                if (ext.equals("jpg")) {
                    try (var m = org.dml4j.data.ImageTransform.decode(root.resolve("tmp.png"))) {
                        org.bytedeco.opencv.global.opencv_imgcodecs.imwrite(clean.toString(), m);
                    }
                } else {
                    Files.copy(root.resolve("tmp.png"), clean);
                }
                byte[] bytes = Files.readAllBytes(clean);
                byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + trailer.length);
                System.arraycopy(trailer, 0, longer, bytes.length, trailer.length);
                Files.write(root.resolve("trailer_" + k + "." + ext), longer);
                lines.add(id++ + " 1 1 clean_" + k + "." + ext);
                lines.add(id++ + " 1 1 trailer_" + k + "." + ext);
            }
        }
        Files.write(root.resolve(Split.TEST.listFileName()), lines);
        Run r = CommandLineTest.run(small("infer", "--data_dir", root.toString(), "--output",
                dir.resolve("f").toString()));
        assertEquals(0, r.code(), r.err());
        INDArray f = Npy.read(dir.resolve("f/features.npy"));
        assertEquals(12, f.size(0), "no image was left out");
        for (int i = 0; i < 12; i += 2) {
            assertArrayEquals(f.getRow(i).toFloatVector(), f.getRow(i + 1).toFloatVector(), 0f, lines.get(i + 2));
        }
    }
}
