package org.dml4j.data.prepare;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dml4j.data.Split;
import org.dml4j.data.VisibleText;
import org.dml4j.error.DataException;

/**
 * {@code prepare cub}: Caltech-UCSD Birds-200-2011 (Wah et al. 2011), the {@code CUB_200_2011}
 * folder of {@code CUB_200_2011.tgz}. Reads {@code images.txt} ({@code <image_id> <path>}, paths
 * relative to {@code images/}) and {@code image_class_labels.txt} ({@code <image_id> <class_id>}) and
 * writes the zero-shot split metric learning papers use: classes 1–100 to {@code Ebay_train.txt},
 * classes 101–200 to {@code Ebay_test.txt} (CUB's own train/test image split is not used), in
 * {@code images.txt}'s order; {@code images} is linked to the source's {@code images} folder.
 */
public final class Cub {
    /** Classes 1..TRAIN_CLASSES train, the rest (to {@link #CLASSES}) test. */
    static final int TRAIN_CLASSES = 100;
    static final int CLASSES = 200;

    private Cub() {
    }

    /** One line of a two-column file: its number and second column. */
    private record Entry(int line, String value) {
    }

    /**
     * Reads and checks the data set and builds the lists.
     *
     * @param source the {@code CUB_200_2011} folder
     * @throws DataException naming {@code file:line} for a malformed line, an image id that is
     *                       repeated or in one file only, a class id outside 1..200, a path a list
     *                       cannot hold; naming the missing images (count and the first few); when
     *                       a split would be empty
     */
    public static PreparedFolder convert(Path source) {
        SourceFiles.requireFolder(source, "(--source: the CUB_200_2011 folder)");
        Path imagesFile = source.resolve("images.txt");
        Path labelsFile = source.resolve("image_class_labels.txt");
        Path images = source.resolve("images");
        if (!Files.exists(imagesFile) && Files.exists(source.resolve("CUB_200_2011").resolve("images.txt"))) {
            throw new DataException(imagesFile + ": not found; --source should be " + source.resolve("CUB_200_2011"));
        }
        Map<Integer, Entry> paths = read(imagesFile, "image list", "path");
        Map<Integer, Entry> labels = read(labelsFile, "class label file", "class_id");
        SourceFiles.requireFolder(images, "(CUB_200_2011 holds the images in images/)");
        for (Map.Entry<Integer, Entry> e : labels.entrySet()) {
            if (!paths.containsKey(e.getKey())) {
                throw new DataException(SourceFiles.at(labelsFile, e.getValue().line()) + "image id " + e.getKey()
                        + " is not in " + imagesFile.getFileName());
            }
        }
        List<PreparedFolder.Image> train = new ArrayList<>();
        List<PreparedFolder.Image> test = new ArrayList<>();
        SourceFiles.Problems missing = new SourceFiles.Problems();
        for (Map.Entry<Integer, Entry> e : paths.entrySet()) {
            Entry path = e.getValue();
            String where = SourceFiles.at(imagesFile, path.line());
            Entry label = labels.get(e.getKey());
            if (label == null) {
                throw new DataException(where + "image id " + e.getKey() + " has no line in " + labelsFile.getFileName());
            }
            int classId = SourceFiles.integer(label.value(), 1, SourceFiles.at(labelsFile, label.line()),
                    "column 2 (class_id)");
            if (classId > CLASSES) {
                throw new DataException(SourceFiles.at(labelsFile, label.line()) + "column 2 (class_id): must be in"
                        + " 1.." + CLASSES + ", got " + classId);
            }
            String problem = SourceFiles.pathProblem(path.value());
            if (problem != null) {
                throw new DataException(where + "column 2 (path): " + problem);
            }
            missing.requireFile(images.resolve(path.value()), imagesFile.getFileName() + ":" + path.line() + ": "
                    + images.resolve(path.value()));
            (classId <= TRAIN_CLASSES ? train : test).add(new PreparedFolder.Image(classId, "images/" + path.value()));
        }
        missing.throwIfAny(imagesFile + ": " + missing.count() + " of " + paths.size() + " listed images are missing");
        if (train.isEmpty() || test.isEmpty()) {
            throw new DataException(labelsFile + ": no image of classes " + (train.isEmpty() ? "1-" + TRAIN_CLASSES
                    : (TRAIN_CLASSES + 1) + "-" + CLASSES) + ", so the " + (train.isEmpty() ? "training" : "test")
                    + " list would be empty");
        }
        PreparedFolder out = new PreparedFolder();
        out.link("images", images);
        out.list(Split.TRAIN.listFileName(), train, "");
        out.list(Split.TEST.listFileName(), test, "");
        return out;
    }

    /** A file of {@code <image_id> <value>} lines, by image id in file order; blank lines skipped. */
    private static Map<Integer, Entry> read(Path file, String what, String valueName) {
        List<String> lines = SourceFiles.lines(file, what);
        Map<Integer, Entry> entries = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String[] cols = SourceFiles.columns(lines.get(i));
            if (cols.length == 0) {
                continue;
            }
            String where = SourceFiles.at(file, i + 1);
            if (cols.length != 2) {
                throw new DataException(where + "expected 2 columns (image_id " + valueName + "), got " + cols.length
                        + (cols.length > 2 && valueName.equals("path") ? " (paths must not contain spaces)" : "")
                        + ": " + VisibleText.quote(lines.get(i)));
            }
            int id = SourceFiles.integer(cols[0], 1, where, "column 1 (image_id)");
            Entry previous = entries.putIfAbsent(id, new Entry(i + 1, cols[1]));
            if (previous != null) {
                throw new DataException(where + "image id " + id + " again (first on line " + previous.line() + ")");
            }
        }
        if (entries.isEmpty()) {
            throw new DataException(file + ": no lines");
        }
        return entries;
    }
}
