package org.dml4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.bytedeco.opencv.opencv_core.Mat;
import org.dml4j.error.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @TempDir
    Path dir;

    /** Writes IDX files with {@code n} images; image i has label i % 10 and every pixel = 10·(i % 10) + 5. */
    private Path idx(String name, int n) throws IOException {
        Path src = dir.resolve("src");
        Files.createDirectories(src);
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(
                Files.newOutputStream(src.resolve(name + "-images-idx3-ubyte.gz"))))) {
            out.writeInt(0x803);
            out.writeInt(n);
            out.writeInt(28);
            out.writeInt(28);
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < 784; p++) {
                    out.writeByte(10 * (i % 10) + 5);
                }
            }
        }
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(src.resolve(name + "-labels-idx1-ubyte")))) {
            out.writeInt(0x801);
            out.writeInt(n);
            for (int i = 0; i < n; i++) {
                out.writeByte(i % 10);
            }
        }
        return src;
    }

    @Test
    void openSetSplitTrainsOnFiveClassesAndTestsOnTheOthers() throws IOException {
        idx("train", 30);
        Path src = idx("t10k", 20);
        Path out = dir.resolve("out");
        assertEquals(20, FashionMnist.convert(src, out, FashionMnist.SplitMode.CLASSES, 2, 32));
        ImageList train = ImageList.read(out, Split.TRAIN);
        ImageList test = ImageList.read(out, Split.TEST);
        assertEquals(10, train.size());
        assertEquals(5, train.classCount());
        assertEquals(4, train.maxLabel(), "train labels 0..4 = class ids 1..5");
        assertEquals(10, test.size());
        assertEquals(java.util.List.of(6, 7, 8, 9, 10), test.samples().stream().map(Sample::label).distinct().sorted().toList());
        train.requireImagesExist();
        assertEquals("tshirt_top_final/train_00000.jpg", train.samples().get(0).path());
        try (Mat img = ImageTransform.decode(out.resolve(test.samples().get(0).path()))) {
            assertEquals(32, img.cols());
            assertEquals(32, img.rows());
            int v = img.ptr(16, 16).get() & 0xff;
            int expected = 10 * (test.label(0) - 1) + 5;
            assertTrue(Math.abs(v - expected) <= 2, "grey level " + v + " vs " + expected);
        }
    }

    @Test
    void closedSplitUsesTheTrainFileForTrainingAndT10kForTesting() throws IOException {
        idx("train", 30);
        Path src = idx("t10k", 20);
        Path out = dir.resolve("closed");
        assertEquals(50, FashionMnist.convert(src, out, FashionMnist.SplitMode.IMAGES, 0, 28));
        ImageList train = ImageList.read(out, Split.TRAIN);
        assertEquals(30, train.size());
        assertEquals(10, train.classCount());
        assertTrue(train.samples().stream().allMatch(s -> s.path().contains("/train_")));
        assertTrue(ImageList.read(out, Split.TEST).samples().stream().allMatch(s -> s.path().contains("/t10k_")));
    }

    @Test
    void refusesToOverwriteAndNamesMissingInputs() throws IOException {
        idx("train", 10);
        Path src = idx("t10k", 10);
        Path out = dir.resolve("out");
        FashionMnist.convert(src, out, FashionMnist.SplitMode.CLASSES, 1, 28);
        DataException e = assertThrows(DataException.class,
                () -> FashionMnist.convert(src, out, FashionMnist.SplitMode.CLASSES, 1, 28));
        assertTrue(e.getMessage().contains("Ebay_train.txt: already exists"), e.getMessage());
        e = assertThrows(DataException.class,
                () -> FashionMnist.convert(dir.resolve("none"), dir.resolve("o2"), FashionMnist.SplitMode.CLASSES, 1, 28));
        assertTrue(e.getMessage().contains("train-labels-idx1-ubyte: not found"), e.getMessage());
        Files.writeString(src.resolve("t10k-labels-idx1-ubyte"), "garbage!");
        e = assertThrows(DataException.class,
                () -> FashionMnist.convert(src, dir.resolve("o3"), FashionMnist.SplitMode.CLASSES, 1, 28));
        assertTrue(e.getMessage().contains("not an IDX file"), e.getMessage());
    }
}
