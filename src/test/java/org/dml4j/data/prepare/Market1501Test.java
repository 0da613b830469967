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

class Market1501Test {
    @TempDir
    Path dir;

    @Test
    void identitiesCamerasJunkAndDistractors() throws IOException {
        Path source = Fixtures.market(dir);
        PreparedFolder prepared = Market1501.convert(source);
        Path out = dir.resolve("out");
        String summary = prepared.writeTo(out, false);

        // names in String order: "-1_" < "0000_" < "0002_" ...; -1 and 0000 left out of training
        assertEquals(List.of(
                "image_id class_id super_class_id path",
                "1 2 2 bounding_box_train/0002_c1s1_000451_03.jpg",
                "2 2 2 bounding_box_train/0002_c2s1_000301_01.jpg",
                "3 7 7 bounding_box_train/0007_c3s3_015429_01.jpg",
                "4 1500 1500 bounding_box_train/1500_c6s4_002202_01.jpg"), Files.readAllLines(out.resolve("Ebay_train.txt")));
        assertEquals(List.of(
                "image_id class_id super_class_id path",
                "1 2 2 query/0002_c5s1_000401_01.jpg",
                "2 7 7 query/0007_c1s1_001051_00.jpg"), Files.readAllLines(out.resolve("query.txt")));
        assertEquals(List.of("5", "1"), Files.readAllLines(out.resolve("query_cameras.txt")));
        assertEquals(List.of(
                "image_id class_id super_class_id path",
                "1 -1 -1 bounding_box_test/-1_c1s1_000401_03.jpg",
                "2 0 0 bounding_box_test/0000_c3s1_081867_01.jpg",
                "3 2 2 bounding_box_test/0002_c6s1_000452_04.jpg",
                "4 7 7 bounding_box_test/0007_c2s1_000126_02.jpg",
                "5 7 7 bounding_box_test/0007_c4s2_000127_01.jpg"), Files.readAllLines(out.resolve("gallery.txt")));
        assertEquals(List.of("1", "3", "6", "2", "4"), Files.readAllLines(out.resolve("gallery_cameras.txt")));
        assertEquals("wrote " + out + ": Ebay_train.txt 4 images, 3 classes (left out: 1 of identity 0, 1 of identity -1);"
                + " query.txt 2 images, 2 classes; gallery.txt 5 images, 2 classes + 1 distractor (class 0) + 1 junk"
                + " (class -1)", summary);
        for (String folder : List.of("bounding_box_train", "query", "bounding_box_test")) {
            assertEquals(source.resolve(folder).toAbsolutePath(), Files.readSymbolicLink(out.resolve(folder)));
        }
        assertEquals(List.of("Ebay_train.txt", "bounding_box_test", "bounding_box_train", "gallery.txt",
                "gallery_cameras.txt", "query", "query.txt", "query_cameras.txt"), FoldersTest.listing(out));
        ImageList train = ImageList.read(out, Split.TRAIN);
        train.requireImagesExist();
        assertEquals(List.of(1, 1, 6, 1499), train.samples().stream().map(Sample::label).toList());
        for (String line : Files.readAllLines(out.resolve("gallery.txt")).subList(1, 6)) {
            assertTrue(Files.isRegularFile(out.resolve(line.split(" ")[3])), line);
        }
        assertEquals(2, prepared.warnings().size(), prepared.warnings().toString());
        assertEquals(source.resolve("bounding_box_train") + ": skipped 1 file that is not .jpg: 'Thumbs.db'",
                prepared.warnings().get(0));
    }

    private static String failure(Path source) {
        return assertThrows(DataException.class, () -> Market1501.convert(source)).getMessage();
    }

    @Test
    void aJpegWithAnotherNameIsNamed() throws IOException {
        Path source = Fixtures.market(dir);
        Path odd = Fixtures.jpeg(source.resolve("bounding_box_test").resolve("0002_c1_f0046182.jpg"), 5);
        assertEquals(source.resolve("bounding_box_test") + ": 1 of 6 .jpg files cannot be used:\n  " + odd
                + ": not a Market-1501 name (PPPP_cCsS_FFFFFF_BB.jpg, e.g. 0002_c1s1_000451_03.jpg)", failure(source));
        Files.move(odd, odd.resolveSibling("0002_c1s1 000451_01.jpg"));
        assertTrue(failure(source).contains("'0002_c1s1 000451_01.jpg' has whitespace in it"), failure(source));
        Files.delete(odd.resolveSibling("0002_c1s1 000451_01.jpg"));

        Fixtures.jpeg(source.resolve("query").resolve("0000_c1s1_000001_01.jpg"), 5);
        assertEquals(source.resolve("query").resolve("0000_c1s1_000001_01.jpg") + ": a query of identity 0 (junk or"
                + " distractor) cannot be searched for; every query needs a person", failure(source));
        Files.delete(source.resolve("query").resolve("0000_c1s1_000001_01.jpg"));

        for (String f : Fixtures.MARKET_QUERY) {
            Files.delete(source.resolve("query").resolve(f));
        }
        assertEquals(source.resolve("query") + ": no .jpg images", failure(source));
        Files.delete(source.resolve("query"));
        assertEquals(source.resolve("query") + ": no such folder (--source should be the Market-1501-v15.09.15 folder,"
                + " holding bounding_box_train, query, bounding_box_test)", failure(source));
    }
}
