package org.dml4j.data.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dml4j.data.ImageList;
import org.dml4j.data.Sample;
import org.dml4j.data.Split;
import org.dml4j.error.DataException;
import org.dml4j.error.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FoldersTest {
    @TempDir
    Path dir;

    /** The lines a list of these classes must have: {@code ids[c]} is class {@code names[c]}'s id. */
    private static List<String> expected(String link, String[] names, int[] ids, int[] counts) {
        List<String> lines = new ArrayList<>();
        lines.add("image_id class_id super_class_id path");
        for (int c = 0; c < names.length; c++) {
            for (String p : Fixtures.folderImages(counts[c])) {
                lines.add(lines.size() + " " + ids[c] + " " + ids[c] + " " + link + "/" + names[c] + "/" + p);
            }
        }
        return lines;
    }

    @Test
    void oneRootIsSplitByClassNameOrderIntoTrainAndTestClasses() throws IOException {
        Path root = Fixtures.folders(dir.resolve("data set"), new String[] {"c2", "a", "B", "d", "c10"},
                new int[] {2, 4, 1, 3, 5});
        Files.createDirectories(root.resolve("e_empty").resolve("sub"));
        Files.writeString(root.resolve("a").resolve("notes.txt"), "not an image");
        Fixtures.jpeg(root.resolve(".thumbnails").resolve("x.jpg"), 1);
        Fixtures.jpeg(root.resolve("loose.jpg"), 2);

        PreparedFolder prepared = Folders.convert(root, null, 0.5);
        Path out = dir.resolve("out");
        String summary = prepared.writeTo(out, false);

        // String order: B < a < c10 < c2 < d; round(5 * 0.5) = 3 classes train
        assertEquals(expected("images", new String[] {"B", "a", "c10"}, new int[] {1, 2, 3}, new int[] {1, 4, 5}),
                Files.readAllLines(out.resolve("Ebay_train.txt")));
        assertEquals(expected("images", new String[] {"c2", "d"}, new int[] {4, 5}, new int[] {2, 3}),
                Files.readAllLines(out.resolve("Ebay_test.txt")));
        assertEquals("wrote " + out + ": Ebay_train.txt 10 images, 3 classes; Ebay_test.txt 5 images, 2 classes",
                summary);
        assertEquals(root.toAbsolutePath(), Files.readSymbolicLink(out.resolve("images")));
        assertTrue(Files.readSymbolicLink(out.resolve("images")).isAbsolute());
        assertEquals(List.of("Ebay_test.txt", "Ebay_train.txt", "images"), listing(out));

        ImageList train = ImageList.read(out, Split.TRAIN);
        ImageList test = ImageList.read(out, Split.TEST);
        train.requireImagesExist();
        test.requireImagesExist();
        assertEquals(List.of(0, 1, 1, 1, 1, 2, 2, 2, 2, 2), train.samples().stream().map(Sample::label).toList());
        assertEquals(List.of(4, 4, 5, 5, 5), test.samples().stream().map(Sample::label).toList());

        List<String> warnings = prepared.warnings();
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("1 class folder holds no images and is left out: e_empty"), warnings.get(0));
        assertTrue(warnings.get(1).contains("1 image is not in a class folder"), warnings.get(1));
    }

    @Test
    void ratioRoundsTheTrainingShareOfTheClasses() throws IOException {
        String[] names = {"k0", "k1", "k2", "k3", "k4", "k5", "k6"};
        Path root = Fixtures.folders(dir.resolve("r"), names, new int[] {1, 1, 1, 1, 1, 1, 1});
        for (double ratio : new double[] {0.1, 0.3, 0.5, 0.7, 0.9}) {
            long train = Math.round(7 * (1 - ratio));
            PreparedFolder p = Folders.convert(root, null, ratio);
            assertEquals(train + 1, p.lines("Ebay_train.txt").size(), "ratio " + ratio);
            assertEquals(7 - train + 1, p.lines("Ebay_test.txt").size(), "ratio " + ratio);
            assertEquals("1 " + (train + 1) + " " + (train + 1) + " images/k" + train + "/img0.jpg",
                    p.lines("Ebay_test.txt").get(1));
        }
    }

    @Test
    void aTestRootGivesIdsOverTheUnionOfClassNames() throws IOException {
        Path train = Fixtures.folders(dir.resolve("train"), new String[] {"y", "x"}, new int[] {2, 1});
        Path test = Fixtures.folders(dir.resolve("test"), new String[] {"z", "y"}, new int[] {3, 1});
        Path out = dir.resolve("out");
        String summary = Folders.convert(train, test, 0.5).writeTo(out, false);
        assertEquals(expected("train", new String[] {"x", "y"}, new int[] {1, 2}, new int[] {1, 2}),
                Files.readAllLines(out.resolve("Ebay_train.txt")));
        assertEquals(expected("test", new String[] {"y", "z"}, new int[] {2, 3}, new int[] {1, 3}),
                Files.readAllLines(out.resolve("Ebay_test.txt")));
        assertEquals(train.toAbsolutePath(), Files.readSymbolicLink(out.resolve("train")));
        assertEquals(test.toAbsolutePath(), Files.readSymbolicLink(out.resolve("test")));
        assertEquals("wrote " + out + ": Ebay_train.txt 3 images, 2 classes; Ebay_test.txt 4 images, 2 classes",
                summary);
        ImageList.read(out, Split.TRAIN).requireImagesExist();
        ImageList.read(out, Split.TEST).requireImagesExist();
    }

    @Test
    void refusesWhatCannotBeSplitOrListed() throws IOException {
        Path root = Fixtures.folders(dir.resolve("r"), new String[] {"a", "b"}, new int[] {1, 1});
        for (double bad : new double[] {0, 1, -0.5, 1.5, Double.NaN}) {
            UsageException e = assertThrows(UsageException.class, () -> Folders.convert(root, null, bad));
            assertTrue(e.getMessage().startsWith("--test_ratio must be between 0 and 1"), e.getMessage());
        }
        DataException none = assertThrows(DataException.class, () -> Folders.convert(dir.resolve("nope"), null, 0.5));
        assertEquals(dir.resolve("nope") + ": no such folder (--root)", none.getMessage());

        DataException allTrain = assertThrows(DataException.class, () -> Folders.convert(root, null, 0.2));
        assertTrue(allTrain.getMessage().contains("--test_ratio 0.2 of 2 classes leaves 2 to train on and 0 to test on"),
                allTrain.getMessage());

        Path one = Fixtures.folders(dir.resolve("one"), new String[] {"a"}, new int[] {2});
        Files.createDirectories(one.resolve("empty"));
        DataException single = assertThrows(DataException.class, () -> Folders.convert(one, null, 0.5));
        assertTrue(single.getMessage().contains("1 class folder with images; an open-set split needs at least 2"),
                single.getMessage());

        Path spaced = Fixtures.folders(dir.resolve("sp"), new String[] {"a", "class b"}, new int[] {1, 2});
        DataException space = assertThrows(DataException.class, () -> Folders.convert(spaced, null, 0.5));
        assertTrue(space.getMessage().contains(spaced.resolve("class b") + ": 2 image paths cannot be listed"),
                space.getMessage());
        assertTrue(space.getMessage().contains("'class b/img0.jpg' has whitespace in it"), space.getMessage());

        assertThrows(UsageException.class, () -> Folders.convert(root, root, 0.5));
        Path emptyTest = Files.createDirectories(dir.resolve("emptytest").resolve("c"));
        DataException noTest = assertThrows(DataException.class, () -> Folders.convert(root, emptyTest.getParent(), 0.5));
        assertTrue(noTest.getMessage().contains("no class folder with images (1 empty ones)"), noTest.getMessage());
    }

    @Test
    void imageNamesAreThoseImageListTakes() throws IOException {
        Path d = Files.createDirectories(dir.resolve("names"));
        for (String name : new String[] {"a.jpg", "b.JPEG", "c.png", "d.bmp", "e.webp", "f.tif", "g.TIFF", "h.gif",
            "i.txt", "j.jpg.bak", "k.Jpg", "sub/l.png", "m"}) {
            Files.createDirectories(d.resolve(name).getParent());
            Files.write(d.resolve(name), new byte[] {1});
        }
        List<String> fromImageList = ImageList.ofDirectory(d).samples().stream().map(Sample::path).toList();
        assertEquals(fromImageList, ImageFolders.imagesUnder(d));
        assertEquals(List.of("a.jpg", "b.JPEG", "c.png", "d.bmp", "e.webp", "f.tif", "g.TIFF", "k.Jpg", "sub/l.png"),
                ImageFolders.imagesUnder(d));
    }

    static List<String> listing(Path folder) throws IOException {
        try (var s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
