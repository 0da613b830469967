package org.dml4j.data;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_PROGRESSIVE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_RST_INTERVAL;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.dml4j.error.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pre-scan judges a file as the decoders do: data after the end of the image (motion photos,
 * padding, a second image) is ignored and decodes to the clean twin's pixels; a file that ends
 * before its image does is truncated, at whatever byte it was cut.
 */
class EncodedImageTest {
    @TempDir
    Path dir;

    /** A 24×18 image with structure (so the JPEG has real entropy-coded data), encoded by OpenCV. */
    static byte[] encode(String ext, int... params) {
        SplittableRandom rng = new SplittableRandom(ext.hashCode());
        byte[] pixels = new byte[24 * 18 * 3];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) ((i / 3 % 24) * 9 + rng.nextInt(40));
        }
        try (Mat m = new Mat(18, 24, CV_8UC3); BytePointer out = new BytePointer();
             IntPointer p = new IntPointer(params.length == 0 ? new int[] {IMWRITE_JPEG_QUALITY, 95} : params)) {
            m.data().put(pixels);
            assertTrue(imencode(ext, m, out, p), ext);
            byte[] b = new byte[(int) out.limit()];
            out.get(b);
            return b;
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    /** A JPEG with another complete JPEG (its end marker included) inside a comment segment, as EXIF thumbnails are. */
    static byte[] withEmbeddedThumbnail(byte[] jpeg, byte[] thumbnail) {
        int length = thumbnail.length + 2;
        byte[] com = concat(new byte[] {(byte) 0xFF, (byte) 0xFE, (byte) (length >> 8), (byte) length}, thumbnail);
        return concat(Arrays.copyOf(jpeg, 2), com, Arrays.copyOfRange(jpeg, 2, jpeg.length));
    }

    /** A PNG with a tEXt chunk after IHDR whose CRC is right or wrong. */
    static byte[] withTextChunk(byte[] png, boolean goodCrc) {
        byte[] body = concat("tEXt".getBytes(StandardCharsets.US_ASCII), "Comment\0hello".getBytes(StandardCharsets.US_ASCII));
        CRC32 crc = new CRC32();
        crc.update(body);
        ByteBuffer chunk = ByteBuffer.allocate(body.length + 8).putInt(body.length - 4).put(body)
                .putInt((int) crc.getValue() ^ (goodCrc ? 0 : 1));
        int afterIhdr = 8 + 25;
        return concat(Arrays.copyOf(png, afterIhdr), chunk.array(), Arrays.copyOfRange(png, afterIhdr, png.length));
    }

    private Path file(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] pixels(Path f) {
        try (Mat m = ImageTransform.decode(f)) {
            byte[] b = new byte[(int) (m.total() * m.channels())];
            m.data().get(b);
            return b;
        }
    }

    private static Map<String, byte[]> cleanImages() {
        Map<String, byte[]> images = new LinkedHashMap<>();
        byte[] baseline = encode(".jpg");
        images.put("baseline.jpg", baseline);
        images.put("progressive.jpg", encode(".jpg", IMWRITE_JPEG_PROGRESSIVE, 1, IMWRITE_JPEG_QUALITY, 90));
        images.put("restarts.jpg", encode(".jpg", IMWRITE_JPEG_RST_INTERVAL, 1, IMWRITE_JPEG_QUALITY, 80));
        images.put("thumbnail.jpg", withEmbeddedThumbnail(baseline, encode(".jpg", IMWRITE_JPEG_QUALITY, 30)));
        images.put("plain.png", encode(".png"));
        images.put("text.png", withTextChunk(encode(".png"), true));
        images.put("image.webp", encode(".webp"));
        images.put("image.bmp", encode(".bmp"));
        images.put("image.tiff", encode(".tiff"));
        return images;
    }

    @Test
    void dataAfterTheEndIsIgnoredAndDecodesToTheCleanTwin() throws IOException {
        SplittableRandom rng = new SplittableRandom(7);
        byte[] noise = new byte[2048];
        rng.nextBytes(noise);
        noise[100] = (byte) 0xFF;                  // markers in the trailer must not matter
        noise[101] = (byte) 0xD9;
        noise[500] = (byte) 0xFF;
        noise[501] = (byte) 0xD8;
        byte[] mp4 = concat(new byte[] {0, 0, 0, 0x18}, "ftypmp42\0\0\0\0isommp42".getBytes(StandardCharsets.US_ASCII), noise);
        Map<String, byte[]> trailers = Map.of("noise", noise, "motion-photo", mp4, "zeros", new byte[4096],
                "second-jpeg", encode(".jpg"), "iend", "IEND\u00aeB`\u0082".getBytes(StandardCharsets.ISO_8859_1));
        for (var clean : cleanImages().entrySet()) {
            if (clean.getKey().endsWith(".webp")) {
                continue;       // refused whole: webPIsRefusedBeforeItReachesLibwebp
            }
            Path c = file("clean-" + clean.getKey(), clean.getValue());
            assertNull(ImageScan.problem(c), clean.getKey());
            byte[] expected = pixels(c);
            for (var trailer : trailers.entrySet()) {
                Path t = file(trailer.getKey() + "-" + clean.getKey(), concat(clean.getValue(), trailer.getValue()));
                assertNull(ImageScan.problem(t), t.toString());
                assertArrayEquals(expected, pixels(t), t + " decodes to its clean twin's pixels");
            }
        }
    }

    @Test
    void webPIsRefusedBeforeItReachesLibwebp() throws IOException {
        byte[] webp = encode(".webp");
        for (byte[] bytes : List.of(webp, concat(webp, new byte[512]))) {
            Path f = file("image.webp", bytes);
            assertEquals(ImageScan.WEBP_REFUSED, ImageScan.problem(f));
            assertEquals(ImageScan.WEBP_REFUSED, ImageScan.problem(bytes));
            DataException e = assertThrows(DataException.class, () -> ImageTransform.decode(f));
            assertEquals(f + ": " + ImageScan.WEBP_REFUSED, e.getMessage());
        }
        Path named = file("disguised.jpg", webp);        // decided by the bytes, not the name
        assertThrows(DataException.class, () -> ImageTransform.decode(named));
    }

    @Test
    void aFileCutAtAnyByteIsTruncated() throws IOException {
        for (var clean : cleanImages().entrySet()) {
            byte[] b = clean.getValue();
            String kind = clean.getKey().substring(clean.getKey().indexOf('.') + 1);
            for (int cut = 12; cut < b.length; cut++) {
                Path f = file("cut.bin", Arrays.copyOf(b, cut));
                String problem = ImageScan.problem(f);
                assertNotNull(problem, clean.getKey() + " cut at " + cut + " of " + b.length);
                String format = Map.of("jpg", "JPEG", "png", "PNG", "webp", "WebP", "bmp", "BMP", "tiff", "TIFF").get(kind);
                assertTrue(problem.startsWith("truncated " + format), clean.getKey() + " cut at " + cut + ": " + problem);
            }
        }
    }

    @Test
    void corruptStructureIsFoundAsTheDecoderFindsIt() throws IOException {
        byte[] png = encode(".png");
        int idat = indexOf(png, "IDAT".getBytes(StandardCharsets.US_ASCII));
        byte[] badIdat = png.clone();
        badIdat[idat + 6] ^= 0x10;
        Path bad = file("bad-idat.png", badIdat);
        assertEquals("corrupt PNG (CRC mismatch in the IDAT chunk at byte " + (idat - 4) + ")", ImageScan.problem(bad));
        assertThrows(DataException.class, () -> ImageTransform.decode(bad), "libpng refuses it too");

        int idatLength = ByteBuffer.wrap(png, idat - 4, 4).getInt();
        byte[] badCrc = png.clone();
        badCrc[idat + 4 + idatLength] ^= 0x01;     // the pixel data intact, only its CRC wrong
        Path crc = file("bad-crc.png", badCrc);
        assertEquals("corrupt PNG (CRC mismatch in the IDAT chunk at byte " + (idat - 4) + ")", ImageScan.problem(crc));
        assertThrows(DataException.class, () -> ImageTransform.decode(crc), "libpng refuses a critical chunk's bad CRC");

        Path badText = file("bad-text.png", withTextChunk(png, false));
        assertNull(ImageScan.problem(badText), "an ancillary chunk's CRC is only a warning for libpng");
        assertArrayEquals(pixels(file("good.png", png)), pixels(badText));

        byte[] jpeg = encode(".jpg");
        Path noScan = file("no-scan.jpg", new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xD9});
        assertEquals("not a valid JPEG (no image data before the end-of-image marker)", ImageScan.problem(noScan));
        assertThrows(DataException.class, () -> ImageTransform.decode(noScan));
        Path twoStarts = file("two-soi.jpg", concat(Arrays.copyOf(jpeg, 20), jpeg));
        assertTrue(ImageScan.problem(twoStarts).startsWith("not a valid JPEG (a second start-of-image marker"),
                ImageScan.problem(twoStarts));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
