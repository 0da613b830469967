package org.dml4j.data.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dml4j.data.ImageList;
import org.dml4j.data.Sample;
import org.dml4j.data.Split;
import org.dml4j.error.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InShopTest {
    @TempDir
    Path dir;

    /** The list of {@code status}'s images of {@link Fixtures#INSHOP}, computed from the table. */
    private static List<String> expected(String status) {
        List<String> lines = new ArrayList<>();
        lines.add("image_id class_id super_class_id path");
        for (String[] e : Fixtures.INSHOP) {
            if (e[2].equals(status)) {
                int item = Integer.parseInt(e[1].substring("id_".length()));
                lines.add(lines.size() + " " + item + " " + item + " " + e[0]);
            }
        }
        return lines;
    }

    @Test
    void trainQueryAndGalleryWithTheItemAsClass() throws IOException {
        Path source = Fixtures.inShop(dir, true);
        Path out = dir.resolve("out");
        String summary = InShop.convert(source).writeTo(out, false);
        assertEquals(expected("train"), Files.readAllLines(out.resolve("Ebay_train.txt")));
        assertEquals(List.of("image_id class_id super_class_id path", "1 1 1 img/WOMEN/Blouses_Shirts/id_00000001/02_1_front.jpg",
                "2 7982 7982 img/MEN/Tees_Tanks/id_00007982/01_7_additional.jpg"), Files.readAllLines(out.resolve("query.txt")));
        assertEquals(expected("query"), Files.readAllLines(out.resolve("query.txt")));
        assertEquals(expected("gallery"), Files.readAllLines(out.resolve("gallery.txt")));
        assertEquals(source.resolve("img").toAbsolutePath(), Files.readSymbolicLink(out.resolve("img")));
        assertEquals(List.of("Ebay_train.txt", "gallery.txt", "img", "query.txt"), FoldersTest.listing(out));
        assertEquals("wrote " + out + ": Ebay_train.txt 3 images, 2 classes; query.txt 2 images, 2 classes;"
                + " gallery.txt 3 images, 2 classes", summary);
        ImageList train = ImageList.read(out, Split.TRAIN);
        train.requireImagesExist();
        assertEquals(List.of(1, 1, 79), train.samples().stream().map(Sample::label).toList());
        for (String list : List.of("query.txt", "gallery.txt")) {
            for (String line : Files.readAllLines(out.resolve(list)).subList(1, 3)) {
                assertTrue(Files.isRegularFile(out.resolve(line.split(" ")[3])), line);
            }
        }
    }

    @Test
    void thePartitionFileMayLieAtTheTop() throws IOException {
        Path source = Fixtures.inShop(dir, false);
        assertEquals(expected("gallery"), InShop.convert(source).lines("gallery.txt"));
    }

    private static String failure(Path source) {
        return assertThrows(DataException.class, () -> InShop.convert(source)).getMessage();
    }

    @Test
    void malformedLinesAreNamedByFileAndLine() throws IOException {
        Path source = Fixtures.inShop(dir, true);
        Path file = source.resolve("Eval").resolve("list_eval_partition.txt");
        List<String> original = Files.readAllLines(file);

        Fixtures.replaceLine(file, 1, "9");
        assertEquals(file + ":1: says 9 images, but the file lists 8", failure(source));
        Fixtures.replaceLine(file, 1, "eight");
        assertEquals(file + ":1: number of images: expected a whole number, got 'eight'", failure(source));
        Files.write(file, original);
        Fixtures.replaceLine(file, 2, "image_name item_id status");
        assertEquals(file + ":2: expected the header line 'image_name item_id evaluation_status', got"
                + " 'image_name item_id status'", failure(source));
        Files.write(file, original);
        Fixtures.replaceLine(file, 5, original.get(4).replace("train", "val"));
        assertEquals(file + ":5: column 3 (evaluation_status): expected train, query or gallery, got 'val'",
                failure(source));
        Fixtures.replaceLine(file, 5, original.get(4).replace(" id_00000080", " id_0000008O"));
        assertEquals(file + ":5: column 2 (item_id): expected id_ and a number from 1 (id_00000002), got 'id_0000008O'",
                failure(source));
        Fixtures.replaceLine(file, 5, original.get(4).replace(" id_00000080", " id_00000000"));
        assertTrue(failure(source).startsWith(file + ":5: column 2 (item_id)"), failure(source));
        Fixtures.replaceLine(file, 5, original.get(4).replace(" id_00000080", " 80"));
        assertTrue(failure(source).startsWith(file + ":5: column 2 (item_id)"), failure(source));
        Fixtures.replaceLine(file, 5, original.get(4) + " extra");
        assertTrue(failure(source).startsWith(file + ":5: expected 3 columns (image_name item_id evaluation_status),"
                + " got 4"), failure(source));
        Fixtures.replaceLine(file, 5, original.get(3));
        assertEquals(file + ":5: 'img/WOMEN/Dresses/id_00000002/02_2_side.jpg' again (first on line 4)", failure(source));
        Fixtures.replaceLine(file, 5, original.get(4).replace("img/MEN", "pictures/MEN"));
        assertEquals(file + ":5: column 1 (image_name): expected a path in img/, got"
                + " 'pictures/MEN/Denim/id_00000080/01_1_front.jpg'", failure(source));
        Files.write(file, original);

        Files.delete(source.resolve(Fixtures.INSHOP[6][0]));
        assertEquals(file + ": 1 of 8 listed images are missing:\n  list_eval_partition.txt:9: "
                + source.resolve(Fixtures.INSHOP[6][0]), failure(source));

        Files.write(file, original.subList(0, 5));
        Fixtures.replaceLine(file, 1, "3");
        assertEquals(file + ": no image has status query", failure(source));
        Files.delete(file);
        assertTrue(failure(source).startsWith(file + ": not found (nor " + source.resolve("list_eval_partition.txt")),
                failure(source));
    }
}
