package org.dml4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dml4j.cli.CommandLineTest.Run;
import org.dml4j.data.DataConfig;
import org.dml4j.data.ImageShape;
import org.dml4j.data.TestData;
import org.dml4j.error.UsageException;
import org.dml4j.eval.EvalConfig;
import org.dml4j.eval.Npy;
import org.dml4j.inference.EmbeddingModel;
import org.dml4j.model.Architecture;
import org.dml4j.model.Checkpoints;
import org.dml4j.model.ResNet;
import org.dml4j.model.weights.PaddleParamsTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** eval and infer through the command line on a tiny trained model. */
class EvalInferTest {
    @TempDir
    Path dir;

    private static String recall(String text, String pattern) {
        Matcher m = Pattern.compile(pattern).matcher(text);
        assertTrue(m.find(), text);
        return m.group(1);
    }

    @Test
    void evalReproducesTheTrainersTestRecallAndInferIsIndependentOfWorkers() throws IOException {
        Path data = TestData.stripes(dir.resolve("data"), 4, 8, 6, 16, 4);
        String[] common = {"--use_gpu=False", "--data_dir", data.toString(), "--model=ResNet18",
            "--image_shape=3,16,16"};
        Run train = CommandLineTest.run(concat(new String[] {"train-elem", "--loss_name=arcmargin", "--class_dim=4",
            "--train_batch_size=8", "--total_iter_num=4", "--test_iter_step=4", "--save_iter_step=4",
            "--test_batch_size=5", "--arc_scale=8", "--model_save_dir", dir.resolve("out").toString()}, common));
        assertEquals(0, train.code(), train.err());
        String trained = recall(train.out(), "test_img_num 24, trainbatch 4, test_recall (\\S+)");

        Run onnx = CommandLineTest.run(concat(new String[] {"eval", "--engine", "onnxruntime", "--pretrained_model",
            dir.resolve("out/ResNet18/4").toString()}, common));
        assertEquals(0, onnx.code(), onnx.err());
        assertEquals(trained, recall(onnx.out(), "End test 24, test_recall (\\S+)"), "ONNX Runtime ranks as DL4J does");
        Run badEngine = CommandLineTest.run(concat(new String[] {"infer", "--engine", "tensorrt"}, common));
        assertEquals(ExitCodes.USAGE, badEngine.code(), badEngine.err());
        assertTrue(badEngine.err().contains("--engine: expected dl4j or onnxruntime, got 'tensorrt'"), badEngine.err());
        Run onGpu = CommandLineTest.run("search", "--engine", "onnxruntime", "--index", dir.toString(), "--query",
                dir.toString());
        assertEquals(ExitCodes.USAGE, onGpu.code(), onGpu.err());
        assertTrue(onGpu.err().contains("this build runs on the CPU: pass --use_gpu=False"), "on the CPU build the"
                + " device check comes first: " + onGpu.err());
        UsageException onnxOnGpu = assertThrows(UsageException.class, () -> new EvalConfig(new Architecture(
                ResNet.RESNET18, new ImageShape(3, 16, 16), 0, false), 1, true, null, new DataConfig(data, 0, 1, true,
                false), EmbeddingModel.Engine.ONNXRUNTIME));
        assertEquals("--engine onnxruntime runs on the CPU: pass --use_gpu=False with it", onnxOnGpu.getMessage(),
                "and on the CUDA build, this one");

        Path json = dir.resolve("metrics.json");
        Run eval = CommandLineTest.run(concat(new String[] {"eval", "--batch_size=7", "--pretrained_model",
            dir.resolve("out/ResNet18/4").toString(), "--output_json", json.toString()}, common));
        assertEquals(0, eval.code(), eval.err());
        assertEquals(trained, recall(eval.out(), "End test 24, test_recall (\\S+)"));
        assertTrue(eval.out().contains("MAP@R"), eval.out());
        assertTrue(Files.readString(json).contains("\"recall@1\" : " + Double.parseDouble(trained)), Files.readString(json));

        Run features = CommandLineTest.run(concat(new String[] {"infer", "--batch_size=5", "--num_workers=1",
            "--pretrained_model", dir.resolve("out/ResNet18/4").toString(), "--output", dir.resolve("f1").toString()},
                common));
        Run again = CommandLineTest.run(concat(new String[] {"infer", "--batch_size=5", "--num_workers=3",
            "--pretrained_model", dir.resolve("out/ResNet18/4").toString(), "--output", dir.resolve("f3").toString()},
                common));
        assertEquals(0, features.code(), features.err());
        List<String> lines = features.outLines().stream().filter(l -> l.startsWith("Test-")).toList();
        assertEquals(5, lines.size(), "24 images in batches of 5");
        assertTrue(lines.get(0).matches("Test-0-feature: \\[.*\\]"), lines.get(0));
        assertEquals(lines, again.outLines().stream().filter(l -> l.startsWith("Test-")).toList());
        assertArrayEquals(Files.readAllBytes(dir.resolve("f1/features.npy")),
                Files.readAllBytes(dir.resolve("f3/features.npy")));
        assertEquals(24, Files.readAllLines(dir.resolve("f1/paths.txt")).size());
        assertEquals("c101/0.png", Files.readAllLines(dir.resolve("f1/paths.txt")).get(0));

        // the same weights as the original's per-parameter files give the same features, bit for bit
        PaddleParamsTest.export(Checkpoints.load(dir.resolve("out/ResNet18/4"), false).net(), dir.resolve("paddle"));
        Run imported = CommandLineTest.run(concat(new String[] {"infer", "--batch_size=5", "--seed=9",
            "--pretrained_model", dir.resolve("paddle").toString(), "--output", dir.resolve("fp").toString()}, common));
        assertEquals(0, imported.code(), imported.err());
        assertTrue(imported.out().contains("skipped 0 (shape), 0 not in the source"), imported.out());
        assertArrayEquals(Files.readAllBytes(dir.resolve("f1/features.npy")),
                Files.readAllBytes(dir.resolve("fp/features.npy")));

        Run fromFile = CommandLineTest.run("eval", "--data_dir", dir.toString(), "--features",
                dir.resolve("f1/features.npy").toString(), "--labels", dir.resolve("f1/labels.txt").toString());
        assertEquals(0, fromFile.code(), fromFile.err());
        assertEquals(trained, recall(fromFile.out(), "End test 24, test_recall (\\S+)"),
                "the same features evaluated from the files give the same Recall@1");
        assertEquals(24, Npy.read(dir.resolve("f1/features.npy")).size(0));

        // the report: metrics, curve, 8 sampled + up to 8 worst queries with 5 framed neighbours each
        Run report = CommandLineTest.run(concat(new String[] {"eval", "--pretrained_model",
            dir.resolve("out/ResNet18/4").toString(), "--report", dir.resolve("report").toString()}, common));
        assertEquals(0, report.code(), report.err());
        String html = Files.readString(dir.resolve("report/report.html"));
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.endsWith("</html>\n"));
        assertTrue(html.contains("<td>Recall@1</td><td>" + String.format("%.4f", Double.parseDouble(trained)) + "</td>"),
                html.substring(0, 2000));
        assertTrue(html.contains("<td>MAP@R</td>"));
        assertEquals(1, count(html, "class=\"curve\""));
        int queries = count(html, "<div class=\"cell query\">");
        assertEquals(16, queries, "8 sampled + 8 worst");
        assertEquals(queries * 5, count(html, "<div class=\"cell hit\">") + count(html, "<div class=\"cell miss\">"));
        assertEquals(queries * 6, count(html, "src=\"data:image/jpeg;base64,"), "every thumbnail embedded");
        assertTrue(!html.contains("src=\"http") && !html.contains("src=\"/"), "nothing to fetch");

        // search the index infer wrote with one of its own images: that image comes first
        Run search = CommandLineTest.run(concat(new String[] {"search", "--pretrained_model",
            dir.resolve("out/ResNet18/4").toString(), "--index", dir.resolve("f1").toString(), "--query",
            data.resolve("c102/3.png").toString(), "--top", "3"}, common));
        assertEquals(0, search.code(), search.err());
        List<String> hits = search.outLines().stream().filter(l -> l.matches("\\s+\\d+\\s+\\S+\\s+\\S+")).toList();
        assertEquals(3, hits.size(), search.out());
        assertTrue(hits.get(0).matches("\\s+1\\s+1\\.0000\\s+c102/3\\.png"), hits.get(0));
    }

    @Test
    void evalAndInferShowTheirProgressWithAnEtaEndingAtOneHundredPercent() throws IOException {
        Path data = TestData.stripes(dir.resolve("data"), 4, 2, 6, 16, 6);   // 24 test images
        String[] common = {"--use_gpu=False", "--data_dir", data.toString(), "--model=ResNet18",
            "--image_shape=3,16,16", "--batch_size=1"};
        String line = "\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\] testbatch (\\d+), time \\d+\\.\\d\\d sec"
                + "  \\[(\\d+)%, eta \\d+:\\d\\d:\\d\\d\\]";
        Run eval = CommandLineTest.run(concat(new String[] {"eval"}, common));
        Run infer = CommandLineTest.run(concat(new String[] {"infer"}, common));
        for (Run r : new Run[] {eval, infer}) {
            assertEquals(0, r.code(), r.err());
            List<String> progress = r.outLines().stream().filter(l -> l.contains("testbatch")).toList();
            assertEquals(3, progress.size(), "every 20th batch and the last: " + r.out());
            int[][] expected = {{0, 4}, {20, 87}, {23, 100}};   // batch k of 24, 100 (k + 1) / 24 percent
            for (int i = 0; i < 3; i++) {
                Matcher m = Pattern.compile(line).matcher(progress.get(i));
                assertTrue(m.matches(), progress.get(i));
                assertEquals(expected[i][0], Integer.parseInt(m.group(1)), progress.get(i));
                assertEquals(expected[i][1], Integer.parseInt(m.group(2)), progress.get(i));
            }
            assertTrue(progress.get(2).endsWith("[100%, eta 0:00:00]"), progress.get(2));
        }
        assertTrue(eval.out().indexOf("testbatch 23,") < eval.out().indexOf("End test 24, test_recall"), eval.out());
        List<String> features = infer.outLines().stream().filter(l -> l.startsWith("Test-")).toList();
        assertEquals(24, features.size(), "one Test-<k>-feature line per batch, as the original");
        assertTrue(features.get(23).matches("Test-23-feature: \\[.*\\]"), features.get(23));
        List<String> lines = infer.outLines();
        assertEquals(lines.indexOf(features.get(20)) + 1, lines.indexOf(
                lines.stream().filter(l -> l.contains("testbatch 20,")).findFirst().orElseThrow()),
                "batch 20's progress line follows its feature line");
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void inferEmbedsAFolderOrAList() throws IOException {
        Path data = TestData.stripes(dir.resolve("data"), 2, 2, 2, 16, 5);
        Files.write(dir.resolve("list.txt"), List.of("# two images", "data/c1/0.png", "", dir.resolve("data/c2/1.png").toString()));
        Run list = CommandLineTest.run("infer", "--use_gpu=False", "--model=ResNet18", "--image_shape=3,16,16",
                "--image_list", dir.resolve("list.txt").toString(), "--output", dir.resolve("l").toString());
        assertEquals(0, list.code(), list.err());
        assertEquals(List.of("data/c1/0.png", dir.resolve("data/c2/1.png").toString()),
                Files.readAllLines(dir.resolve("l/paths.txt")));
        Run folder = CommandLineTest.run("infer", "--use_gpu=False", "--model=ResNet18", "--image_shape=3,16,16",
                "--images", data.resolve("c101").toString(), "--batch_size=4");
        assertEquals(0, folder.code(), folder.err());
        assertEquals(1, folder.outLines().stream().filter(l -> l.startsWith("Test-")).count());
        Run both = CommandLineTest.run("infer", "--use_gpu=False", "--images", "a", "--image_list", "b");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("mutually exclusive"), both.err());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
