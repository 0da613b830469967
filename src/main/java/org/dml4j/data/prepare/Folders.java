package org.dml4j.data.prepare;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.dml4j.data.Split;
import org.dml4j.error.DataException;
import org.dml4j.error.UsageException;

/**
 * {@code prepare folders}: a data set laid out as one folder per class (the class is the name of a
 * first-level sub-folder of the root; its images may lie anywhere beneath it, with the extensions
 * {@link org.dml4j.data.ImageList#ofDirectory} takes).
 *
 * <p>With one root the split is open-set, SOP's protocol: classes sorted by name (String order) get
 * ids 1..n in that order, the first {@code round(n·(1 − testRatio))} go to {@code Ebay_train.txt},
 * the rest to {@code Ebay_test.txt}; the output links {@code images} to the root. With a test root
 * the root's classes are the training list and the test root's the test list; ids are given over
 * the union of both roots' class names (a name in both gets one id in both lists), and the output
 * links {@code train} and {@code test}. In each list, classes come in id order and a class's images
 * in String order of their paths.
 *
 * <p>Class folders without images and folders whose name starts with '.' are left out (the former
 * with a warning), as are images directly in a root; a class folder name or an image path with
 * whitespace is refused, since a list file cannot hold it.
 */
public final class Folders {
    private Folders() {
    }

    /**
     * Reads the class folders and builds the lists.
     *
     * @param root      folder of class folders (all classes, or the training classes when {@code testRoot} is given)
     * @param testRoot  folder of the test classes, or null for an open-set split of {@code root}
     * @param testRatio share of the classes that go to the test list (without {@code testRoot}); in (0, 1)
     * @throws UsageException for a ratio outside (0, 1), or a test root that is the root
     * @throws DataException  for a root that is missing, holds too few classes for the split, or an
     *                        unusable path (naming it)
     */
    public static PreparedFolder convert(Path root, Path testRoot, double testRatio) {
        if (!(testRatio > 0 && testRatio < 1)) {
            throw new UsageException("--test_ratio must be between 0 and 1 (exclusive), got " + testRatio);
        }
        PreparedFolder out = new PreparedFolder();
        if (testRoot == null) {
            ImageFolders.Classes all = ImageFolders.classFolders(root, "(--root)");
            all.warnings().forEach(out::warn);
            int n = all.classes().size();
            if (n < 2) {
                throw new DataException(root + ": " + n + " class folder" + (n == 1 ? "" : "s") + " with images; an"
                        + " open-set split needs at least 2 (classes to train on, other classes to test on)");
            }
            int train = (int) Math.round(n * (1 - testRatio));
            if (train < 1 || train > n - 1) {
                throw new DataException(String.format(Locale.ROOT, "%s: --test_ratio %s of %d classes leaves %d to"
                        + " train on and %d to test on; each split needs at least one class (a ratio between %.3g and"
                        + " %.3g)", root, testRatio, n, train, n - train, 0.5 / n, 1 - 0.5 / n));
            }
            out.link("images", root);
            List<PreparedFolder.Image> trainList = new ArrayList<>();
            List<PreparedFolder.Image> testList = new ArrayList<>();
            for (int c = 0; c < n; c++) {
                add(c < train ? trainList : testList, c + 1, "images", all.classes().get(c), root);
            }
            out.list(Split.TRAIN.listFileName(), trainList, "");
            out.list(Split.TEST.listFileName(), testList, "");
            return out;
        }
        if (PreparedFolder.real(root).equals(PreparedFolder.real(testRoot))) {
            throw new UsageException("--test_root " + testRoot + " is --root: give the test classes' own folder, or"
                    + " leave --test_root out to split the root's classes");
        }
        ImageFolders.Classes train = ImageFolders.classFolders(root, "(--root)");
        ImageFolders.Classes test = ImageFolders.classFolders(testRoot, "(--test_root)");
        train.warnings().forEach(out::warn);
        test.warnings().forEach(out::warn);
        for (ImageFolders.Classes c : List.of(train, test)) {
            if (c.classes().isEmpty()) {
                throw new DataException(c.root() + ": no class folder with images"
                        + (c.empty().isEmpty() ? "" : " (" + c.empty().size() + " empty ones)"));
            }
        }
        TreeSet<String> names = new TreeSet<>();
        train.classes().forEach(c -> names.add(c.name()));
        test.classes().forEach(c -> names.add(c.name()));
        Map<String, Integer> ids = new TreeMap<>();
        for (String name : names) {
            ids.put(name, ids.size() + 1);
        }
        out.link("train", root);
        out.link("test", testRoot);
        for (ImageFolders.Classes c : List.of(train, test)) {
            boolean isTrain = c == train;
            List<PreparedFolder.Image> list = new ArrayList<>();
            for (ImageFolders.ClassFolder f : c.classes()) {
                add(list, ids.get(f.name()), isTrain ? "train" : "test", f, c.root());
            }
            out.list((isTrain ? Split.TRAIN : Split.TEST).listFileName(), list, "");
        }
        return out;
    }

    private static void add(List<PreparedFolder.Image> list, int classId, String link, ImageFolders.ClassFolder f,
                            Path root) {
        SourceFiles.Problems bad = new SourceFiles.Problems();
        SourceFiles.Problems missing = new SourceFiles.Problems();
        for (String image : f.images()) {
            String problem = SourceFiles.pathProblem(image);
            if (problem != null) {
                bad.add(root.resolve(image) + ": " + problem);
            } else {
                missing.requireFile(root.resolve(image), root.resolve(image).toString());
                list.add(new PreparedFolder.Image(classId, link + "/" + image));
            }
        }
        bad.throwIfAny(root.resolve(f.name()) + ": " + bad.count() + " image path" + (bad.count() == 1 ? "" : "s")
                + " cannot be listed");
        missing.throwIfAny(root.resolve(f.name()) + ": " + missing.count() + " image" + (missing.count() == 1
                ? " is a symbolic link" : "s are symbolic links") + " to nothing");
    }
}
