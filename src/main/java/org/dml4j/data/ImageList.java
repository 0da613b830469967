package org.dml4j.data;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.dml4j.error.DataException;

/**
 * An SOP list file read into memory (docs/ORIGINAL.md §3.2).
 *
 * <p>Format: whitespace-separated {@code image_id class_id super_class_id path}, one image per
 * line. Lines whose first token is {@code image_id} (the header) and blank lines are skipped. Only
 * the class id and the path are used. Paths must be relative and stay inside the data root.
 *
 * @param listFile the list that was read; for a folder listing ({@link #ofDirectory}) the folder, equal to root
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
        return read(root, listFile, split, 1);
    }

    /**
     * Reads a query or gallery list of the query/gallery protocol (docs/PROTOCOLS.md): the columns
     * of an SOP list, with two more class ids a retrieval benchmark needs: 0 for a distractor (an
     * identity no query has, Market-1501's 0000) and −1 for a junk image, which is never counted.
     * Labels are the class ids.
     *
     * @throws DataException as {@link #read(Path, Path, Split)}, class ids below −1 included
     */
    public static ImageList readQueryOrGallery(Path root, Path listFile) {
        return read(root, listFile, Split.TEST, -1);
    }

    private static ImageList read(Path root, Path listFile, Split split, int minClassId) {
        List<String> lines;
        try {
            lines = TextLines.read(listFile);
        } catch (NoSuchFileException e) {
            throw new DataException(listFile + ": list file not found (is --data_dir right?"
                    + (minClassId < 1 ? ")" : " For SOP run scripts/download_sop.sh)"));
        } catch (IOException e) {
            throw DataException.reading(listFile, "list file", e);
        }
        return new ImageList(listFile, root, split, parse(listFile.toString(), lines, split, minClassId));
    }

    /**
     * The images of a list's lines, for a list read through another file system (a Spark job's
     * input on HDFS or S3): the rules of {@link #read(Path, Path, Split)}.
     *
     * @param listFile       names the list in messages
     * @param queryOrGallery allow class ids 0 and −1 ({@link #readQueryOrGallery})
     * @throws DataException as {@link #read(Path, Path, Split)}
     */
    public static List<Sample> parse(String listFile, List<String> lines, Split split, boolean queryOrGallery) {
        return parse(listFile, lines, split, queryOrGallery ? -1 : 1);
    }

    private static List<Sample> parse(String listFile, List<String> lines, Split split, int minClassId) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Sample s = parseLine(listFile, i + 1, lines.get(i), split, minClassId);
            if (s != null) {
                samples.add(s);
            }
        }
        if (samples.isEmpty()) {
            throw new DataException(listFile + ": no image lines in list file");
        }
        return samples;
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
            throw DataException.reading(listFile, "image list", e);
        }
        Path root = listFile.toAbsolutePath().getParent();
        return new ImageList(listFile, root, Split.TEST, parsePathList(listFile.toString(), lines));
    }

    /**
     * The images of an image list's lines (one path per line; blank lines and lines starting with
     * '#' skipped; surrounding spaces stripped), labels −1, for {@link #ofPathList} and for lists read
     * through other file systems.
     *
     * @param listFile names the list in messages
     * @throws DataException naming {@code file:line} for a path that cannot be a file name, or the
     *                       file when it lists no image
     */
    public static List<Sample> parsePathList(String listFile, List<String> lines) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String p = lines.get(i).strip();
            if (!p.isEmpty() && !p.startsWith("#")) {
                FileNames.toPath(p, listFile + ":" + (i + 1) + ": ");
                samples.add(new Sample(p, -1, i + 1));
            }
        }
        if (samples.isEmpty()) {
            throw new DataException(listFile + ": no image paths in the list");
        }
        return samples;
    }

    /**
     * Every .jpg/.jpeg/.png/.bmp/.webp/.tif/.tiff under {@code dir} (recursively, following
     * symbolic links), in sorted path order, with label −1. A link whose target is gone is listed
     * (the scan reports it as missing), never dropped.
     *
     * @throws DataException naming the folder when it cannot be listed or holds no image, and
     *                       naming the files whose names cannot be read back (not valid in the JVM's
     *                       file-name charset) or written to paths.txt (a line break in the name)
     */
    public static ImageList ofDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new DataException(dir + ": " + (Files.exists(dir) ? "not a folder" : "no such folder"));
        }
        List<Sample> samples = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        List<Path> images = imageFiles(dir);
        for (Path p : images) {
            String rel = dir.relativize(p).toString();
            String problem = FileNames.problem(rel);
            if (problem == null && (rel.indexOf('\n') >= 0 || rel.indexOf('\r') >= 0)) {
                problem = VisibleText.quote(rel) + " has a line break in its name, which paths.txt cannot hold; rename it";
            }
            if (problem != null) {
                bad.add(problem);
            }
            samples.add(new Sample(rel, -1, samples.size() + 1));
        }
        if (!bad.isEmpty()) {
            throw new DataException(dir + ": " + bad.size() + " image file names cannot be used:\n  "
                    + String.join("\n  ", bad.subList(0, Math.min(5, bad.size()))));
        }
        if (samples.isEmpty()) {
            throw new DataException(dir + ": no .jpg, .jpeg, .png, .bmp, .webp or .tif images found");
        }
        return new ImageList(dir, dir, Split.TEST, samples);
    }

    /**
     * Every .jpg/.jpeg/.png/.bmp/.webp/.tif/.tiff file under {@code dir} (recursively, following
     * symbolic links; a link whose target is gone is listed, so that the scan reports it missing),
     * sorted.
     *
     * @throws DataException naming the folder when it cannot be walked (a link loop, no permission)
     */
    public static List<Path> imageFiles(Path dir) {
        List<Path> images = new ArrayList<>();
        try {
            Files.walkFileTree(dir, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
                            if (!a.isDirectory() && IMAGE_NAME.matcher(file.getFileName().toString()).matches()) {
                                images.add(file);
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                            if (e instanceof FileSystemLoopException) {
                                throw new IOException("a symbolic link loops back to " + file, e);
                            }
                            if (Files.isSymbolicLink(file) && IMAGE_NAME.matcher(file.getFileName().toString()).matches()) {
                                images.add(file);     // a dangling link: listed, and the scan says it is missing
                                return FileVisitResult.CONTINUE;
                            }
                            throw e;
                        }
                    });
        } catch (IOException e) {
            throw new DataException(dir + ": cannot list images: " + e.getMessage(), e);
        }
        images.sort(null);
        return images;
    }

    /** Image file names dml4j takes (DOTALL: a name may hold any character). */
    public static final Pattern IMAGE_NAME = Pattern.compile(".*\\.(jpe?g|png|bmp|webp|tiff?)",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    private static Sample parseLine(String file, int lineNo, String text, Split split, int minClassId) {
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
        if (!cols[1].matches("[+-]?[0-9]+")) {
            throw new DataException(where + "column 2 (class_id): expected an integer, got " + VisibleText.quote(cols[1]));
        }
        BigInteger classId = new BigInteger(cols[1]);
        if (classId.compareTo(BigInteger.valueOf(minClassId)) < 0 || classId.bitLength() > 31) {
            throw new DataException(where + "column 2 (class_id): must be in " + minClassId + ".." + Integer.MAX_VALUE
                    + (minClassId < 0 ? " (0: distractor, -1: junk)" : "") + ", got " + cols[1]);
        }
        int label = split.label(classId.intValue());
        String path = cols[3];
        Path p = FileNames.toPath(path, where + "column 4 (path): ");
        if (p.isAbsolute() || path.startsWith("/") || path.startsWith("\\")) {
            throw new DataException(where + "column 4 (path): must be relative to the data root, got " + VisibleText.quote(path));
        }
        if (p.normalize().startsWith("..")) {
            throw new DataException(where + "column 4 (path): escapes the data root, got " + VisibleText.quote(path));
        }
        return new Sample(path, label, lineNo);
    }

    /** Number of images. */
    public int size() {
        return samples.size();
    }

    /** Absolute location of image {@code i}. */
    public Path imagePath(int i) {
        return root.resolve(samples.get(i).path());
    }

    /**
     * Image {@code i} for messages: its path (invisible characters escaped) and, for a list file,
     * its line.
     */
    public String describe(int i) {
        String path = VisibleText.escape(imagePath(i).toString());
        return listFile.equals(root) ? path : path + " (list line " + samples.get(i).line() + ")";
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
                    missing.add(describe(i));
                }
            }
        }
        if (count > 0) {
            throw new DataException(listFile + ": " + count + " of " + samples.size()
                    + " listed images are missing, first: " + String.join(", ", missing));
        }
    }
}
