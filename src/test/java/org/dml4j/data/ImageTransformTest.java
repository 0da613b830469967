package org.dml4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;
import org.dml4j.error.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageTransformTest {
    private static final double[] MEAN = {0.485, 0.456, 0.406};
    private static final double[] STD = {0.229, 0.224, 0.225};

    @TempDir
    Path dir;

    /** (v/255 − mean_c)/std_c in double: what the float32 pipeline must reproduce to ~1e-6. */
    private static double norm(int v, int c) {
        return (v / 255.0 - MEAN[c]) / STD[c];
    }

    private static int channel(int rgb, int c) {
        return (rgb >> (16 - 8 * c)) & 0xff;
    }

    /** Expected CHW floats of an RGB block, optionally mirrored left-right. */
    private static float[] expected(int[][] rgb, int x0, int y0, int size, boolean flip) {
        float[] out = new float[3 * size * size];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int sx = x0 + (flip ? size - 1 - x : x);
                    out[c * size * size + y * size + x] = (float) norm(channel(rgb[y0 + y][sx], c), c);
                }
            }
        }
        return out;
    }

    @Test
    void testModeCentreCropsAndNormalisesInRgbChwOrder() throws IOException {
        // 4 wide, 2 high, crop 2: short side is already 2, so no resampling; centre offset x = 1
        int[][] rgb = {
            {0x102030, 0xff0000, 0x00ff00, 0x0000ff},
            {0x000000, 0xffffff, 0x7f8081, 0x405060}};
        Path f = TestData.png(dir.resolve("a.png"), rgb);
        float[] out = new float[1 + 12];
        new ImageTransform(2, false).apply(f, null, out, 1);
        assertEquals(0f, out[0], "nothing written before the offset");
        // R plane: pixels (1,0) (2,0) (1,1) (2,1)
        assertEquals(norm(0xff, 0), out[1], 1e-6);
        assertEquals(norm(0x00, 0), out[2], 1e-6);
        assertEquals(norm(0xff, 0), out[3], 1e-6);
        assertEquals(norm(0x7f, 0), out[4], 1e-6);
        // G plane then B plane
        assertEquals(norm(0x00, 1), out[5], 1e-6);
        assertEquals(norm(0xff, 1), out[6], 1e-6);
        assertEquals(norm(0x80, 1), out[8], 1e-6);
        assertEquals(norm(0x00, 2), out[9], 1e-6);
        assertEquals(norm(0x81, 2), out[12], 1e-6);
        float[] all = new float[12];
        System.arraycopy(out, 1, all, 0, 12);
        assertArrayEquals(expected(rgb, 1, 0, 2, false), all, 1e-6f);
    }

    @Test
    void normalisationIsNumpysFloat32ThenFloat64Rounding() throws IOException {
        int[][] rgb = {{0x8040c0}};
        float[] out = new float[3];
        new ImageTransform(1, false).apply(TestData.png(dir.resolve("p.png"), rgb), null, out, 0);
        float scaled = 0x80 / 255f;
        assertEquals((float) ((float) (scaled - 0.485) / 0.229), out[0]);
        assertEquals((float) ((float) ((0x40 / 255f) - 0.456) / 0.224), out[1]);
        assertEquals((float) ((float) ((0xc0 / 255f) - 0.406) / 0.225), out[2]);
    }

    @Test
    void testModeResizesTheShortSideThenCropsTheCentre() throws IOException {
        // 5x2 constant image, crop 3: resized to 8x3 (7.5 rounds to 8), crop offset 2; Lanczos keeps a constant
        int[][] rgb = new int[2][5];
        for (int[] row : rgb) {
            java.util.Arrays.fill(row, 0x336699);
        }
        float[] out = new float[27];
        new ImageTransform(3, false).apply(TestData.png(dir.resolve("c.png"), rgb), null, out, 0);
        for (int i = 0; i < 9; i++) {
            assertEquals(norm(0x33, 0), out[i], 1e-6);
            assertEquals(norm(0x66, 1), out[9 + i], 1e-6);
            assertEquals(norm(0x99, 2), out[18 + i], 1e-6);
        }
    }

    @Test
    void trainModeCutsTheBoxAndMirrors() throws IOException {
        int[][] rgb = TestData.pattern(5, 4, 3);
        ImageTransform t = new ImageTransform(2, true);
        try (Mat bgr = ImageTransform.decode(TestData.png(dir.resolve("t.png"), rgb))) {
            float[] out = new float[12];
            t.applyTrain(bgr, new CropGeometry.Box(1, 2, 2, 2), false, out, 0);
            assertArrayEquals(expected(rgb, 1, 2, 2, false), out, 1e-6f);
            t.applyTrain(bgr, new CropGeometry.Box(3, 1, 2, 2), true, out, 0);
            assertArrayEquals(expected(rgb, 3, 1, 2, true), out, 1e-6f);
        }
    }

    @Test
    void trainModeIsDeterministicPerGenerator() throws IOException {
        Path f = TestData.png(dir.resolve("d.png"), TestData.pattern(40, 30, 5));
        ImageTransform t = new ImageTransform(16, true);
        float[] a = new float[t.volume()];
        float[] b = new float[t.volume()];
        t.apply(f, new SplittableRandom(3), a, 0);
        t.apply(f, new SplittableRandom(3), b, 0);
        assertArrayEquals(a, b);
    }

    @Test
    void greyImagesBecomeThreeEqualChannels() throws IOException {
        int[][] rgb = {{0x808080, 0x202020}, {0x404040, 0xf0f0f0}};
        float[] out = new float[12];
        new ImageTransform(2, false).apply(TestData.png(dir.resolve("g.png"), rgb), null, out, 0);
        assertEquals(norm(0x80, 0), out[0], 1e-6);
        assertEquals(norm(0x80, 1), out[4], 1e-6);
        assertEquals(norm(0x80, 2), out[8], 1e-6);
    }

    @Test
    void unreadableFilesNameTheFile() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.jpg"));
        DataException e = assertThrows(DataException.class, () -> ImageTransform.decode(empty));
        assertTrue(e.getMessage().startsWith(empty + ": empty file"), e.getMessage());
        Path text = Files.writeString(dir.resolve("text.jpg"), "not an image at all");
        e = assertThrows(DataException.class, () -> ImageTransform.decode(text));
        assertTrue(e.getMessage().startsWith(text + ": not a decodable image"), e.getMessage());
        Path gone = dir.resolve("gone.jpg");
        e = assertThrows(DataException.class, () -> ImageTransform.decode(gone));
        assertTrue(e.getMessage().startsWith(gone + ": cannot read image"), e.getMessage());
    }
}
