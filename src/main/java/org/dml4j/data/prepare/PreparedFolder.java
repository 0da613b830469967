package org.dml4j.data.prepare;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dml4j.data.AtomicFiles;
import org.dml4j.data.PairsFile;
import org.dml4j.data.Split;
import org.dml4j.error.DataException;
import org.dml4j.error.UsageException;

/**
 * A converted data set held in memory until it is written: list files, other text files (cameras,
 * pairs) and symbolic links to the source's image folders. {@link #writeTo} writes it as one folder
 * in one step ({@link AtomicFiles#writeFolder}), so a failure leaves no output behind.
 */
public final class PreparedFolder {
    /** Header line of every list file. */
    public static final String LIST_HEADER = "image_id class_id super_class_id path";
    /** Query list (class 0 = distractor, −1 = junk allowed). */
    public static final String QUERY = "query.txt";
    /** Gallery list (class 0 = distractor, −1 = junk allowed). */
    public static final String GALLERY = "gallery.txt";
    /** Cameras of the query list's images, one per line. */
    public static final String QUERY_CAMERAS = "query_cameras.txt";
    /** Cameras of the gallery list's images, one per line. */
    public static final String GALLERY_CAMERAS = "gallery_cameras.txt";
    /** Verification pairs over Ebay_test.txt ({@link PairsFile}). */
    public static final String PAIRS = "pairs.txt";

    /**
     * One line of a list file.
     *
     * @param classId the class id: from 1; in query and gallery lists also 0 (distractor) or −1 (junk)
     * @param path    the path relative to the output folder, through one of its links
     */
    public record Image(int classId, String path) {
    }

    private final Map<String, Path> links = new LinkedHashMap<>();
    private final Map<String, List<String>> files = new LinkedHashMap<>();
    private final List<String> summary = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    /** An empty folder; the converters fill it. */
    PreparedFolder() {
    }

    /** Adds the link {@code name} → {@code target} (made absolute). */
    void link(String name, Path target) {
        if (name.contains("/") || files.containsKey(name) || links.containsKey(name)) {
            throw new IllegalArgumentException("link name " + name);
        }
        links.put(name, absolute(target));
    }

    /**
     * Adds a list file with its header; image ids are the running number; the super-class column
     * repeats the class id. Adds its part of the summary line: images, classes (ids from 1),
     * distractors and junk, then {@code note} when not empty.
     *
     * @throws IllegalArgumentException for a path that does not go through a link, or class ids
     *                                  below 1 in Ebay_train.txt/Ebay_test.txt (a converter's bug)
     */
    void list(String name, List<Image> images, String note) {
        boolean lists = name.equals(Split.TRAIN.listFileName()) || name.equals(Split.TEST.listFileName());
        List<String> lines = new ArrayList<>(images.size() + 1);
        lines.add(LIST_HEADER);
        long distractors = 0;
        long junk = 0;
        Set<Integer> classes = new HashSet<>();
        for (Image im : images) {
            int slash = im.path().indexOf('/');
            if (slash < 0 || !links.containsKey(im.path().substring(0, slash)) || SourceFiles.pathProblem(im.path()) != null
                    || im.classId() < (lists ? 1 : -1)) {
                throw new IllegalArgumentException(name + ": " + im);
            }
            if (im.classId() > 0) {
                classes.add(im.classId());
            } else if (im.classId() == 0) {
                distractors++;
            } else {
                junk++;
            }
            lines.add(lines.size() + " " + im.classId() + " " + im.classId() + " " + im.path());
        }
        text(name, lines);
        summary.add(name + " " + count(images.size(), "image") + ", " + count(classes.size(), "class")
                + (distractors > 0 ? " + " + distractors + " distractor (class 0)" : "")
                + (junk > 0 ? " + " + junk + " junk (class -1)" : "")
                + (note.isEmpty() ? "" : " " + note));
    }

    /** "1 image", "2 images", "1 class", "3 classes". */
    static String count(long n, String noun) {
        return n + " " + (n == 1 ? noun : noun.endsWith("s") ? noun + "es" : noun + "s");
    }

    /** Adds a text file of the given lines. */
    void text(String name, List<String> lines) {
        if (name.contains("/") || files.containsKey(name) || links.containsKey(name)) {
            throw new IllegalArgumentException("file name " + name);
        }
        files.put(name, List.copyOf(lines));
    }

    /** Adds a part to the summary line. */
    void summary(String part) {
        summary.add(part);
    }

    /** Records something the user should know (left-out folders or files). */
    void warn(String warning) {
        warnings.add(warning);
    }

    /** Things left out of the data set, one line each. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** The lines of a file to write, or null. */
    public List<String> lines(String name) {
        return files.get(name);
    }

    /** The links to write: name → absolute target. */
    public Map<String, Path> links() {
        return Map.copyOf(links);
    }

    /** Counts per written file, e.g. "Ebay_train.txt 5864 images, 100 classes; Ebay_test.txt ...". */
    public String summary() {
        return String.join("; ", summary);
    }

    /**
     * Writes the folder: all files and links appear at once, or (on any failure) nothing does.
     *
     * @param overwrite replace an existing non-empty {@code output} (only once the new folder is complete)
     * @return the summary line, "wrote OUTPUT: ..."
     * @throws UsageException        for an output that is in the way ({@link #requireOutput})
     * @throws UncheckedIOException  when the folder cannot be written (the message says why)
     */
    public String writeTo(Path output, boolean overwrite) {
        requireOutput(output, overwrite);
        try {
            AtomicFiles.writeFolder(output, dir -> {
                for (Map.Entry<String, List<String>> f : files.entrySet()) {
                    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve(f.getKey())),
                            1 << 20)) {
                        AtomicFiles.lines(f.getValue()).writeTo(out);
                    }
                }
                for (Map.Entry<String, Path> l : links.entrySet()) {
                    Files.createSymbolicLink(dir.resolve(l.getKey()), l.getValue());
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + output + ": " + DataException.reason(e), e);
        }
        return "wrote " + output + ": " + summary();
    }

    /**
     * Checks, before a converter reads anything, that {@code output} can be written as a folder and
     * is not an existing non-empty folder (unless {@code overwrite}).
     *
     * @throws UsageException naming --output and what is in the way
     */
    public static void requireOutput(Path output, boolean overwrite) {
        AtomicFiles.requireFolderCreatable(output, "--output");
        AtomicFiles.requireNotOver(output, Path.of(""), "--output", "the current folder");
        AtomicFiles.requireWritable(output, true, "--output");
        if (!overwrite && Files.isDirectory(output) && !isEmpty(output)) {
            throw new UsageException("--output " + output + ": already exists and is not empty; pass --overwrite=True"
                    + " to replace it (and everything in it) once the new folder is complete");
        }
    }

    /**
     * Refuses an output folder whose replacement would delete a source: {@code output} equal to
     * {@code source}, holding it, or inside it (where it could be the source's image folder; and a
     * source whose images are found by walking it, {@code walked}, would list the output's links).
     *
     * @param flag the flag that named {@code source}, for the message
     * @throws UsageException naming both flags
     */
    public static void requireApart(Path output, Path source, String flag, boolean walked) {
        Path o = real(output);
        Path s = real(source);
        if (s.startsWith(o)) {
            throw new UsageException("--output " + output + (s.equals(o) ? " is " : " holds ") + flag + " " + source
                    + ": the output folder is written as a whole; choose another");
        }
        if (o.startsWith(s)) {          // replacing it could delete source images (its image folder, say)
            throw new UsageException("--output " + output + " is inside " + flag + " " + source
                    + (walked ? ", whose images are found by walking it" : ", which it must not change")
                    + "; write it elsewhere");
        }
    }

    /** {@code p} with symbolic links resolved as far as it exists, the rest appended. */
    static Path real(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(abs));
        } catch (IOException e) {
            return abs;
        }
    }

    /**
     * {@code p} as an absolute link target: normalised (no {@code .} or {@code ..}) when that names the
     * same file, which it may not when a {@code ..} follows a symbolic link.
     */
    static Path absolute(Path p) {
        Path abs = p.toAbsolutePath();
        Path norm = abs.normalize();
        try {
            return norm.equals(abs) || Files.isSameFile(norm, abs) ? norm : abs;
        } catch (IOException e) {
            return abs;
        }
    }

    private static boolean isEmpty(Path dir) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }
}
