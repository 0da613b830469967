package org.dml4j.data.prepare;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.dml4j.data.ImageList;
import org.dml4j.error.DataException;

/**
 * Image files found by walking folders: the images under a folder, and a data set laid out as one
 * folder per class.
 */
final class ImageFolders {
    /** Image file names: those {@link ImageList#ofDirectory} takes. */
    static final Pattern IMAGE_NAME = ImageList.IMAGE_NAME;

    /**
     * One class of a folder-per-class data set.
     *
     * @param name   the class folder's name
     * @param images paths of its images relative to the data set's root ({@code name/...}), '/'-separated, sorted
     */
    record ClassFolder(String name, List<String> images) {
        ClassFolder {
            images = List.copyOf(images);
        }
    }

    /**
     * A folder-per-class data set.
     *
     * @param root          the folder holding the class folders
     * @param classes       the class folders holding images, sorted by name (String order)
     * @param empty         names of class folders without images (left out)
     * @param looseImages   number of images directly in {@code root}, in no class folder (left out)
     */
    record Classes(Path root, List<ClassFolder> classes, List<String> empty, int looseImages) {
        Classes {
            classes = List.copyOf(classes);
            empty = List.copyOf(empty);
        }

        /** What was left out, as warnings (none when nothing was). */
        List<String> warnings() {
            List<String> w = new ArrayList<>();
            if (!empty.isEmpty()) {
                w.add(root + ": " + empty.size() + " class folder" + (empty.size() == 1 ? " holds" : "s hold")
                        + " no images and " + (empty.size() == 1 ? "is" : "are") + " left out: "
                        + String.join(", ", empty.subList(0, Math.min(SourceFiles.SHOWN, empty.size())))
                        + (empty.size() > SourceFiles.SHOWN ? ", ..." : ""));
            }
            if (looseImages > 0) {
                w.add(root + ": " + looseImages + " image" + (looseImages == 1 ? " is" : "s are")
                        + " not in a class folder and left out");
            }
            return w;
        }
    }

    private ImageFolders() {
    }

    /**
     * The class folders of {@code root}: every sub-folder (symbolic links followed) whose name does
     * not start with '.', with the images anywhere beneath it ({@link #imagesUnder}).
     *
     * @throws DataException naming {@code root} when it is not a folder or cannot be listed
     */
    static Classes classFolders(Path root, String hint) {
        SourceFiles.requireFolder(root, hint);
        List<String> names = new ArrayList<>();
        int loose = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p)) {
                    if (!name.startsWith(".")) {
                        names.add(name);
                    }
                } else if (IMAGE_NAME.matcher(name).matches()) {
                    loose++;
                }
            }
        } catch (IOException e) {
            throw new DataException(root + ": cannot list the class folders: " + DataException.reason(e), e);
        }
        names.sort(null);
        List<ClassFolder> classes = new ArrayList<>();
        List<String> empty = new ArrayList<>();
        for (String name : names) {
            List<String> images = imagesUnder(root.resolve(name));
            if (images.isEmpty()) {
                empty.add(name);
            } else {
                classes.add(new ClassFolder(name, images.stream().map(i -> name + "/" + i).toList()));
            }
        }
        return new Classes(root, classes, empty, loose);
    }

    /**
     * Every image file under {@code dir} (recursively, following symbolic links; a link whose target
     * is gone is listed, so that the existence check reports it), as '/'-separated paths relative to
     * {@code dir}, sorted in String order; empty when there is none.
     *
     * @throws DataException naming the folder when it cannot be walked (a link loop, no permission)
     */
    static List<String> imagesUnder(Path dir) {
        List<String> images = new ArrayList<>();
        for (Path file : ImageList.imageFiles(dir)) {
            images.add(relative(dir, file));
        }
        images.sort(null);
        return images;
    }

    private static String relative(Path dir, Path file) {
        return dir.relativize(file).toString().replace(File.separatorChar, '/');
    }
}
