package org.dml4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dml4j.error.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageListTest {
    @TempDir
    Path dir;

    private Path list(String... lines) throws IOException {
        return Files.write(dir.resolve("Ebay_train.txt"), List.of(lines));
    }

    @Test
    void readsClassAndPathSkippingHeaderAndBlankLines() throws IOException {
        Path f = list("image_id class_id super_class_id path",
                "1 1 1 bicycle_final/111085122871_0.JPG",
                "",
                "2 7 3 chair_final/2_0.JPG  ");
        ImageList train = ImageList.read(dir, f, Split.TRAIN);
        assertEquals(2, train.size());
        assertEquals(new Sample("bicycle_final/111085122871_0.JPG", 0, 2), train.samples().get(0));
        assertEquals(new Sample("chair_final/2_0.JPG", 6, 4), train.samples().get(1));
        assertEquals(dir.resolve("chair_final/2_0.JPG"), train.imagePath(1));
        assertEquals(2, train.classCount());
        assertEquals(6, train.maxLabel());

        ImageList test = ImageList.read(dir, f, Split.TEST);
        assertEquals(1, test.label(0), "test labels are the class id itself");
        assertEquals(7, test.label(1));
    }

    @Test
    void groupsIndicesByLabelInFileOrder() throws IOException {
        Path f = list("1 2 1 a.jpg", "2 1 1 b.jpg", "3 2 1 c.jpg", "4 1 1 d.jpg", "5 3 1 e.jpg");
        int[][] groups = ImageList.read(dir, f, Split.TRAIN).indicesByLabel();
        assertEquals(3, groups.length);
        assertArrayEquals(new int[] {1, 3}, groups[0]);
        assertArrayEquals(new int[] {0, 2}, groups[1]);
        assertArrayEquals(new int[] {4}, groups[2]);
    }

    @Test
    void malformedLinesNameFileAndLine() throws IOException {
        Path f = list("image_id class_id super_class_id path", "1 1 1 a.jpg", "2 x 1 b.jpg");
        DataException e = assertThrows(DataException.class, () -> ImageList.read(dir, f, Split.TRAIN));
        assertTrue(e.getMessage().startsWith(f + ":3: column 2 (class_id)"), e.getMessage());

        Path g = list("1 1 a.jpg");
        e = assertThrows(DataException.class, () -> ImageList.read(dir, g, Split.TRAIN));
        assertTrue(e.getMessage().contains(":1: expected 4 columns"), e.getMessage());

        Path h = list("1 1 1 my photo.jpg");
        e = assertThrows(DataException.class, () -> ImageList.read(dir, h, Split.TRAIN));
        assertTrue(e.getMessage().contains("got 5 (paths must not contain spaces)"), e.getMessage());

        Path zero = list("1 0 1 a.jpg");
        e = assertThrows(DataException.class, () -> ImageList.read(dir, zero, Split.TRAIN));
        assertTrue(e.getMessage().contains(":1: column 2 (class_id): must be in 1..2147483647, got 0"), e.getMessage());
        for (String id : new String[] {"-5", "2147483648", "9223372036854775807", "99999999999999999999999"}) {
            for (Split split : Split.values()) {
                Path bad = list("1 " + id + " 1 a.jpg");
                e = assertThrows(DataException.class, () -> ImageList.read(dir, bad, split), id);
                assertTrue(e.getMessage().endsWith(":1: column 2 (class_id): must be in 1..2147483647, got " + id),
                        e.getMessage());
            }
        }
        assertEquals(Integer.MAX_VALUE, ImageList.read(dir, list("1 2147483647 1 a.jpg"), Split.TEST).label(0));
        for (String notAscii : new String[] {"\u0663", "\uFF12", "1\u00A0"}) {
            Path odd = list("1 " + notAscii + " 1 a.jpg");
            e = assertThrows(DataException.class, () -> ImageList.read(dir, odd, Split.TRAIN), notAscii);
            assertTrue(e.getMessage().contains("column 2 (class_id): expected an integer, got '"), e.getMessage());
        }
    }

    @Test
    void pathsThatLeaveTheRootAreRejected() throws IOException {
        for (String bad : new String[] {"../secret.jpg", "a/../../b.jpg", "/etc/passwd"}) {
            Path f = list("image_id class_id super_class_id path", "1 1 1 ok.jpg", "2 1 1 " + bad);
            DataException e = assertThrows(DataException.class, () -> ImageList.read(dir, f, Split.TRAIN), bad);
            assertTrue(e.getMessage().startsWith(f + ":3: column 4 (path)"), e.getMessage());
        }
        Path inside = list("1 1 1 a/../b.jpg");
        assertEquals(1, ImageList.read(dir, inside, Split.TRAIN).size());
    }

    @Test
    void missingOrEmptyListsAreClearErrors() throws IOException {
        DataException e = assertThrows(DataException.class, () -> ImageList.read(dir, Split.TEST));
        assertTrue(e.getMessage().contains("Ebay_test.txt: list file not found"), e.getMessage());
        Path f = list("image_id class_id super_class_id path");
        e = assertThrows(DataException.class, () -> ImageList.read(dir, f, Split.TRAIN));
        assertTrue(e.getMessage().endsWith("no image lines in list file"), e.getMessage());
    }

    @Test
    void missingImagesAreReportedAllAtOnce() throws IOException {
        TestData.png(dir.resolve("img/ok.png"), TestData.pattern(4, 4, 1));
        StringBuilder lines = new StringBuilder("image_id class_id super_class_id path\n1 1 1 img/ok.png\n");
        for (int i = 0; i < 8; i++) {
            lines.append(i + 2).append(" 1 1 img/gone").append(i).append(".png\n");
        }
        Path f = Files.writeString(dir.resolve("Ebay_train.txt"), lines);
        ImageList list = ImageList.read(dir, f, Split.TRAIN);
        DataException e = assertThrows(DataException.class, list::requireImagesExist);
        assertTrue(e.getMessage().contains("8 of 9 listed images are missing"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve("img/gone0.png") + " (list line 3)"), e.getMessage());
    }

    @Test
    void aFolderListsEveryImageNameAndRefusesNamesItCannotWriteBack() throws IOException {
        Path img = Files.createDirectories(dir.resolve("img"));
        int[][] px = TestData.pattern(4, 4, 1);
        for (String name : List.of("a.jpg", "x\u2028y.png", "n\u0085el.PNG", "p\u2029s.JPG", "t.tif", "c\u00e9.webp",
                "note.txt")) {
            TestData.png(img.resolve(name), px);
        }
        Path elsewhere = TestData.png(dir.resolve("other/linked.png"), px);
        Files.createSymbolicLink(img.resolve("sub"), elsewhere.getParent());
        Files.createSymbolicLink(img.resolve("gone.png"), dir.resolve("nothing-there.png"));
        ImageList list = ImageList.ofDirectory(img);
        assertEquals(List.of("a.jpg", "c\u00e9.webp", "gone.png", "n\u0085el.PNG", "p\u2029s.JPG", "sub/linked.png",
                "t.tif", "x\u2028y.png"), list.samples().stream().map(Sample::path).toList(),
                "line-separator characters, symbolic links (followed) and dangling links (listed) are all there");
        java.io.StringWriter log = new java.io.StringWriter();
        assertEquals(7, ImageScan.apply(list, true, new java.io.PrintWriter(log)).size());
        assertTrue(log.toString().contains(img.resolve("gone.png") + ": missing"), "the dangling link: " + log);

        TestData.png(img.resolve("new\nline.png"), px);
        DataException e = assertThrows(DataException.class, () -> ImageList.ofDirectory(img));
        assertTrue(e.getMessage().contains("'new\\nline.png' has a line break in its name, which paths.txt cannot"
                + " hold; rename it"), e.getMessage());
        e = assertThrows(DataException.class, () -> ImageList.ofDirectory(dir.resolve("nowhere")));
        assertTrue(e.getMessage().endsWith("nowhere: no such folder"), e.getMessage());
    }

    @Test
    void aMissingFileWhoseNameDiffersOnlyInUnicodeNormalisationIsNamed() throws IOException {
        String nfc = "caf\u00e9.png";
        String nfd = "cafe\u0301.png";
        TestData.png(dir.resolve(nfd), TestData.pattern(4, 4, 1));
        String problem = ImageScan.problem(dir.resolve(nfc));
        assertEquals("missing; 'cafe\u0301.png' in the same folder differs only in Unicode normalisation (decomposed,"
                + " NFD there, composed, NFC here): rename the file or fix the list", problem);
        assertEquals("missing", ImageScan.problem(dir.resolve("other.png")));
    }
}
