package org.dml4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dml4j.error.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Label files as users have them: byte-order marks, 64-bit ids, numpy's text and binary formats. */
public class LabelFileTest {
    @TempDir
    Path dir;

    private Path text(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private Path text(String name, String content) throws IOException {
        return text(name, content.getBytes(StandardCharsets.UTF_8));
    }

    /** A .npy file with the given dtype descriptor, shape text and little-endian data. */
    public static Path npy(Path file, String descr, String shape, byte[] data) throws IOException {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int pad = (64 - (10 + dict.length() + 1) % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length())
                .put(header.getBytes(StandardCharsets.US_ASCII)).put(data);
        return Files.write(file, b.array());
    }

    private static byte[] longs(long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return b.array();
    }

    @Test
    void textLabelsInTheFormsToolsWriteThem() throws IOException {
        long[] expected = {7, 0, 1, 1, 0, 0};
        assertArrayEquals(expected, LabelFile.read(text("plain.txt", "7\n0\n1\n1\n0\n0\n")));
        byte[] bom = "\uFEFF7\n0\n1\n1\n0\n0\n".getBytes(StandardCharsets.UTF_8);
        assertEquals((byte) 0xEF, bom[0]);
        assertArrayEquals(expected, LabelFile.read(text("bom.txt", bom)), "a UTF-8 byte-order mark");
        assertArrayEquals(expected, LabelFile.read(text("crlf.txt", "7\r\n0\r\n1\r\n1\r\n0\r\n0")), "CRLF, no final newline");
        assertArrayEquals(expected, LabelFile.read(text("cr.txt", "7\r0\r1\r1\r0\r0\r")), "old Mac line ends");
        assertArrayEquals(expected, LabelFile.read(text("savetxt.txt", "7.000000000000000000e+00\n0.000000000000000000e+00\n"
                + "1.000000000000000000e+00\n1.0\n+0\n-0\n")), "numpy.savetxt's default float format");
        assertArrayEquals(new long[] {9876543210123L, Long.MAX_VALUE, Long.MIN_VALUE, -1},
                LabelFile.read(text("big.txt", "9876543210123\n9223372036854775807\n-9223372036854775808\n -1 \n\n\n")),
                "64-bit labels; trailing blank lines are ignored");
    }

    @Test
    void badLabelsAreNamedWithTheirLineAndVisibleCharacters() throws IOException {
        String m = assertThrows(DataException.class, () -> LabelFile.read(text("nbsp.txt", "1\n2\u00A0\n"))).getMessage();
        assertTrue(m.endsWith("nbsp.txt:2: expected an integer label, got '2\\u00A0'"), m);
        m = assertThrows(DataException.class, () -> LabelFile.read(text("zw.txt", "1\n\u200B3\n"))).getMessage();
        assertTrue(m.endsWith("zw.txt:2: expected an integer label, got '\\u200B3'"), m);
        m = assertThrows(DataException.class, () -> LabelFile.read(text("half.txt", "1\n2.5\n"))).getMessage();
        assertTrue(m.endsWith("half.txt:2: expected a whole number within 64-bit range, got '2.5'"), m);
        m = assertThrows(DataException.class, () -> LabelFile.read(text("huge.txt", "9223372036854775808\n"))).getMessage();
        assertTrue(m.contains("huge.txt:1: expected a whole number within 64-bit range"), m);
        m = assertThrows(DataException.class, () -> LabelFile.read(text("gap.txt", "1\n\n2\n"))).getMessage();
        assertTrue(m.contains("gap.txt:2: empty line ''"), m);
        m = assertThrows(DataException.class, () -> LabelFile.read(text("arabic.txt", "\u0661\n"))).getMessage();
        assertTrue(m.endsWith("arabic.txt:1: expected an integer label, got '\u0661'"), "ASCII digits only: " + m);
        m = assertThrows(DataException.class, () -> LabelFile.read(text("wide.txt", "\uFF12\n"))).getMessage();
        assertTrue(m.endsWith("wide.txt:1: expected an integer label, got '\uFF12'"), m);
        m = assertThrows(DataException.class, () -> LabelFile.read(text("exp.txt", "1e99999999999\n"))).getMessage();
        assertTrue(m.endsWith("exp.txt:1: expected a whole number within 64-bit range, got '1e99999999999'"), m);
        m = assertThrows(DataException.class, () -> LabelFile.read(text("tab.txt", "1\t2\n"))).getMessage();
        assertTrue(m.endsWith("tab.txt:1: expected an integer label, got '1\\t2'"), m);
        m = assertThrows(DataException.class, () -> LabelFile.read(text("latin1.txt",
                new byte[] {'1', '\n', 'c', 'a', 'f', (byte) 0xE9, '\n'}))).getMessage();
        assertTrue(m.contains("latin1.txt:2: not UTF-8 at byte column 4 (bytes E9 0A)") || m.contains(
                "latin1.txt:2: not UTF-8 at byte column 4 (bytes E9"), m);
        m = assertThrows(DataException.class, () -> LabelFile.read(text("utf16.txt",
                "\uFEFF1\n".getBytes(StandardCharsets.UTF_16LE)))).getMessage();
        assertTrue(m.contains("utf16.txt: UTF-16 or UTF-32 text (byte-order mark FF FE); save it as UTF-8"), m);
    }

    @Test
    void npyLabelsOfEveryIntegerType() throws IOException {
        assertArrayEquals(new long[] {9876543210123L, -1, 3}, LabelFile.read(npy(dir.resolve("a.npy"), "<i8", "(3,)",
                longs(9876543210123L, -1, 3))));
        assertArrayEquals(new long[] {5, 250}, LabelFile.read(npy(dir.resolve("b.npy"), "|u1", "(2, 1)",
                new byte[] {5, (byte) 250})));
        ByteBuffer i4 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-7).putInt(1 << 30);
        assertArrayEquals(new long[] {-7, 1 << 30}, LabelFile.read(npy(dir.resolve("c.npy"), "<i4", "(2,)", i4.array())));
        ByteBuffer f8 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(4.0).putDouble(-2.0);
        assertArrayEquals(new long[] {4, -2}, LabelFile.read(npy(dir.resolve("d.npy"), "<f8", "(2,)", f8.array())));
        ByteBuffer half = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).putFloat(1.5f);
        String m = assertThrows(DataException.class, () -> LabelFile.read(npy(dir.resolve("e.npy"), "<f4", "(2,)",
                half.array()))).getMessage();
        assertTrue(m.contains("e.npy: row 1: 1.5 is not a whole number"), m);
        m = assertThrows(DataException.class, () -> LabelFile.read(npy(dir.resolve("f.npy"), "<i8", "(1, 2)",
                longs(1, 2)))).getMessage();
        assertTrue(m.contains("expected a 1-d array of labels (N,) or (N, 1), got shape (1, 2)"), m);
        m = assertThrows(DataException.class, () -> LabelFile.read(npy(dir.resolve("g.npy"), ">i8", "(1,)",
                longs(1)))).getMessage();
        assertTrue(m.contains("got dtype '>i8'"), m);
        m = assertThrows(DataException.class, () -> LabelFile.read(npy(dir.resolve("h.npy"), "<u8", "(1,)",
                longs(-1)))).getMessage();
        assertTrue(m.contains("h.npy: row 0: 18446744073709551615 is beyond the 64-bit signed range"), m);
    }

    @Test
    void denseLabelsKeepEquality() {
        assertArrayEquals(new int[] {2, 0, 1, 1, 0, 3}, LabelFile.dense(new long[] {7, -5, 0, 0, -5, 9876543210123L}));
        // queries and gallery over their union; -1 (junk) stays -1
        int[][] both = LabelFile.denseTogether(new long[] {1501, 7}, new long[] {-1, 7, 0, 9_000_000_000L, 1501});
        assertArrayEquals(new int[] {2, 1}, both[0]);
        assertArrayEquals(new int[] {-1, 1, 0, 3, 2}, both[1]);
    }
}
