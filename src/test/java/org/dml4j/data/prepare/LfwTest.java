package org.dml4j.data.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dml4j.data.ImageList;
import org.dml4j.data.Sample;
import org.dml4j.data.Split;
import org.dml4j.error.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LfwTest {
    @TempDir
    Path dir;

    /** Row of "Name/Name_%04d.jpg" in Ebay_test.txt: people in sorted order, their images in number order. */
    private static Map<String, Integer> rows() {
        String[] people = Fixtures.LFW_PEOPLE.clone();
        Arrays.sort(people);
        Map<String, Integer> rows = new HashMap<>();
        for (String p : people) {
            int n = Fixtures.LFW_IMAGES[Arrays.asList(Fixtures.LFW_PEOPLE).indexOf(p)];
            for (int k = 1; k <= n; k++) {
                rows.put(p + " " + k, rows.size());
            }
        }
        return rows;
    }

    /** The dml4j pair line of an LFW pair line. */
    private static String pairLine(String lfw) {
        Map<String, Integer> rows = rows();
        String[] c = lfw.split("\t");
        return c.length == 3 ? rows.get(c[0] + " " + c[1]) + " " + rows.get(c[0] + " " + c[2]) + " 1"
                : rows.get(c[0] + " " + c[1]) + " " + rows.get(c[2] + " " + c[3]) + " 0";
    }

    @Test
    void everyImageIsListedAndThePairsIndexItsRowsInLfwsOrder() throws IOException {
        Path source = Fixtures.lfw(dir);
        Path pairs = Fixtures.text(dir.resolve("pairs.txt"), Fixtures.LFW_PAIRS);
        Path out = dir.resolve("out");
        String summary = Lfw.convert(source, pairs).writeTo(out, false);

        assertEquals(List.of(
                "image_id class_id super_class_id path",
                "1 1 1 lfw/Aaron_Eckhart/Aaron_Eckhart_0001.jpg",
                "2 2 2 lfw/Abel_Pacheco/Abel_Pacheco_0001.jpg",
                "3 2 2 lfw/Abel_Pacheco/Abel_Pacheco_0002.jpg",
                "4 2 2 lfw/Abel_Pacheco/Abel_Pacheco_0003.jpg",
                "5 2 2 lfw/Abel_Pacheco/Abel_Pacheco_0004.jpg",
                "6 3 3 lfw/Akhmed_Zakayev/Akhmed_Zakayev_0001.jpg",
                "7 3 3 lfw/Akhmed_Zakayev/Akhmed_Zakayev_0002.jpg",
                "8 3 3 lfw/Akhmed_Zakayev/Akhmed_Zakayev_0003.jpg",
                "9 4 4 lfw/Zico/Zico_0001.jpg",
                "10 4 4 lfw/Zico/Zico_0002.jpg"), Files.readAllLines(out.resolve("Ebay_test.txt")));
        List<String> written = Files.readAllLines(out.resolve("pairs.txt"));
        assertEquals(List.of("1 4 1", "5 7 1", "0 9 0", "2 7 0", "8 9 1", "2 3 1", "6 8 0", "0 4 0"),
                written.subList(1, written.size()));
        List<String> expected = new ArrayList<>();
        for (String l : Arrays.asList(Fixtures.LFW_PAIRS).subList(1, 9)) {
            expected.add(pairLine(l));
        }
        assertEquals(expected, written.subList(1, written.size()));
        assertEquals("# i j same: i, j = 0-based rows of the image lines of Ebay_test.txt (header excluded); same = 1"
                + " for one class, 0 for two; folds=2 same_pairs_per_fold=2 (each fold 2 same then 2 different pairs); from"
                + " LFW's pairs.txt, in its order", written.get(0));
        assertEquals(source.toAbsolutePath(), Files.readSymbolicLink(out.resolve("lfw")));
        assertEquals(List.of("Ebay_test.txt", "lfw", "pairs.txt"), FoldersTest.listing(out));
        assertEquals("wrote " + out + ": Ebay_test.txt 10 images, 4 classes; pairs.txt 8 pairs in 2 folds of 4",
                summary);

        ImageList test = ImageList.read(out, Split.TEST);
        test.requireImagesExist();
        assertEquals(List.of(1, 2, 2, 2, 2, 3, 3, 3, 4, 4), test.samples().stream().map(Sample::label).toList());
        for (String line : written.subList(1, written.size())) {       // the rows name the images the LFW line named
            String[] c = line.split(" ");
            String a = test.samples().get(Integer.parseInt(c[0])).path();
            String b = test.samples().get(Integer.parseInt(c[1])).path();
            assertEquals(c[2].equals("1"), a.split("/")[1].equals(b.split("/")[1]), line);
        }
    }

    @Test
    void theDevFilesHeaderIsOneFold() throws IOException {
        Path source = Fixtures.lfw(dir);
        Path pairs = Fixtures.text(dir.resolve("pairsDevTest.txt"), "1", "Zico\t1\t2", "Abel_Pacheco\t3\tZico\t1");
        PreparedFolder p = Lfw.convert(source, pairs);
        assertEquals(List.of("8 9 1", "3 8 0"), p.lines("pairs.txt").subList(1, 3));
        assertTrue(p.lines("pairs.txt").get(0).contains("folds=1 same_pairs_per_fold=1"), p.lines("pairs.txt").get(0));
        assertTrue(p.summary().endsWith("pairs.txt 2 pairs in 1 fold of 2"), p.summary());
    }

    @Test
    void rowsFollowThePathOrderAndClassesTheNameOrder() throws IOException {
        Path source = dir.resolve("lfw");
        for (String image : List.of("Ab/Ab_0001.jpg", "Ab-C/Ab-C_0001.jpg", "Ab_D/Ab_D_0001.jpg", "Ab_D/Ab_D_0002.jpg")) {
            Fixtures.jpeg(source.resolve(image), image.length());
        }
        Path pairs = Fixtures.text(dir.resolve("pairsDevTrain.txt"), "1", "Ab_D 1 2", "Ab 1 Ab-C 1");
        PreparedFolder p = Lfw.convert(source, pairs);
        // names: Ab < Ab-C < Ab_D; paths: "Ab-C/" < "Ab/" < "Ab_D/" ('-' < '/' < '_')
        assertEquals(List.of("image_id class_id super_class_id path", "1 2 2 lfw/Ab-C/Ab-C_0001.jpg",
                "2 1 1 lfw/Ab/Ab_0001.jpg", "3 3 3 lfw/Ab_D/Ab_D_0001.jpg", "4 3 3 lfw/Ab_D/Ab_D_0002.jpg"),
                p.lines("Ebay_test.txt"));
        assertEquals(List.of("2 3 1", "1 0 0"), p.lines("pairs.txt").subList(1, 3));
    }

    private static String failure(Path source, Path pairs) {
        return assertThrows(DataException.class, () -> Lfw.convert(source, pairs)).getMessage();
    }

    @Test
    void malformedPairsAreNamedByFileAndLine() throws IOException {
        Path source = Fixtures.lfw(dir);
        Path pairs = Fixtures.text(dir.resolve("pairs.txt"), Fixtures.LFW_PAIRS);

        Fixtures.replaceLine(pairs, 1, "2\t2\t2");
        assertTrue(failure(source, pairs).startsWith(pairs + ":1: expected LFW's header"), failure(source, pairs));
        Fixtures.replaceLine(pairs, 1, "two\t2");
        assertEquals(pairs + ":1: column 1 (folds): expected a whole number, got 'two'", failure(source, pairs));
        Fixtures.replaceLine(pairs, 1, "2\t0");
        assertEquals(pairs + ":1: column 2 (pairs per kind): must be in 1..2147483647, got 0", failure(source, pairs));
        Fixtures.replaceLine(pairs, 1, "3\t2");
        assertEquals(pairs + ":1: 3 folds of 2 matched and 2 mismatched pairs make 12 pair lines, but the file has 8",
                failure(source, pairs));
        Fixtures.replaceLine(pairs, 1, "2\t2");

        Fixtures.replaceLine(pairs, 3, "Akhmed_Zakayev\t1\tZico\t2");
        assertEquals(pairs + ":3: expected 3 columns (name n1 n2: a matched pair, pair 2 of fold 1), got 4:"
                + " 'Akhmed_Zakayev\\t1\\tZico\\t2'", failure(source, pairs));
        Fixtures.replaceLine(pairs, 3, "Akhmed_Zakayev\t1\tthree");
        assertEquals(pairs + ":3: column 3 (image number): expected a whole number, got 'three'", failure(source, pairs));
        Fixtures.replaceLine(pairs, 3, "Akhmed_Zakayev\t3\t3");
        assertEquals(pairs + ":3: a matched pair of image 3 with itself", failure(source, pairs));
        Fixtures.replaceLine(pairs, 3, Fixtures.LFW_PAIRS[2]);
        Fixtures.replaceLine(pairs, 8, "Zico\t1\t2");
        assertEquals(pairs + ":8: expected 4 columns (name1 n1 name2 n2: a mismatched pair, pair 3 of fold 2), got 3:"
                + " 'Zico\\t1\\t2'", failure(source, pairs));
        Fixtures.replaceLine(pairs, 8, "Zico\t1\tZico\t2");
        assertEquals(pairs + ":8: a mismatched pair of one person, 'Zico'", failure(source, pairs));
        Fixtures.replaceLine(pairs, 8, "Akhmed_Zakayev\t4\tZico\t1");
        Fixtures.replaceLine(pairs, 6, "Nobody\t1\t2");
        assertEquals(pairs + ": 3 of the images its pairs name are not in " + source + ":\n"
                + "  " + pairs + ":6: '" + source.resolve("Nobody/Nobody_0001.jpg") + "'\n"
                + "  " + pairs + ":6: '" + source.resolve("Nobody/Nobody_0002.jpg") + "'\n"
                + "  " + pairs + ":8: '" + source.resolve("Akhmed_Zakayev/Akhmed_Zakayev_0004.jpg") + "'",
                failure(source, pairs));

        Files.write(pairs, List.of());
        assertTrue(failure(source, pairs).startsWith(pairs + ": empty"), failure(source, pairs));
        Files.delete(pairs);
        assertEquals(pairs + ": pairs file not found", failure(source, pairs));
    }
}
