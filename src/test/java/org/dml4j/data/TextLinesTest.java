package org.dml4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dml4j.error.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every text input is UTF-8 whatever the locale, with byte-order marks and any line ends. */
class TextLinesTest {
    @TempDir
    Path dir;

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Object p : parts) {
            byte[] x = p instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) p;
            b.writeBytes(x);
        }
        return b.toByteArray();
    }

    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    @Test
    void listsWithByteOrderMarksAndWindowsLineEndsReadAsTheirCleanTwins() throws IOException {
        String clean = "image_id class_id super_class_id path\n1 1 1 café_final/été.jpg\n2 2 1 b/x.jpg\n";
        Path plain = Files.write(dir.resolve("plain.txt"), bytes(clean));
        List<Sample> expected = ImageList.read(dir, plain, Split.TEST).samples();
        assertEquals("café_final/été.jpg", expected.get(0).path(), "non-ASCII paths are read as UTF-8");
        for (byte[] variant : List.of(
                bytes(BOM, clean),
                bytes(BOM, clean.replace("\n", "\r\n")),
                bytes(clean.replace("\n", "\r")),
                bytes(BOM, "image_id class_id super_class_id path\n1 1 1 café_final/été.jpg\n", BOM, "2 2 1 b/x.jpg"))) {
            Path f = Files.write(dir.resolve("variant.txt"), variant);
            assertEquals(expected, ImageList.read(dir, f, Split.TEST).samples());
        }
        Path paths = Files.write(dir.resolve("paths.txt"), bytes(BOM, "# images\r\ncafé_final/été.jpg\r\n\r\nb/x.jpg"));
        assertEquals(List.of("café_final/été.jpg", "b/x.jpg"),
                ImageList.ofPathList(paths).samples().stream().map(Sample::path).toList());
    }

    @Test
    void otherEncodingsAndBinaryFilesAreNamedWithLineAndBytes() throws IOException {
        Path latin1 = Files.write(dir.resolve("latin1.txt"), bytes("image_id class_id super_class_id path\n1 1 1 a.jpg\n",
                "2 1 1 caf", new byte[] {(byte) 0xE9}, "/x.jpg\n"));
        String m = assertThrows(DataException.class, () -> ImageList.read(dir, latin1, Split.TEST)).getMessage();
        assertEquals(latin1 + ":3: not UTF-8 at byte column 10 (bytes E9 2F); text files are read as UTF-8 whatever"
                + " the locale: convert it, e.g. iconv -f latin1 -t utf-8", m);
        Path utf16 = Files.write(dir.resolve("utf16.txt"), "image_id\n".getBytes(StandardCharsets.UTF_16));
        m = assertThrows(DataException.class, () -> ImageList.read(dir, utf16, Split.TEST)).getMessage();
        assertTrue(m.contains("UTF-16 or UTF-32 text (byte-order mark FE FF)"), m);
        Path binary = Files.write(dir.resolve("features.npy"), bytes("1 1 1 a.jpg\n", new byte[] {'x', 0, 'y'}));
        m = assertThrows(DataException.class, () -> ImageList.ofPathList(binary)).getMessage();
        assertTrue(m.endsWith("features.npy:2: a NUL byte at column 2: this is a binary file, not text"), m);
    }

    @Test
    void invisibleCharactersInListsAreShownInTheMessage() throws IOException {
        Path nbsp = Files.write(dir.resolve("nbsp.txt"), bytes("1 1\u00A0 1 a.jpg\n"));
        String m = assertThrows(DataException.class, () -> ImageList.read(dir, nbsp, Split.TEST)).getMessage();
        assertTrue(m.endsWith("nbsp.txt:1: column 2 (class_id): expected an integer, got '1\\u00A0'"), m);
        Path rtl = Files.write(dir.resolve("rtl.txt"), bytes("1 1 1 /\u202Egpj.exe\n"));
        m = assertThrows(DataException.class, () -> ImageList.read(dir, rtl, Split.TEST)).getMessage();
        assertTrue(m.endsWith("must be relative to the data root, got '/\\u202Egpj.exe'"), m);
        assertEquals("'a\\tb\\r\\u0000\\uFEFF\\u200B\\u00A0\\u2028\\uFFFD\\u{E0001} ü 中'",
                VisibleText.quote("a\tb\r\u0000\uFEFF\u200B\u00A0\u2028\uFFFD\uDB40\uDC01 ü 中"));
        assertEquals("plain ASCII and Ünïcödé", VisibleText.escape("plain ASCII and Ünïcödé"));
    }

    @Test
    void recordsDropTrailingBlankLinesAndRefuseBlankOnesBetween() throws IOException {
        Path ok = Files.write(dir.resolve("paths.txt"), bytes("a.jpg\nb.jpg\n\n  \n"));
        assertEquals(List.of("a.jpg", "b.jpg"), TextLines.readRecords(ok, "path"));
        Path gap = Files.write(dir.resolve("gap.txt"), bytes("a.jpg\n\nb.jpg\n"));
        String m = assertThrows(DataException.class, () -> TextLines.readRecords(gap, "path")).getMessage();
        assertEquals(gap + ":2: empty line '' (one path per line; a missing one would shift every later one)", m);
    }
}
