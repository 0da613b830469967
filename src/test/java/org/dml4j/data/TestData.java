package org.dml4j.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/** Small data sets written by the tests themselves (PNG via the JDK, so pixels are exact). */
public final class TestData {
    private TestData() {
    }

    /** Writes an RGB PNG whose pixel (x, y) is {@code rgb[y][x]} (0xRRGGBB). */
    public static Path png(Path file, int[][] rgb) throws IOException {
        BufferedImage img = new BufferedImage(rgb[0].length, rgb.length, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < rgb.length; y++) {
            for (int x = 0; x < rgb[0].length; x++) {
                img.setRGB(x, y, rgb[y][x]);
            }
        }
        Files.createDirectories(file.getParent());
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer");
        }
        return file;
    }

    /** An image of {@code w × h} whose pixels encode their class, index and position. */
    public static int[][] pattern(int w, int h, int seed) {
        int[][] rgb = new int[h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = (seed * 37 + x * 11) & 0xff;
                int g = (seed * 53 + y * 13) & 0xff;
                int b = (seed * 17 + x * y) & 0xff;
                rgb[y][x] = (r << 16) | (g << 8) | b;
            }
        }
        return rgb;
    }

    /**
     * Writes an SOP-style data set: {@code trainCounts[c]} images of class c+1 in Ebay_train.txt,
     * {@code testCounts[c]} images of class 101+c in Ebay_test.txt, each a 12×10 patterned PNG.
     */
    public static Path sopLike(Path root, int[] trainCounts, int[] testCounts) throws IOException {
        writeSplit(root, Split.TRAIN, trainCounts, 1);
        writeSplit(root, Split.TEST, testCounts, 101);
        return root;
    }

    private static void writeSplit(Path root, Split split, int[] counts, int firstClass) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("image_id class_id super_class_id path");
        int id = 1;
        for (int c = 0; c < counts.length; c++) {
            for (int k = 0; k < counts[c]; k++) {
                String rel = "class_" + (firstClass + c) + "/" + k + ".png";
                png(root.resolve(rel), pattern(12, 10, id));
                lines.add(id++ + " " + (firstClass + c) + " 1 " + rel);
            }
        }
        Files.write(root.resolve(split.listFileName()), lines);
    }

    /**
     * A data set where training helps retrieval: class k is a stripe pattern at angle k·180°/C
     * under a random colour tint, brightness and phase (which an untrained network attends to).
     * Training classes have ids 1..C, test classes 101..100+C with the same C patterns (new images).
     */
    public static Path stripes(Path root, int classes, int trainPer, int testPer, int size, long seed)
            throws IOException {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        for (Split split : Split.values()) {
            boolean train = split == Split.TRAIN;
            List<String> lines = new ArrayList<>();
            lines.add("image_id class_id super_class_id path");
            int id = 1;
            for (int c = 0; c < classes; c++) {
                int classId = (train ? 1 : 101) + c;
                double angle = Math.PI * c / classes;
                for (int k = 0; k < (train ? trainPer : testPer); k++) {
                    double phase = rng.nextDouble() * 2 * Math.PI;
                    double[] tint = {rng.nextDouble(), rng.nextDouble(), rng.nextDouble()};
                    double base = 40 + 120 * rng.nextDouble();
                    int[][] rgb = new int[size][size];
                    for (int y = 0; y < size; y++) {
                        for (int x = 0; x < size; x++) {
                            double wave = Math.sin((x * Math.cos(angle) + y * Math.sin(angle)) * 1.2 + phase);
                            int[] ch = new int[3];
                            for (int j = 0; j < 3; j++) {
                                double v = base * (0.2 + 1.6 * tint[j]) + 35 * wave + 50 * (rng.nextDouble() - 0.5);
                                ch[j] = (int) Math.max(0, Math.min(255, v));
                            }
                            rgb[y][x] = (ch[0] << 16) | (ch[1] << 8) | ch[2];
                        }
                    }
                    String rel = "c" + classId + "/" + k + ".png";
                    png(root.resolve(rel), rgb);
                    lines.add(id++ + " " + classId + " 1 " + rel);
                }
            }
            Files.write(root.resolve(split.listFileName()), lines);
        }
        return root;
    }
}
