package org.dml4j.data;

import static org.bytedeco.opencv.global.opencv_core.CV_16UC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.dml4j.error.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile and odd images: the scan stops or skips the unreadable ones, decoding converts the rest. */
class ImageScanTest {
    @TempDir
    Path dir;

    private Path mat(String name, int rows, int cols, int type, double value) {
        try (Scalar s = new Scalar(value, value / 2, value / 3, 255); Mat m = new Mat(rows, cols, type, s)) {
            Path f = dir.resolve(name);
            assertTrue(imwrite(f.toString(), m), name);
            return f;
        }
    }

    /** A CMYK JPEG written through the JDK's JPEG writer from a 4-band raster (Adobe CMYK). */
    private Path cmyk() throws IOException {
        WritableRaster r = Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, 16, 12, 4, null);
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 16; x++) {
                r.setPixel(x, y, new int[] {x * 10, y * 10, 50, 20});
            }
        }
        Path f = dir.resolve("cmyk.jpg");
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream o = ImageIO.createImageOutputStream(f.toFile())) {
            w.setOutput(o);
            w.write(new IIOImage(r, null, null));
        } finally {
            w.dispose();
        }
        return f;
    }

    @Test
    void badFilesAreFoundAndOddValidOnesDecode() throws IOException {
        Path good = mat("good.jpg", 30, 40, CV_8UC3, 120);
        Path zero = Files.createFile(dir.resolve("zero.jpg"));
        byte[] jpeg = Files.readAllBytes(good);
        Path truncated = Files.write(dir.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));
        Path text = Files.writeString(dir.resolve("text.jpg"), "this is not a picture\n");
        Path alpha = mat("alpha.png", 20, 20, CV_8UC4, 200);
        Path deep = mat("deep.png", 20, 20, CV_16UC3, 40000);
        Path grey = mat("grey.png", 20, 30, CV_8UC1, 90);
        Path huge = mat("huge.png", 6000, 8000, CV_8UC1, 10);
        Path cmyk = cmyk();

        assertEquals("empty file (0 bytes)", ImageScan.problem(zero));
        assertEquals("truncated JPEG (no end-of-image marker)", ImageScan.problem(truncated));
        assertEquals("not an image (no JPEG, PNG, BMP, WebP or TIFF signature)", ImageScan.problem(text));
        assertEquals("missing", ImageScan.problem(dir.resolve("gone.jpg")));
        for (Path ok : List.of(good, alpha, deep, grey, huge, cmyk)) {
            assertNull(ImageScan.problem(ok), ok.toString());
            float[] out = new float[3 * 16 * 16];
            new ImageTransform(16, false).apply(ok, null, out, 0);
            for (float v : out) {
                assertTrue(Float.isFinite(v));
            }
        }
        float[] g = new float[3 * 16 * 16];
        new ImageTransform(16, false).apply(grey, null, g, 0);
        assertEquals((90 / 255.0 - 0.485) / 0.229, g[0], 1e-5, "grey becomes three equal channels");
        assertEquals((90 / 255.0 - 0.406) / 0.225, g[2 * 256], 1e-5);
    }

    @Test
    void theScanStopsWithTheListOrSkipsAndCounts() throws IOException {
        mat("a.jpg", 10, 10, CV_8UC3, 50);
        mat("b.jpg", 10, 10, CV_8UC3, 60);
        Files.createFile(dir.resolve("zero.jpg"));
        Files.writeString(dir.resolve("text.jpg"), "nope");
        List<Sample> samples = new ArrayList<>();
        for (String n : List.of("a.jpg", "zero.jpg", "b.jpg", "text.jpg")) {
            samples.add(new Sample(n, 0, samples.size() + 2));
        }
        ImageList list = new ImageList(dir.resolve("Ebay_train.txt"), dir, Split.TRAIN, samples);
        DataException e = assertThrows(DataException.class, () -> ImageScan.apply(list, false, new PrintWriter(new StringWriter())));
        assertTrue(e.getMessage().contains("2 of 4 images cannot be read (pass --skip_bad_images=True"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve("zero.jpg") + " (list line 3): empty file"), e.getMessage());
        StringWriter log = new StringWriter();
        ImageList kept = ImageScan.apply(list, true, new PrintWriter(log));
        assertEquals(List.of("a.jpg", "b.jpg"), kept.samples().stream().map(Sample::path).toList());
        assertTrue(log.toString().startsWith("skipping 2 of 4 images"), log.toString());
    }
}
