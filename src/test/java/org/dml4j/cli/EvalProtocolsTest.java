package org.dml4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.dml4j.cli.CommandLineTest.Run;
import org.dml4j.data.TestData;
import org.dml4j.eval.Npy;
import org.dml4j.retrieval.GalleryMetrics;
import org.dml4j.retrieval.RetrievalEvaluator;
import org.dml4j.retrieval.Verification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * eval's query/gallery and verification protocols through the command line: on features (the
 * JSON equals the evaluator called directly, labels and cameras as written in files) and on images
 * (the same numbers as eval on infer's features of those images), and the flag and file errors.
 */
class EvalProtocolsTest {
    @TempDir
    static Path dir;
    static Path data;
    static INDArray testFeatures;       // infer's features of Ebay_test.txt's 30 images, by the untrained network
    static String[] network;

    @BeforeAll
    static void inferTheTestSplit() throws IOException {
        data = TestData.stripes(dir.resolve("data"), 5, 1, 6, 16, 9);
        network = new String[] {"--use_gpu=False", "--data_dir", data.toString(), "--model=ResNet18",
            "--image_shape=3,16,16", "--seed=3", "--batch_size=7"};     // one batch size: bit-equal features
        Run infer = CommandLineTest.run(concat(new String[] {"infer", "--output", dir.resolve("f").toString()}, network));
        assertEquals(0, infer.code(), infer.err());
        testFeatures = Npy.read(dir.resolve("f/features.npy"));
        assertEquals(30, testFeatures.size(0));
    }

    static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static Path npy(String name, INDArray x) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            Npy.write(x, out);
        }
        return file;
    }

    private static Path lines(String name, Object... values) throws IOException {
        return Files.write(dir.resolve(name), Arrays.stream(values).map(String::valueOf).toList());
    }

    private static Map<?, ?> json(Path file) throws IOException {
        return new ObjectMapper().readValue(file.toFile(), Map.class);
    }

    @Test
    void queryGalleryOnFeaturesEqualsTheEvaluatorWithLabelsAndCamerasAsWritten() throws IOException {
        SplittableRandom r = new SplittableRandom(1);
        INDArray q = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 12, 4).subi(0.5);
        INDArray g = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 40, 4).subi(0.5);
        long[] ids = {7, 1501, 9_000_000_000L, 0};       // 0: a distractor identity; any 64-bit id
        Object[] ql = IntStream.range(0, 12).mapToObj(i -> ids[i % 3]).toArray();
        Object[] gl = IntStream.range(0, 40).mapToObj(i -> i % 9 == 0 ? -1 : ids[r.nextInt(4)]).toArray();
        Object[] qc = IntStream.range(0, 12).mapToObj(i -> 1 + i % 2).toArray();
        Object[] gc = IntStream.range(0, 40).mapToObj(i -> 1 + r.nextInt(3)).toArray();
        Path out = dir.resolve("gallery.json");
        Run run = CommandLineTest.run("eval", "--features", npy("q.npy", q).toString(), "--labels",
                lines("q.txt", ql).toString(), "--gallery_features", npy("g.npy", g).toString(), "--gallery_labels",
                lines("g.txt", gl).toString(), "--cameras", lines("qc.txt", qc).toString(), "--gallery_cameras",
                lines("gc.txt", gc).toString(), "--output_json", out.toString());
        assertEquals(0, run.code(), run.err());

        int[] qli = Arrays.stream(ql).mapToInt(v -> Arrays.binarySearch(new long[] {0, 7, 1501, 9_000_000_000L},
                (Long) v)).toArray();
        int[] gli = Arrays.stream(gl).mapToInt(v -> (Long) v == -1 ? -1 : Arrays.binarySearch(new long[] {0, 7, 1501,
            9_000_000_000L}, (Long) v)).toArray();
        GalleryMetrics want = RetrievalEvaluator.queryAgainstGallery(q.dup(), qli,
                Arrays.stream(qc).mapToInt(v -> (Integer) v).toArray(), g.dup(), gli,
                Arrays.stream(gc).mapToInt(v -> (Integer) v).toArray());
        Map<?, ?> got = json(out);
        assertEquals(12, got.get("queries"));
        assertEquals(want.validQueries(), got.get("valid_queries"));
        for (int k : GalleryMetrics.RANKS) {
            assertEquals(want.cmc().get(k), got.get("rank-" + k));
        }
        assertEquals(want.meanAveragePrecision(), got.get("mAP"));
        assertTrue(run.out().contains("rank-1") && run.out().contains("mAP"), run.out());

        Run noCameras = CommandLineTest.run("eval", "--features", dir.resolve("q.npy").toString(), "--labels",
                dir.resolve("q.txt").toString(), "--gallery_features", dir.resolve("g.npy").toString(),
                "--gallery_labels", dir.resolve("g.txt").toString(), "--output_json", out.toString());
        assertEquals(0, noCameras.code(), noCameras.err());
        assertEquals(RetrievalEvaluator.queryAgainstGallery(q.dup(), qli, null, g.dup(), gli, null)
                .meanAveragePrecision(), json(out).get("mAP"));
    }

    @Test
    void queryGalleryOnImagesEqualsItOnInfersFeatures() throws IOException {
        // queries: the first image of each class; gallery: the rest, class 105 marked junk, class 104 a distractor
        List<String> test = Files.readAllLines(data.resolve("Ebay_test.txt")).subList(1, 31);
        List<String> query = new ArrayList<>(List.of("image_id class_id super_class_id path"));
        List<String> gallery = new ArrayList<>(List.of("image_id class_id super_class_id path"));
        List<Integer> queryRows = new ArrayList<>();
        List<Integer> galleryRows = new ArrayList<>();
        List<Long> galleryLabels = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String[] c = test.get(i).split(" ");
            if (i % 6 == 0 && !c[1].equals("104")) {
                query.add(c[0] + " " + c[1] + " 1 " + c[3]);
                queryRows.add(i);
            } else {
                long label = c[1].equals("105") ? -1 : c[1].equals("104") ? 0 : Long.parseLong(c[1]);
                gallery.add(c[0] + " " + label + " 1 " + c[3]);
                galleryRows.add(i);
                galleryLabels.add(label);
            }
        }
        Files.write(data.resolve("query.txt"), query);
        Files.write(data.resolve("gallery.txt"), gallery);
        Path fromImages = dir.resolve("images.json");
        Run images = CommandLineTest.run(concat(new String[] {"eval", "--query_list", "query.txt", "--gallery_list",
            "gallery.txt", "--output_json", fromImages.toString()}, network));
        assertEquals(0, images.code(), images.err());
        assertTrue(images.out().contains("query set: 4 images of 4 identities; gallery: 26 images"), images.out());

        INDArray q = testFeatures.get(NDArrayIndex.indices(queryRows.stream().mapToLong(i -> i).toArray()));
        INDArray g = testFeatures.get(NDArrayIndex.indices(galleryRows.stream().mapToLong(i -> i).toArray()));
        Path fromFeatures = dir.resolve("features.json");
        Run features = CommandLineTest.run("eval", "--features", npy("qi.npy", q).toString(), "--labels",
                lines("qi.txt", queryRows.stream().map(i -> test.get(i).split(" ")[1]).toArray()).toString(),
                "--gallery_features", npy("gi.npy", g).toString(), "--gallery_labels",
                lines("gi.txt", galleryLabels.toArray()).toString(), "--output_json", fromFeatures.toString());
        assertEquals(0, features.code(), features.err());
        assertEquals(json(fromFeatures), json(fromImages));
        assertEquals(3, json(fromImages).get("valid_queries"), "the class-105 query's gallery images are all junk");
    }

    @Test
    void verificationOnImagesAndOnFeaturesEqualsTheMetricsCalledDirectly() throws IOException {
        List<String> pairs = new ArrayList<>(List.of("# i j same"));
        int[] first = new int[40];
        int[] second = new int[40];
        boolean[] same = new boolean[40];
        SplittableRandom r = new SplittableRandom(4);
        for (int p = 0; p < 40; p++) {
            int a = r.nextInt(30);
            same[p] = p % 2 == 0;
            int b = same[p] ? (a / 6) * 6 + (a % 6 + 1 + r.nextInt(5)) % 6 : ((a / 6 + 1 + r.nextInt(4)) % 5) * 6 + r.nextInt(6);
            first[p] = a;
            second[p] = b;
            pairs.add(a + " " + b + " " + (same[p] ? 1 : 0));
        }
        Files.write(data.resolve("pairs.txt"), pairs);
        Path fromImages = dir.resolve("pairs-images.json");
        Path report = dir.resolve("roc");
        Run images = CommandLineTest.run(concat(new String[] {"eval", "--pairs", "pairs.txt", "--output_json",
            fromImages.toString(), "--report", report.toString()}, network));
        assertEquals(0, images.code(), images.err());
        assertTrue(images.out().contains("End test 40 pairs (20 same, 20 different)"), images.out());
        byte[] png = Files.readAllBytes(report.resolve("roc.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));

        Path fromFeatures = dir.resolve("pairs-features.json");
        Run features = CommandLineTest.run("eval", "--features", dir.resolve("f/features.npy").toString(), "--pairs",
                data.resolve("pairs.txt").toString(), "--output_json", fromFeatures.toString());
        assertEquals(0, features.code(), features.err());
        assertEquals(json(fromFeatures), json(fromImages));

        Verification.Metrics want = Verification.evaluate(Verification.scores(testFeatures.dup(), first, second),
                same, 10);
        Map<?, ?> got = json(fromFeatures);
        assertEquals(want.accuracy(), (Double) got.get("verification_accuracy"), 1e-15);
        assertEquals(want.auc(), (Double) got.get("auc"), 1e-15);
        assertEquals(want.eer(), (Double) got.get("eer"), 1e-15);
        assertEquals(want.tarAtFar().get(1e-3), (Double) got.get("tar@far=0.001"), 1e-15);
        assertEquals(40, got.get("pairs"));
    }

    @Test
    void oneFoldHasNoAccuracyButTheOtherMeasuresAndAnAllJunkGalleryHasNoValidQuery() throws IOException {
        Path pairs = Files.write(dir.resolve("one-fold.txt"), List.of("# folds=1 same_pairs_per_fold=2",
                "0 1 1", "6 7 1", "0 6 0", "1 12 0"));
        Path out = dir.resolve("one-fold.json");
        Run run = CommandLineTest.run("eval", "--features", dir.resolve("f/features.npy").toString(), "--pairs",
                pairs.toString(), "--output_json", out.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("accuracy        n/a (one fold"), run.out());
        Map<?, ?> got = json(out);
        assertEquals(null, got.get("verification_accuracy"));
        double[] s = Verification.scores(testFeatures.dup(), new int[] {0, 6, 0, 1}, new int[] {1, 7, 6, 12});
        assertEquals(Verification.evaluate(s, new boolean[] {true, true, false, false}, 1).auc(),
                (Double) got.get("auc"), 1e-15);

        String f = dir.resolve("f/features.npy").toString();
        Path allJunk = lines("junk30.txt", IntStream.range(0, 30).mapToObj(i -> -1).toArray());
        Path labels = lines("l30b.txt", IntStream.range(0, 30).mapToObj(i -> i / 6).toArray());
        Path json = dir.resolve("junk.json");
        Run junk = CommandLineTest.run("eval", "--features", f, "--labels", labels.toString(), "--gallery_features", f,
                "--gallery_labels", allJunk.toString(), "--output_json", json.toString());
        assertEquals(0, junk.code(), junk.err());
        assertEquals(0, json(json).get("valid_queries"));
        assertEquals(null, json(json).get("mAP"));
    }

    @Test
    void flagsThatDoNotGoTogetherAreUsageErrorsAndBadFilesNameTheLine() throws IOException {
        String f = dir.resolve("f/features.npy").toString();
        Path labels = lines("l30.txt", IntStream.range(0, 30).mapToObj(i -> i / 6).toArray());
        String[][] usage = {
            {"eval", "--use_gpu=False", "--query_list", "q.txt"},   // with a model: the device is checked first
            {"eval", "--features", f, "--labels", labels.toString(), "--cameras", "c.txt", "--gallery_cameras", "g.txt"},
            {"eval", "--features", f, "--labels", labels.toString(), "--gallery_features", f},
            {"eval", "--gallery_features", f, "--gallery_labels", labels.toString()},
            {"eval", "--features", f, "--pairs", "p.txt", "--gallery_features", f, "--gallery_labels", "x",
                "--labels", labels.toString()},
            {"eval", "--features", f, "--labels", labels.toString(), "--gallery_features", f, "--gallery_labels",
                labels.toString(), "--report", dir.resolve("r").toString()},
            {"eval", "--features", f, "--labels", labels.toString(), "--gallery_features", f, "--gallery_labels",
                labels.toString(), "--cameras", "c.txt"},
        };
        String[] said = {"--query_list and --gallery_list go together", "--cameras is for the query/gallery protocol",
            "--gallery_features and --gallery_labels go together", "--gallery_features needs the queries' --features",
            "--pairs (verification) does not go with a gallery", "--report is for the SOP protocol",
            "--cameras and --gallery_cameras go together"};
        for (int i = 0; i < usage.length; i++) {
            Run run = CommandLineTest.run(usage[i]);
            assertEquals(ExitCodes.USAGE, run.code(), String.join(" ", usage[i]) + "\n" + run.err());
            assertTrue(run.err().contains(said[i]), run.err());
        }

        Map<String, String> badPairs = Map.of(
                "0 1\n", ":1: expected 3 columns (i j same), got 2",
                "# header\n0 30 1\n", ":2: column 2 (j): row 30 is past the last row, 29",
                "0 1 yes\n", ":1: column 3 (same): expected 1 (same identity) or 0, got 'yes'",
                "-1 2 0\n", ":1: column 1 (i): expected a row number (0-based), got '-1'",
                "0 1 1\n0 7 0\n0 2 1\n", "3 pairs do not make 10 equal folds");
        for (Map.Entry<String, String> e : badPairs.entrySet()) {
            Path p = Files.writeString(dir.resolve("bad-pairs.txt"), e.getKey());
            Run run = CommandLineTest.run("eval", "--features", f, "--pairs", p.toString());
            assertEquals(ExitCodes.DATA, run.code(), e.getKey() + run.err());
            assertTrue(run.err().contains(p + (e.getValue().startsWith(":") ? "" : ": ") + e.getValue()), run.err());
        }

        String[][] moreUsage = {
            {"eval", "--features", f, "--labels", labels.toString(), "--pairs", "p.txt"},
            {"eval", "--features", f, "--labels", labels.toString(), "--output_json", labels.toString()},
        };
        String[] moreSaid = {"--labels is not used with --pairs", "--output_json " + labels + " is one of the inputs"};
        for (int i = 0; i < moreUsage.length; i++) {
            Run run = CommandLineTest.run(moreUsage[i]);
            assertEquals(ExitCodes.USAGE, run.code(), run.err());
            assertTrue(run.err().contains(moreSaid[i]), run.err());
        }
        Run badCamera = CommandLineTest.run("eval", "--features", f, "--labels", labels.toString(),
                "--gallery_features", f, "--gallery_labels", labels.toString(), "--cameras",
                lines("cx.txt", "c1").toString(), "--gallery_cameras", lines("cy.txt", 1).toString());
        assertEquals(ExitCodes.DATA, badCamera.code(), badCamera.err());
        assertTrue(badCamera.err().contains("cx.txt:1: expected an integer camera id, got 'c1'"), badCamera.err());

        // a bad pairs file is found before any image is embedded
        Files.writeString(data.resolve("late.txt"), "0 30 1\n");
        Run early = CommandLineTest.run(concat(new String[] {"eval", "--pairs", "late.txt"}, network));
        assertEquals(ExitCodes.DATA, early.code(), early.err());
        assertTrue(early.err().contains("late.txt:1: column 2 (j): row 30 is past the last row"), early.err());
        assertFalse(early.out().contains("randomly initialised network"), "no model was opened: " + early.out());

        Path q = npy("q5.npy", testFeatures.get(NDArrayIndex.interval(0, 5), NDArrayIndex.all()));
        Path ql = lines("q5.txt", 1, 2, -1, 3, 4);
        Run junkQuery = CommandLineTest.run("eval", "--features", q.toString(), "--labels", ql.toString(),
                "--gallery_features", f, "--gallery_labels", labels.toString());
        assertEquals(ExitCodes.DATA, junkQuery.code(), junkQuery.err());
        assertTrue(junkQuery.err().contains("query row 2 has the label -1 (junk)"), junkQuery.err());
        Run fewCameras = CommandLineTest.run("eval", "--features", f, "--labels", labels.toString(),
                "--gallery_features", f, "--gallery_labels", labels.toString(), "--cameras",
                lines("c29.txt", IntStream.range(0, 29).boxed().toArray()).toString(), "--gallery_cameras",
                lines("c30.txt", IntStream.range(0, 30).boxed().toArray()).toString());
        assertEquals(ExitCodes.DATA, fewCameras.code(), fewCameras.err());
        assertTrue(fewCameras.err().contains("c29.txt: 29 camera ids for 30 rows of"), fewCameras.err());

        Files.write(data.resolve("bad-query.txt"), List.of("image_id class_id super_class_id path",
                "1 -2 1 c101/0.png"));
        Run badList = CommandLineTest.run(concat(new String[] {"eval", "--query_list", "bad-query.txt",
            "--gallery_list", "Ebay_test.txt"}, network));
        assertEquals(ExitCodes.DATA, badList.code(), badList.err());
        assertTrue(badList.err().contains("bad-query.txt:2: column 2 (class_id): must be in -1..2147483647"
                + " (0: distractor, -1: junk), got -2"), badList.err());
    }
}
