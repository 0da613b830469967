package org.dml4j.data;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.TreeMap;

/**
 * An SOP list file read into memory (spec §3.2).
 *
 * <p>Format: whitespace-separated {@code image_id class_id super_class_id path}, one image per
 * line. Lines whose first token is {@code image_id} (the header) and blank lines are skipped. Only
 * the class id and the path are used. Paths must be relative and stay inside the data root.
 *
 * @param listFile the list that was read
 * @param root     the data root the image paths are relative to
 * @param split    which split the labels follow
 * @param samples  the images in file order
 */
public record ImageList(Path listFile, Path root, Split split, List<Sample> samples) {

    public ImageList {
        samples = List.copyOf(samples);
    }

    /** Reads {@code root/<split list name>}. */
    public static ImageList read(Path root, Split split) {
        return read(root, root.resolve(split.listFileName()), split);
    }

    /**
     * Reads a list file.
     *
     * @throws DataException naming {@code file:line} for a malformed line, a non-integer or
     *                       out-of-range class id, or a path that is absolute or escapes the root;
     *                       naming the file when it cannot be read or holds no image
     */
    public static ImageList read(Path root, Path listFile, Split split) {
        List<String> lines;
        try {
            lines = TextLines.read(listFile);
        } catch (NoSuchFileException e) {
            throw new DataException(listFile + ": list file not found (is --data_dir right?"
                    + " For SOP run scripts/download_sop.sh)");
        } catch (IOException e) {
            throw new DataException(listFile + ": cannot read list file: " + e.getMessage(), e);
        }
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Sample s = parseLine(listFile, i + 1, lines.get(i), split);
            if (s != null) {
                samples.add(s);
            }
        }
        if (samples.isEmpty()) {
            throw new DataException(listFile + ": no image lines in list file");
        }
        return new ImageList(listFile, root, split, samples);
    }

    /**
     * Any images, for infer: a text file with one image path per line (relative paths are relative
     * to the file's folder; blank lines and lines starting with '#' are skipped). Labels are −1.
     *
     * @throws DataException naming the file when it cannot be read or lists no image
     */
    public static ImageList ofPathList(Path listFile) {
        List<String> lines;
        try {
            lines = TextLines.read(listFile);
        } catch (IOException e) {
            throw new DataException(listFile + ": cannot read image list: " + e.getMessage(), e);
        }
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String p = lines.get(i).strip();
            if (!p.isEmpty() && !p.startsWith("#")) {
                toPath(p, listFile + ":" + (i + 1) + ": ");
                samples.add(new Sample(p, -1, i + 1));
            }
        }
        if (samples.isEmpty()) {
            throw new DataException(listFile + ": no image paths in the list");
        }
        Path root = listFile.toAbsolutePath().getParent();
        return new ImageList(listFile, root, Split.TEST, samples);
    }

    /**
     * Every .jpg/.jpeg/.png/.bmp/.webp under {@code dir} (recursively), in sorted path order,
     * with label −1.
     */
    public static ImageList ofDirectory(Path dir) {
        List<Sample> samples = new ArrayList<>();
        List<String> undecodable = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> images = files.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png|bmp|webp)"))
                    .sorted().toList();
            for (Path p : images) {
                String rel = dir.relativize(p).toString();
                if (rel.indexOf('\uFFFD') >= 0) {
                    undecodable.add(VisibleText.escape(rel));
                }
                samples.add(new Sample(rel, -1, samples.size() + 1));
            }
        } catch (IOException e) {
            throw new DataException(dir + ": cannot list images: " + e.getMessage(), e);
        }
        if (!undecodable.isEmpty()) {
            String hint = encodingHint();
            throw new DataException(dir + ": file names that are not valid " + fileNameEncoding()
                    + " (undecodable bytes shown as \\uFFFD): " + undecodable.size() + ", first: "
                    + String.join(", ", undecodable.subList(0, Math.min(5, undecodable.size())))
                    + (hint.isEmpty() ? "; rename them to UTF-8 (for example convmv -f latin1 -t utf-8)" : hint));
        }
        if (samples.isEmpty()) {
            throw new DataException(dir + ": no .jpg, .jpeg, .png, .bmp or .webp images found");
        }
        return new ImageList(dir.resolve("(directory)"), dir, Split.TEST, samples);
    }

    static Sample parseLine(Path file, int lineNo, String text, Split split) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return null;
        }
        String[] cols = trimmed.split("\\s+");
        if (cols[0].equals("image_id")) {
            return null;
        }
        String where = file + ":" + lineNo + ": ";
        if (cols.length != 4) {
            throw new DataException(where + "expected 4 columns (image_id class_id super_class_id path),"
                    + " got " + cols.length + (cols.length > 4 ? " (paths must not contain spaces)" : ""));
        }
        int classId;
        try {
            classId = Integer.parseInt(cols[1]);
        } catch (NumberFormatException e) {
            throw new DataException(where + "column 2 (class_id): expected an integer, got " + VisibleText.quote(cols[1]));
        }
        int label = split.label(classId);
        if (label < 0) {
            throw new DataException(where + "column 2 (class_id): must be >= 1 in a training list, got " + classId);
        }
        String path = cols[3];
        Path p = toPath(path, where + "column 4 (path): ");
        if (p.isAbsolute() || path.startsWith("/") || path.startsWith("\\")) {
            throw new DataException(where + "column 4 (path): must be relative to the data root, got " + VisibleText.quote(path));
        }
        if (p.normalize().startsWith("..")) {
            throw new DataException(where + "column 4 (path): escapes the data root, got " + VisibleText.quote(path));
        }
        return new Sample(path, label, lineNo);
    }

    /**
     * {@code path} as a file-system path.
     *
     * @throws DataException prefixed with {@code where} when the JVM cannot represent it, which
     *                       without a UTF-8 locale happens to every non-ASCII name
     */
    static Path toPath(String path, String where) {
        try {
            return Path.of(path);
        } catch (InvalidPathException e) {
            throw new DataException(where + "not a valid path " + VisibleText.quote(path) + ": " + e.getReason()
                    + encodingHint());
        }
    }

    /** The charset this JVM uses for file names ({@code sun.jnu.encoding}, fixed by the locale at start-up). */
    static String fileNameEncoding() {
        return System.getProperty("sun.jnu.encoding", "UTF-8");
    }

    /** Why a name may fail when the JVM's file-name charset is not UTF-8, and the fix; "" otherwise. */
    static String encodingHint() {
        String jnu = fileNameEncoding();
        boolean utf8;
        try {
            utf8 = Charset.forName(jnu).equals(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            utf8 = false;
        }
        return utf8 ? "" : " (this JVM encodes file names as " + jnu + " because no UTF-8 locale is set:"
                + " bin/dml4j sets LC_CTYPE=C.UTF-8 itself; when starting java yourself, set LC_ALL=C.UTF-8)";
    }

    /** Number of images. */
    public int size() {
        return samples.size();
    }

    /** Absolute location of image {@code i}. */
    public Path imagePath(int i) {
        return root.resolve(samples.get(i).path());
    }

    /** Label of image {@code i}. */
    public int label(int i) {
        return samples.get(i).label();
    }

    /** Image indices grouped by label, labels ascending; each group in file order. */
    public int[][] indicesByLabel() {
        TreeMap<Integer, List<Integer>> groups = new TreeMap<>();
        for (int i = 0; i < samples.size(); i++) {
            groups.computeIfAbsent(samples.get(i).label(), k -> new ArrayList<>()).add(i);
        }
        return groups.values().stream()
                .map(g -> g.stream().mapToInt(Integer::intValue).toArray())
                .toArray(int[][]::new);
    }

    /** Number of distinct labels (what the original prints as "dataset size"). */
    public int classCount() {
        return (int) samples.stream().mapToInt(Sample::label).distinct().count();
    }

    /** Largest label. */
    public int maxLabel() {
        return samples.stream().mapToInt(Sample::label).max().orElse(-1);
    }

    /**
     * Checks that every listed image exists, all at once, so a run does not die an hour in.
     *
     * @throws DataException with the count and the first few missing files (with their lines)
     */
    public void requireImagesExist() {
        List<String> missing = new ArrayList<>();
        int count = 0;
        for (int i = 0; i < samples.size(); i++) {
            if (!Files.isRegularFile(imagePath(i))) {
                count++;
                if (missing.size() < 5) {
                    missing.add(listFile.getFileName() + ":" + samples.get(i).line() + " " + VisibleText.escape(imagePath(i).toString()));
                }
            }
        }
        if (count > 0) {
            throw new DataException(listFile + ": " + count + " of " + samples.size()
                    + " listed images are missing, first: " + String.join(", ", missing));
        }
    }
}
