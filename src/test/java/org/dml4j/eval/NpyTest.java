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
import org.dml4j.error.DataException;
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
                .contains("header says shape (4, 2) but the file holds 0 data bytes, not 32"));
    }

    @Test
    void float64IsKeptAndEmptyArraysAreRefused() throws IOException {
        java.nio.ByteBuffer f8 = java.nio.ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN)
                .putDouble(1).putDouble(2).putDouble(1e300).putDouble(-1e-300);
        Path big = LabelFileTest.npy(dir.resolve("big.npy"), "<f8", "(2, 2)", f8.array());
        INDArray d = Npy.read(big);
        assertEquals(org.nd4j.linalg.api.buffer.DataType.DOUBLE, d.dataType(), "values beyond float32 stay readable");
        assertEquals(1e300, d.getDouble(1, 0));
        assertEquals(-1e-300, d.getDouble(1, 1));
        Path empty = LabelFileTest.npy(dir.resolve("empty.npy"), "<f4", "(0, 512)", new byte[0]);
        assertTrue(assertThrows(DataException.class, () -> Npy.read(empty)).getMessage()
                .contains("empty.npy: an empty array (shape (0, 512)): no embeddings to use"));
        Path flat = LabelFileTest.npy(dir.resolve("flat.npy"), "<f4", "(3,)", new byte[12]);
        assertTrue(assertThrows(DataException.class, () -> Npy.read(flat)).getMessage()
                .contains("expected a 2-d array (N, D), got shape (3,)"));
    }

    @Test
    void inferLinesLookLikeNumpy() {
        assertEquals("[1.131276   1.8771836  0.40289497 2.058223   0.        ]",
                NumpyFormat.array(new float[] {1.131276f, 1.8771836f, 0.40289497f, 2.058223f, 0f}));
        assertEquals("[0.28176978 0.         1.1275045  2.202574   0.73892903]",
                NumpyFormat.array(new float[] {0.28176978f, 0f, 1.1275045f, 2.202574f, 0.73892903f}));
        assertEquals("[ 12.5    -0.25    3.      0.125 100.   ]",
                NumpyFormat.array(new float[] {12.5f, -0.25f, 3f, 0.125f, 100f}));
        // each expected string was printed by numpy 1.24 for np.array(values, dtype=np.float32)
        float nan = Float.NaN;
        float inf = Float.POSITIVE_INFINITY;
        String[][] numpy = {
            {"[ nan 0.5  1.25  inf -inf]", "nan 0.5 1.25 inf -inf"},
            {"[nan nan nan nan nan]", "nan nan nan nan nan"},
            {"[1.131276          nan 0.40289497 2.058223   0.        ]", "1.131276 nan 0.40289497 2.058223 0"},
            {"[ 12.5    -0.25      inf   0.125 100.   ]", "12.5 -0.25 inf 0.125 100"},
            {"[1.e-05    nan 3.e+00 4.e+00 5.e+00]", "1e-5 nan 3 4 5"},
            {"[1.0e-03 3.2e+00 0.0e+00 1.0e+00 2.0e+00]", "0.001 3.2 0 1 2"},
            {"[1.2345679e+08 1.0000000e+00 2.0000000e+00 3.0000000e+00 4.0000000e+00]", "123456789 1 2 3 4"},
            {"[ 1.50e-07 -2.25e-03  0.00e+00  7.00e+00       nan]", "1.5e-7 -2.25e-3 0 7 nan"},
            {"[-1.e-05  1.e-05  2.e+00 -3.e+00     inf]", "-1e-5 1e-5 2 -3 inf"},
            {"[3.1415926e-05 2.7182817e+00 3.3333334e-01 1.0000000e+02 1.0000000e-30]",
                "3.1415927e-5 2.7182817 0.33333334 100 1e-30"},
            {"[0. 0. 0. 0. 0.]", "0 0 0 0 0"},
            {"[-0.  1.  2.  3.  4.]", "-0 1 2 3 4"},
            {"[1.e+08 1.e+00 2.e+00 3.e+00 4.e+00]", "99999999 1 2 3 4"},
            {"[   1. 1000.    2.    3.    4.]", "1 1000 2 3 4"},
            {"[1.000e+00 1.001e+03 2.000e+00 3.000e+00 4.000e+00]", "1 1001 2 3 4"},
            {"[1.000e-01 1.005e+02       nan      -inf 0.000e+00]", "0.1 100.5 nan -inf 0"},
            {"[1.e-40 0.e+00 0.e+00 0.e+00 1.e+00]", "1e-40 0 0 0 1"},
            {"[ nan -inf]", "nan -inf"},
            {"[ 3.e+38 -3.e+38  1.e-38  0.e+00  1.e+00]", "3e38 -3e38 1e-38 0 1"},
            {"[1.0000001e+00 1.0000000e-01 2.0000000e-01 3.0000001e-01 1.6777216e+07]",
                "1.0000001 0.1 0.2 0.3 16777216"}};
        for (String[] c : numpy) {
            String[] parts = c[1].split(" ");
            float[] v = new float[parts.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = parts[i].equals("nan") ? nan : parts[i].equals("inf") ? inf : parts[i].equals("-inf") ? -inf
                        : Float.parseFloat(parts[i]);
            }
            assertEquals(c[0], NumpyFormat.array(v), c[1]);
        }
    }
}
