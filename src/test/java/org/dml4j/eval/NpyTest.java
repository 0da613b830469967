package org.dml4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dml4j.data.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NpyTest {
    @TempDir
    Path dir;

    @Test
    void headerAndDataFollowTheNpyFormat() throws IOException {
        INDArray m = Nd4j.createFromArray(new float[][] {{1.5f, -2f, 0f}, {3.25f, 1e-3f, -0f}});
        Path f = dir.resolve("x.npy");
        try (OutputStream o = Files.newOutputStream(f)) {
            Npy.write(m, o);
        }
        byte[] b = Files.readAllBytes(f);
        assertEquals((byte) 0x93, b[0]);
        assertEquals("NUMPY", new String(b, 1, 5, StandardCharsets.US_ASCII));
        assertEquals(1, b[6], "major version");
        assertEquals(0, b[7], "minor version");
        int headerLength = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        assertEquals(0, (10 + headerLength) % 64, "data aligned to 64 bytes");
        String header = new String(b, 10, headerLength, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), header);
        assertTrue(header.endsWith("\n"));
        assertEquals(10 + headerLength + 6 * 4, b.length);
        ByteBuffer data = ByteBuffer.wrap(b, 10 + headerLength, 24).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[6];
        data.asFloatBuffer().get(values);
        assertArrayEquals(new float[] {1.5f, -2f, 0f, 3.25f, 1e-3f, -0f}, values);
        assertEquals(m, Npy.read(f));
    }

    @Test
    void readRejectsWhatItCannotUse() throws IOException {
        Path text = Files.writeString(dir.resolve("t.npy"), "not numpy");
        assertTrue(assertThrows(DataException.class, () -> Npy.read(text)).getMessage().contains("not a .npy file"));
        byte[] header = Npy.header(4, 2);
        Path truncated = dir.resolve("short.npy");
        Files.write(truncated, header);
        assertTrue(assertThrows(DataException.class, () -> Npy.read(truncated)).getMessage()
                .contains("header says 4x2 but the file holds 0 data bytes"));
    }

    @Test
    void inferLinesLookLikeNumpy() {
        assertEquals("[1.131276   1.8771836  0.40289497 2.058223   0.        ]",
                NumpyFormat.array(new float[] {1.131276f, 1.8771836f, 0.40289497f, 2.058223f, 0f}));
        assertEquals("[0.28176978 0.         1.1275045  2.202574   0.73892903]",
                NumpyFormat.array(new float[] {0.28176978f, 0f, 1.1275045f, 2.202574f, 0.73892903f}));
        assertEquals("[ 12.5    -0.25    3.      0.125 100.   ]",
                NumpyFormat.array(new float[] {12.5f, -0.25f, 3f, 0.125f, 100f}));
    }
}
