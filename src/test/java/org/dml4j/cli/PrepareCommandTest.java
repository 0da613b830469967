package org.dml4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dml4j.cli.CommandLineTest.Run;
import org.dml4j.data.ImageList;
import org.dml4j.data.Split;
import org.dml4j.data.prepare.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dml4j prepare} subcommands end to end: summary lines, exit codes, nothing written on failure. */
class PrepareCommandTest {
    @TempDir
    Path dir;

    private static Run run(String... args) {
        return CommandLineTest.run(args);
    }

    /** The entries of {@code folder}, hidden ones included (a failed write must leave no temporary folder). */
    private static List<String> entries(Path folder) throws IOException {
        try (var s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void assertFails(Run r, int code, String errStart) {
        assertEquals(code, r.code(), r.out() + r.err());
        assertTrue(r.err().startsWith(errStart), r.err());
        assertEquals(1, r.err().strip().split("\n").length, "one line: " + r.err());
    }

    @Test
    void everyConverterWritesItsFolderAndOneSummaryLine() throws IOException {
        Path cub = Fixtures.cub(dir.resolve("src"));
        Path out = dir.resolve("cub-out");
        Run r = run("prepare", "cub", "--source", cub.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("wrote " + out + ": Ebay_train.txt 4 images, 3 classes; Ebay_test.txt 4 images, 3 classes\n", r.out());
        ImageList.read(out, Split.TEST).requireImagesExist();

        Path inShop = Fixtures.inShop(dir.resolve("src"), true);
        r = run("prepare", "inshop", "--source=" + inShop, "--output=" + dir.resolve("inshop-out"));
        assertEquals(0, r.code(), r.err());
        assertEquals("wrote " + dir.resolve("inshop-out") + ": Ebay_train.txt 3 images, 2 classes; query.txt 2 images,"
                + " 2 classes; gallery.txt 3 images, 2 classes\n", r.out());

        Path market = Fixtures.market(dir.resolve("src"));
        r = run("prepare", "market1501", "--source", market.toString(), "--output", dir.resolve("market-out").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("warning: " + market.resolve("bounding_box_train") + ": skipped 1 file that is not .jpg:"
                + " 'Thumbs.db'", "warning: " + market.resolve("bounding_box_test") + ": skipped 1 file that is not .jpg:"
                + " 'Thumbs.db'", "wrote " + dir.resolve("market-out") + ": Ebay_train.txt 4 images, 3 classes (left out:"
                + " 1 of identity 0, 1 of identity -1); query.txt 2 images, 2 classes; gallery.txt 5 images, 2 classes"
                + " + 1 distractor (class 0) + 1 junk (class -1)"), r.outLines());

        Path lfw = Fixtures.lfw(dir.resolve("src"));
        Path pairs = Fixtures.text(dir.resolve("src").resolve("pairs.txt"), Fixtures.LFW_PAIRS);
        r = run("prepare", "lfw", "--source", lfw.toString(), "--pairs", pairs.toString(), "--output",
                dir.resolve("lfw-out").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("wrote " + dir.resolve("lfw-out") + ": Ebay_test.txt 10 images, 4 classes; pairs.txt 8 pairs in 2"
                + " folds of 4\n", r.out());

        Path classes = Fixtures.folders(dir.resolve("classes"), new String[] {"b", "a", "c", "d"}, new int[] {1, 2, 3, 4});
        r = run("prepare", "folders", "--root", classes.toString(), "--test-ratio", "0.25", "--output",
                dir.resolve("folders-out").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("wrote " + dir.resolve("folders-out") + ": Ebay_train.txt 6 images, 3 classes; Ebay_test.txt"
                + " 4 images, 1 class\n", r.out());
        Path test = Fixtures.folders(dir.resolve("classes2"), new String[] {"e"}, new int[] {2});
        r = run("prepare", "folders", "--root", classes.toString(), "--test_root", test.toString(), "--output",
                dir.resolve("folders-out2").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("wrote " + dir.resolve("folders-out2") + ": Ebay_train.txt 10 images, 4 classes; Ebay_test.txt"
                + " 2 images, 1 class\n", r.out());

        Path pairsOut = dir.resolve("fm-pairs.txt");
        r = run("prepare", "pairs", "--list", dir.resolve("lfw-out").resolve("Ebay_test.txt").toString(), "--output",
                pairsOut.toString(), "--pairs-per-fold", "1", "--folds", "5", "--seed", "3");
        assertEquals(0, r.code(), r.err());
        assertEquals("wrote " + pairsOut + ": 10 pairs in 5 folds of 1 same + 1 different, over 10 images of 4 classes"
                + " of " + dir.resolve("lfw-out").resolve("Ebay_test.txt") + "; the folds share classes (only 3 classes"
                + " have two or more images, fewer than the 5 folds)\n", r.out());
        assertEquals(11, Files.readAllLines(pairsOut).size());
    }

    @Test
    void badDataExitsWith3NamingFileAndLineAndWritesNothing() throws IOException {
        Path src = dir.resolve("src");
        Path cub = Fixtures.cub(src);
        Fixtures.replaceLine(cub.resolve("image_class_labels.txt"), 4, "4 two");
        Path inShop = Fixtures.inShop(src, true);
        Path partition = inShop.resolve("Eval").resolve("list_eval_partition.txt");
        Fixtures.replaceLine(partition, 1, "7");
        Path market = Fixtures.market(src);
        Path odd = Fixtures.jpeg(market.resolve("query").resolve("0002-c1s1.jpg"), 1);
        Path lfw = Fixtures.lfw(src);
        Path pairs = Fixtures.text(src.resolve("pairs.txt"), Fixtures.LFW_PAIRS);
        Fixtures.replaceLine(pairs, 4, "Aaron_Eckhart\t1\tZico\t3");
        Path spaced = Fixtures.folders(dir.resolve("classes"), new String[] {"a", "b c"}, new int[] {1, 1});
        Path list = Fixtures.list(src.resolve("one.txt"), 4);

        Path out = dir.resolve("out").resolve("set");
        String[][] runs = {
            {"cub", "--source", cub.toString()},
            {"inshop", "--source", inShop.toString()},
            {"market1501", "--source", market.toString()},
            {"lfw", "--source", lfw.toString(), "--pairs", pairs.toString()},
            {"folders", "--root", spaced.toString()},
        };
        String[] errs = {
            "dml4j prepare cub: data error: " + cub.resolve("image_class_labels.txt") + ":4: column 2 (class_id):"
                + " expected a whole number, got 'two'",
            "dml4j prepare inshop: data error: " + partition + ":1: says 7 images, but the file lists 8",
            "dml4j prepare market1501: data error: " + market.resolve("query") + ": 1 of 3 .jpg files cannot be used:",
            "dml4j prepare lfw: data error: " + pairs + ": 1 of the images its pairs name is not in " + lfw + ":",
            "dml4j prepare folders: data error: " + spaced.resolve("b c") + ": 1 image path cannot be listed:",
        };
        for (int k = 0; k < runs.length; k++) {
            String[] args = new String[runs[k].length + 4];
            args[0] = "prepare";
            System.arraycopy(runs[k], 0, args, 1, runs[k].length);
            args[args.length - 3] = "--output";
            args[args.length - 2] = out.toString();
            args[args.length - 1] = "--verbose=false";
            Run r = run(args);
            assertEquals(3, r.code(), r.err());
            assertTrue(r.err().startsWith(errs[k]), r.err());
            assertFalse(Files.exists(out), "nothing written");
            assertTrue(!Files.exists(out.getParent()) || entries(out.getParent()).isEmpty(), "no temporary folder left");
        }
        assertTrue(run("prepare", "market1501", "--source", market.toString(), "--output", out.toString()).err()
                .contains(odd + ": not a Market-1501 name"));
        assertTrue(run("prepare", "lfw", "--source", lfw.toString(), "--pairs", pairs.toString(), "--output",
                out.toString()).err().contains(pairs + ":4: '" + lfw.resolve("Zico/Zico_0003.jpg") + "'"));

        Path pairsOut = dir.resolve("pairs-out.txt");
        assertFails(run("prepare", "pairs", "--list", list.toString(), "--output", pairsOut.toString()), 3,
                "dml4j prepare pairs: data error: " + list + ": every image is of class 1");
        assertFalse(Files.exists(pairsOut));
    }

    @Test
    void anExistingOutputNeedsOverwrite() throws IOException {
        Path cub = Fixtures.cub(dir.resolve("src"));
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("mine.txt"), "keep me");
        assertFails(run("prepare", "cub", "--source", cub.toString(), "--output", out.toString()), 2,
                "dml4j prepare cub: --output " + out + ": already exists and is not empty; pass --overwrite=True");
        assertEquals(List.of("mine.txt"), entries(out));
        assertEquals(List.of("out", "src"), entries(dir));

        Run r = run("prepare", "cub", "--source", cub.toString(), "--output", out.toString(), "--overwrite");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("Ebay_test.txt", "Ebay_train.txt", "images"), entries(out));
        assertEquals(List.of("out", "src"), entries(dir), "the old folder is gone, no temporary one left");

        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertEquals(0, run("prepare", "cub", "--source", cub.toString(), "--output", empty.toString()).code());
        assertEquals(List.of("Ebay_test.txt", "Ebay_train.txt", "images"), entries(empty));

        Fixtures.replaceLine(cub.resolve("images.txt"), 2, "2");
        Run bad = run("prepare", "cub", "--source", cub.toString(), "--output", out.toString(), "--overwrite=True");
        assertEquals(3, bad.code(), bad.err());
        assertEquals(List.of("Ebay_test.txt", "Ebay_train.txt", "images"), entries(out), "a failure keeps the old folder");

        Path file = Files.writeString(dir.resolve("file.txt"), "x");
        assertFails(run("prepare", "cub", "--source", cub.toString(), "--output", file.toString()), 2,
                "dml4j prepare cub: --output " + file + ": exists and is not a folder");

        Path list = Fixtures.list(dir.resolve("list.txt"), 3, 3);
        Path pairs = Files.writeString(dir.resolve("pairs.txt"), "old");
        assertFails(run("prepare", "pairs", "--list", list.toString(), "--output", pairs.toString(), "--folds", "1",
                "--pairs_per_fold", "2"), 2, "dml4j prepare pairs: --output " + pairs + ": already exists;"
                + " pass --overwrite=True");
        assertEquals("old", Files.readString(pairs));
        assertEquals(0, run("prepare", "pairs", "--list", list.toString(), "--output", pairs.toString(), "--folds", "1",
                "--pairs_per_fold", "2", "--overwrite").code());
        assertEquals(5, Files.readAllLines(pairs).size());
    }

    @Test
    void badFlagsExitWith2() throws IOException {
        Path classes = Fixtures.folders(dir.resolve("classes"), new String[] {"a", "b"}, new int[] {1, 1});
        Path out = dir.resolve("out").toAbsolutePath();
        assertFails(run("prepare", "folders", "--root", classes.toString(), "--test_ratio", "1.5", "--output",
                out.toString()), 2, "dml4j prepare folders: --test_ratio must be between 0 and 1 (exclusive), got 1.5");
        assertFails(run("prepare", "folders", "--root", classes.toString(), "--test_ratio", "half", "--output",
                out.toString()), 2, "dml4j prepare folders: Invalid value for option '--test");
        assertFails(run("prepare", "folders", "--root", classes.toString(), "--test_root", classes.toString(),
                "--test_ratio", "0.5", "--output", out.toString()), 2, "dml4j prepare folders: --test_ratio splits");
        assertFails(run("prepare", "folders", "--root", classes.toString(), "--output",
                classes.resolve("out").toString()), 2, "dml4j prepare folders: --output " + classes.resolve("out")
                + " is inside --root " + classes);
        assertFails(run("prepare", "folders", "--root", classes.toString(), "--output", dir.toString(), "--overwrite"),
                2, "dml4j prepare folders: --output " + dir + " holds --root " + classes);
        Path cub = Fixtures.cub(dir.resolve("src"));
        assertFails(run("prepare", "cub", "--source", cub.toString(), "--output", cub.toString(), "--overwrite"), 2,
                "dml4j prepare cub: --output " + cub + " is --source " + cub);
        assertFails(run("prepare", "cub", "--output", out.toString()), 2,
                "dml4j prepare cub: Missing required option: '--source=DIR'");
        // an output inside a source, even its image folder, would be replaced as a whole: refused, images kept
        long images = Files.list(cub.resolve("images")).count();
        assertFails(run("prepare", "cub", "--source", cub.toString(), "--output", cub.resolve("images").toString(),
                "--overwrite"), 2, "dml4j prepare cub: --output " + cub.resolve("images") + " is inside --source " + cub);
        assertEquals(images, Files.list(cub.resolve("images")).count());
        assertFails(run("prepare", "cub", "--source", cub.toString(), "--output", ".", "--overwrite"), 2,
                "dml4j prepare cub: --output . is the current folder");
        Path list = Fixtures.list(dir.resolve("list.txt"), 3, 3);
        assertFails(run("prepare", "pairs", "--list", list.toString(), "--output", dir.resolve("p.txt").toString(),
                "--folds", "0"), 2, "dml4j prepare pairs: --folds must be >= 1, got 0");
        assertFails(run("prepare", "pairs", "--list", list.toString(), "--output", list.toString(), "--overwrite"), 2,
                "dml4j prepare pairs: --output " + list + " is the --list itself");
        assertFalse(Files.exists(out));
        assertTrue(Files.isDirectory(cub.resolve("images")), "the source is untouched");

        Run help = run("prepare", "--help");
        for (String sub : List.of("fashion-mnist", "folders", "cub", "inshop", "market1501", "lfw", "pairs")) {
            assertTrue(help.out().contains("  " + sub + " "), sub + " in " + help.out());
            assertTrue(run("prepare", sub, "--help").out().contains("--verbose"), sub + " takes --verbose");
        }
    }
}
