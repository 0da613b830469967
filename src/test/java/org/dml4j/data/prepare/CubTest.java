package org.dml4j.data.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dml4j.data.ImageList;
import org.dml4j.data.Sample;
import org.dml4j.data.Split;
import org.dml4j.error.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CubTest {
    @TempDir
    Path dir;

    @Test
    void classes1To100TrainAnd101To200Test() throws IOException {
        Path source = Fixtures.cub(dir);
        Path out = dir.resolve("out");
        String summary = Cub.convert(source).writeTo(out, false);
        assertEquals(List.of(
                "image_id class_id super_class_id path",
                "1 1 1 images/001.Bird_1/Bird_1_001_101.jpg",
                "2 1 1 images/001.Bird_1/Bird_1_002_102.jpg",
                "3 2 2 images/002.Bird_2/Bird_2_003_103.jpg",
                "4 100 100 images/100.Bird_100/Bird_100_004_104.jpg"), Files.readAllLines(out.resolve("Ebay_train.txt")));
        assertEquals(List.of(
                "image_id class_id super_class_id path",
                "1 101 101 images/101.Bird_101/Bird_101_005_105.jpg",
                "2 101 101 images/101.Bird_101/Bird_101_006_106.jpg",
                "3 150 150 images/150.Bird_150/Bird_150_007_107.jpg",
                "4 200 200 images/200.Bird_200/Bird_200_008_108.jpg"), Files.readAllLines(out.resolve("Ebay_test.txt")));
        assertEquals(source.resolve("images").toAbsolutePath(), Files.readSymbolicLink(out.resolve("images")));
        assertEquals(List.of("Ebay_test.txt", "Ebay_train.txt", "images"), FoldersTest.listing(out));
        assertEquals("wrote " + out + ": Ebay_train.txt 4 images, 3 classes; Ebay_test.txt 4 images, 3 classes", summary);

        ImageList train = ImageList.read(out, Split.TRAIN);
        train.requireImagesExist();
        assertEquals(List.of(0, 0, 1, 99), train.samples().stream().map(Sample::label).toList());
        ImageList test = ImageList.read(out, Split.TEST);
        test.requireImagesExist();
        assertEquals(List.of(101, 101, 150, 200), test.samples().stream().map(Sample::label).toList());
    }

    @Test
    void unorderedIdsAndBlankLinesAreReadInFileOrder() throws IOException {
        Path source = Fixtures.cub(dir);
        List<String> images = Files.readAllLines(source.resolve("images.txt"));
        Fixtures.text(source.resolve("images.txt"), images.get(4), images.get(0), "", images.get(7), images.get(3),
                images.get(2), images.get(1), images.get(6), images.get(5), "");
        PreparedFolder p = Cub.convert(source);
        assertEquals(List.of("image_id class_id super_class_id path", "1 1 1 images/" + Fixtures.cubPath(1),
                "2 100 100 images/" + Fixtures.cubPath(4), "3 2 2 images/" + Fixtures.cubPath(3),
                "4 1 1 images/" + Fixtures.cubPath(2)), p.lines("Ebay_train.txt"));
    }

    /** The message of converting {@code source}, which must fail. */
    private static String failure(Path source) {
        return assertThrows(DataException.class, () -> Cub.convert(source)).getMessage();
    }

    @Test
    void malformedLinesAreNamedByFileAndLine() throws IOException {
        Path source = Fixtures.cub(dir);
        Path images = source.resolve("images.txt");
        Path labels = source.resolve("image_class_labels.txt");
        List<String> original = Files.readAllLines(images);
        List<String> originalLabels = Files.readAllLines(labels);

        Fixtures.replaceLine(images, 3, "3 002.Bird_2/Bird 2.jpg");
        assertEquals(images + ":3: expected 2 columns (image_id path), got 3 (paths must not contain spaces):"
                + " '3 002.Bird_2/Bird 2.jpg'", failure(source));
        Fixtures.replaceLine(images, 3, "x3 " + Fixtures.cubPath(3));
        assertEquals(images + ":3: column 1 (image_id): expected a whole number, got 'x3'", failure(source));
        Fixtures.replaceLine(images, 3, "2 " + Fixtures.cubPath(3));
        assertEquals(images + ":3: image id 2 again (first on line 2)", failure(source));
        Fixtures.replaceLine(images, 3, "9 " + Fixtures.cubPath(3));
        assertEquals(labels + ":3: image id 3 is not in images.txt", failure(source));
        Fixtures.replaceLine(images, 3, "3 ../" + Fixtures.cubPath(3));
        assertTrue(failure(source).startsWith(images + ":3: column 2 (path): '../"), failure(source));
        Files.write(images, original);

        Fixtures.replaceLine(labels, 5, "5 201");
        assertEquals(labels + ":5: column 2 (class_id): must be in 1..200, got 201", failure(source));
        Fixtures.replaceLine(labels, 5, "5 0");
        assertEquals(labels + ":5: column 2 (class_id): must be in 1..2147483647, got 0", failure(source));
        Fixtures.replaceLine(labels, 5, "5 1 1");
        assertEquals(labels + ":5: expected 2 columns (image_id class_id), got 3: '5 1 1'", failure(source));
        Fixtures.replaceLine(labels, 5, "55 1");
        assertEquals(labels + ":5: image id 55 is not in images.txt", failure(source));
        Files.write(labels, originalLabels);

        Files.write(labels, originalLabels.subList(0, 4));
        assertEquals(images + ":5: image id 5 has no line in image_class_labels.txt", failure(source));
        Files.write(labels, originalLabels.stream().map(l -> l.replaceAll(" 1[0-9][0-9]$| 200$", " 7")).toList());
        assertEquals(labels + ": no image of classes 101-200, so the test list would be empty", failure(source));
    }

    @Test
    void missingImagesAreCountedAndTheFirstFewNamed() throws IOException {
        Path source = Fixtures.cub(dir);
        Files.delete(source.resolve("images").resolve(Fixtures.cubPath(2)));
        Files.delete(source.resolve("images").resolve(Fixtures.cubPath(7)));
        assertEquals(source.resolve("images.txt") + ": 2 of 8 listed images are missing:\n"
                + "  images.txt:2: " + source.resolve("images").resolve(Fixtures.cubPath(2)) + "\n"
                + "  images.txt:7: " + source.resolve("images").resolve(Fixtures.cubPath(7)), failure(source));
        for (int id = 1; id <= 8; id++) {
            Files.deleteIfExists(source.resolve("images").resolve(Fixtures.cubPath(id)));
        }
        String all = failure(source);
        assertTrue(all.startsWith(source.resolve("images.txt") + ": 8 of 8 listed images are missing, first 5:\n"), all);
        assertEquals(6, all.split("\n").length, all);

        assertEquals(dir.resolve("nope") + ": no such folder (--source: the CUB_200_2011 folder)",
                failure(dir.resolve("nope")));
        assertEquals(dir.resolve("images.txt") + ": not found; --source should be " + source, failure(dir));
    }
}
