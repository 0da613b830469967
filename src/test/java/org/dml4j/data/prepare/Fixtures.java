package org.dml4j.data.prepare;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.dml4j.data.TestData;

/**
 * Small copies of the published data sets' layouts, with their files' exact syntax, written by the
 * tests: tiny real JPEGs (and PNGs) under the published folder and file names.
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** Writes a 6×4 JPEG whose pixels depend on {@code seed}. */
    public static Path jpeg(Path file, int seed) throws IOException {
        int[][] rgb = TestData.pattern(6, 4, seed);
        BufferedImage img = new BufferedImage(6, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 6; x++) {
                img.setRGB(x, y, rgb[y][x]);
            }
        }
        Files.createDirectories(file.getParent());
        if (!ImageIO.write(img, "jpg", file.toFile())) {
            throw new IOException("no JPEG writer");
        }
        return file;
    }

    /** Writes text lines, each ended by {@code \n}, in UTF-8. */
    public static Path text(Path file, String... lines) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            b.append(l).append('\n');
        }
        Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
        return file;
    }

    /** Replaces line {@code line} (1-based) of a text file. */
    public static void replaceLine(Path file, int line, String text) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        lines.set(line - 1, text);
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    /** Class ids of {@link #cub}'s images, in image id order (1-based ids). */
    public static final int[] CUB_CLASSES = {1, 1, 2, 100, 101, 101, 150, 200};

    /** CUB's folder name of class {@code c}. */
    public static String cubFolder(int c) {
        return String.format(Locale.ROOT, "%03d.Bird_%d", c, c);
    }

    /** CUB's path (relative to images/) of image {@code id} (1-based) in {@link #cub}. */
    public static String cubPath(int id) {
        int c = CUB_CLASSES[id - 1];
        return cubFolder(c) + "/Bird_" + c + "_00" + id + "_" + (100 + id) + ".jpg";
    }

    /**
     * A CUB_200_2011 folder: images.txt ({@code <image_id> <path>}), image_class_labels.txt
     * ({@code <image_id> <class_id>}), classes.txt and images/ with {@link #CUB_CLASSES}.
     */
    public static Path cub(Path dir) throws IOException {
        Path root = dir.resolve("CUB_200_2011");
        List<String> images = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int id = 1; id <= CUB_CLASSES.length; id++) {
            images.add(id + " " + cubPath(id));
            labels.add(id + " " + CUB_CLASSES[id - 1]);
            jpeg(root.resolve("images").resolve(cubPath(id)), id);
        }
        text(root.resolve("images.txt"), images.toArray(String[]::new));
        text(root.resolve("image_class_labels.txt"), labels.toArray(String[]::new));
        text(root.resolve("classes.txt"), Arrays.stream(CUB_CLASSES).distinct().mapToObj(c -> c + " " + cubFolder(c))
                .toArray(String[]::new));
        return root;
    }

    /** {@link #inShop}'s entries: path, item, status. */
    public static final String[][] INSHOP = {
        {"img/WOMEN/Dresses/id_00000002/02_1_front.jpg", "id_00000002", "train"},
        {"img/WOMEN/Dresses/id_00000002/02_2_side.jpg", "id_00000002", "train"},
        {"img/MEN/Denim/id_00000080/01_1_front.jpg", "id_00000080", "train"},
        {"img/WOMEN/Blouses_Shirts/id_00000001/02_1_front.jpg", "id_00000001", "query"},
        {"img/WOMEN/Blouses_Shirts/id_00000001/02_2_side.jpg", "id_00000001", "gallery"},
        {"img/WOMEN/Blouses_Shirts/id_00000001/02_4_full.jpg", "id_00000001", "gallery"},
        {"img/MEN/Tees_Tanks/id_00007982/01_1_front.jpg", "id_00007982", "gallery"},
        {"img/MEN/Tees_Tanks/id_00007982/01_7_additional.jpg", "id_00007982", "query"},
    };

    /**
     * A DeepFashion In-shop folder with {@link #INSHOP}: img/ and the partition file (count line,
     * header, entries padded with spaces as the published file is) in Eval/ or at the top.
     */
    public static Path inShop(Path dir, boolean inEval) throws IOException {
        Path root = dir.resolve("In-shop");
        List<String> lines = new ArrayList<>();
        lines.add(Integer.toString(INSHOP.length));
        lines.add("image_name item_id evaluation_status");
        for (int k = 0; k < INSHOP.length; k++) {
            String[] e = INSHOP[k];
            lines.add(String.format(Locale.ROOT, "%-60s %s %s", e[0], e[1], e[2]));
            jpeg(root.resolve(e[0]), k);
        }
        text((inEval ? root.resolve("Eval") : root).resolve("list_eval_partition.txt"), lines.toArray(String[]::new));
        return root;
    }

    /** {@link #market}'s files by folder (non-images included). */
    public static final String[] MARKET_TRAIN = {"0002_c1s1_000451_03.jpg", "0002_c2s1_000301_01.jpg",
        "0007_c3s3_015429_01.jpg", "-1_c1s1_000001_01.jpg", "0000_c2s1_000002_01.jpg", "1500_c6s4_002202_01.jpg",
        "Thumbs.db"};
    public static final String[] MARKET_QUERY = {"0002_c5s1_000401_01.jpg", "0007_c1s1_001051_00.jpg"};
    public static final String[] MARKET_TEST = {"-1_c1s1_000401_03.jpg", "0000_c3s1_081867_01.jpg",
        "0002_c6s1_000452_04.jpg", "0007_c2s1_000126_02.jpg", "0007_c4s2_000127_01.jpg", "Thumbs.db"};

    /** A Market-1501-v15.09.15 folder with the files above (and an unused gt_bbox folder). */
    public static Path market(Path dir) throws IOException {
        Path root = dir.resolve("Market-1501-v15.09.15");
        int seed = 0;
        for (String[] folder : new String[][] {MARKET_TRAIN, MARKET_QUERY, MARKET_TEST}) {
            String name = folder == MARKET_TRAIN ? "bounding_box_train" : folder == MARKET_QUERY ? "query"
                    : "bounding_box_test";
            for (String f : folder) {
                if (f.endsWith(".jpg")) {
                    jpeg(root.resolve(name).resolve(f), seed++);
                } else {
                    Files.write(root.resolve(name).resolve(f), new byte[] {0, 1, 2});
                }
            }
        }
        jpeg(root.resolve("gt_bbox").resolve("0001_c1s1_001051_00.jpg"), 99);
        return root;
    }

    /** {@link #lfw}'s people and how many images each has. */
    public static final String[] LFW_PEOPLE = {"Zico", "Abel_Pacheco", "Aaron_Eckhart", "Akhmed_Zakayev"};
    public static final int[] LFW_IMAGES = {2, 4, 1, 3};

    /** An lfw folder: Name/Name_0001.jpg for {@link #LFW_PEOPLE}. */
    public static Path lfw(Path dir) throws IOException {
        Path root = dir.resolve("lfw");
        for (int p = 0; p < LFW_PEOPLE.length; p++) {
            for (int k = 1; k <= LFW_IMAGES[p]; k++) {
                String name = LFW_PEOPLE[p];
                jpeg(root.resolve(name).resolve(String.format(Locale.ROOT, "%s_%04d.jpg", name, k)), 10 * p + k);
            }
        }
        return root;
    }

    /** LFW's pairs.txt for {@link #lfw}: header "2\t2", then per fold 2 matched and 2 mismatched lines. */
    public static final String[] LFW_PAIRS = {
        "2\t2",
        "Abel_Pacheco\t1\t4",
        "Akhmed_Zakayev\t1\t3",
        "Aaron_Eckhart\t1\tZico\t2",
        "Abel_Pacheco\t2\tAkhmed_Zakayev\t3",
        "Zico\t1\t2",
        "Abel_Pacheco\t2\t3",
        "Akhmed_Zakayev\t2\tZico\t1",
        "Aaron_Eckhart\t1\tAbel_Pacheco\t4",
    };

    /**
     * A folder-per-class tree: classes {@code names[c]} with {@code counts[c]} JPEGs each (every
     * third one in a sub-folder, every fourth a PNG).
     */
    public static Path folders(Path root, String[] names, int[] counts) throws IOException {
        int seed = 0;
        for (int c = 0; c < names.length; c++) {
            for (int k = 0; k < counts[c]; k++) {
                Path dir = k % 3 == 2 ? root.resolve(names[c]).resolve("more") : root.resolve(names[c]);
                if (k % 4 == 3) {
                    TestData.png(dir.resolve("img" + k + ".png"), TestData.pattern(5, 3, seed++));
                } else {
                    jpeg(dir.resolve("img" + k + ".jpg"), seed++);
                }
            }
        }
        Files.createDirectories(root);
        return root;
    }

    /** The relative paths (from the class folder) {@link #folders} writes for {@code count} images, sorted. */
    public static List<String> folderImages(int count) {
        List<String> paths = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            paths.add((k % 3 == 2 ? "more/" : "") + "img" + k + (k % 4 == 3 ? ".png" : ".jpg"));
        }
        paths.sort(null);
        return paths;
    }

    /**
     * An SOP list with {@code counts[c]} images of class id {@code c + 1} (no image files), the
     * classes interleaved: first image of each class, then the second, ...
     */
    public static Path list(Path file, int... counts) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("image_id class_id super_class_id path");
        int id = 1;
        int max = Arrays.stream(counts).max().orElse(0);
        for (int k = 0; k < max; k++) {
            for (int c = 0; c < counts.length; c++) {
                if (k < counts[c]) {
                    lines.add(id++ + " " + (c + 1) + " 1 c" + (c + 1) + "/" + k + ".jpg");
                }
            }
        }
        return text(file, lines.toArray(String[]::new));
    }
}
