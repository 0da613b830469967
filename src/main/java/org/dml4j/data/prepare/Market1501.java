package org.dml4j.data.prepare;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dml4j.data.Split;
import org.dml4j.data.VisibleText;
import org.dml4j.error.DataException;

/**
 * {@code prepare market1501}: Market-1501 (Zheng et al. 2015), the {@code Market-1501-v15.09.15}
 * folder. Images are the {@code .jpg} files directly in {@code bounding_box_train},
 * {@code query} and {@code bounding_box_test}, named {@code PPPP_cCsS_FFFFFF_BB.jpg}
 * ({@code 0002_c1s1_000451_03.jpg}): identity {@code PPPP}, camera {@code C}. Identity −1 marks junk
 * boxes and 0000 distractors. Other files (Thumbs.db) are skipped.
 *
 * <p>Writes, each in file-name order (String order): {@code Ebay_train.txt} from
 * bounding_box_train with the identity as class id (images of identity −1 or 0 left out and
 * counted in the summary); {@code query.txt} and {@code query_cameras.txt} from query (every query
 * must have an identity from 1); {@code gallery.txt} and {@code gallery_cameras.txt} from
 * bounding_box_test, where identity −1 becomes class −1 (junk: never counted) and 0000 class 0 (a
 * distractor: a valid non-matching entry), as the official evaluation and torchreid treat them.
 * The three folders are linked under their own names.
 */
public final class Market1501 {
    static final String TRAIN = "bounding_box_train";
    static final String QUERY = "query";
    static final String GALLERY = "bounding_box_test";
    /** Identity (−1 or digits), camera digit, sequence, frame, box. */
    static final Pattern NAME = Pattern.compile("(-1|[0-9]{1,9})_c([0-9])s([0-9]+)_([0-9]+)_([0-9]+)\\.jpg",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern JPEG = Pattern.compile(".*\\.jpg", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    private Market1501() {
    }

    /** An image of a folder: its file name, identity and camera. */
    private record Box(String name, int identity, int camera) {
    }

    /**
     * Reads the three folders and builds the lists.
     *
     * @param source the {@code Market-1501-v15.09.15} folder
     * @throws DataException naming the file for a .jpg whose name does not follow Market-1501's
     *                       pattern (or has whitespace), a query without identity; naming the folder
     *                       when one is missing or holds no image
     */
    public static PreparedFolder convert(Path source) {
        SourceFiles.requireFolder(source, "(--source: the Market-1501-v15.09.15 folder)");
        PreparedFolder out = new PreparedFolder();
        List<Box> train = boxes(source, TRAIN, out);
        List<Box> query = boxes(source, QUERY, out);
        List<Box> gallery = boxes(source, GALLERY, out);
        for (String folder : List.of(TRAIN, QUERY, GALLERY)) {
            out.link(folder, source.resolve(folder));
        }
        List<PreparedFolder.Image> trainList = new ArrayList<>();
        int junk = 0;
        int distractors = 0;
        for (Box b : train) {
            if (b.identity() == -1) {
                junk++;
            } else if (b.identity() == 0) {
                distractors++;
            } else {
                trainList.add(new PreparedFolder.Image(b.identity(), TRAIN + "/" + b.name()));
            }
        }
        if (trainList.isEmpty()) {
            throw new DataException(source.resolve(TRAIN) + ": no image with an identity from 1");
        }
        for (Box b : query) {
            if (b.identity() < 1) {
                throw new DataException(source.resolve(QUERY).resolve(b.name()) + ": a query of identity "
                        + b.identity() + " (junk or distractor) cannot be searched for; every query needs a person");
            }
        }
        out.list(Split.TRAIN.listFileName(), trainList, String.format(Locale.ROOT,
                "(left out: %d of identity 0, %d of identity -1)", distractors, junk));
        out.list(PreparedFolder.QUERY, images(QUERY, query), "");
        out.text(PreparedFolder.QUERY_CAMERAS, cameras(query));
        out.list(PreparedFolder.GALLERY, images(GALLERY, gallery), "");
        out.text(PreparedFolder.GALLERY_CAMERAS, cameras(gallery));
        return out;
    }

    private static List<PreparedFolder.Image> images(String folder, List<Box> boxes) {
        return boxes.stream().map(b -> new PreparedFolder.Image(b.identity(), folder + "/" + b.name())).toList();
    }

    private static List<String> cameras(List<Box> boxes) {
        return boxes.stream().map(b -> Integer.toString(b.camera())).toList();
    }

    /** The .jpg files directly in {@code source/folder}, sorted by name; other files are skipped (with a warning). */
    private static List<Box> boxes(Path source, String folder, PreparedFolder out) {
        Path dir = source.resolve(folder);
        SourceFiles.requireFolder(dir, "(--source should be the Market-1501-v15.09.15 folder, holding "
                + String.join(", ", TRAIN, QUERY, GALLERY) + ")");
        List<String> names = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (JPEG.matcher(name).matches() && !Files.isDirectory(p)) {
                    names.add(name);
                } else if (!Files.isDirectory(p)) {
                    skipped.add(name);
                }
            }
        } catch (IOException e) {
            throw new DataException(dir + ": cannot list images: " + DataException.reason(e), e);
        }
        names.sort(null);
        skipped.sort(null);
        if (names.isEmpty()) {
            throw new DataException(dir + ": no .jpg images");
        }
        if (!skipped.isEmpty()) {
            out.warn(dir + ": skipped " + skipped.size() + " file" + (skipped.size() == 1 ? "" : "s") + " that "
                    + (skipped.size() == 1 ? "is" : "are") + " not .jpg: " + String.join(", ", skipped.subList(0,
                    Math.min(SourceFiles.SHOWN, skipped.size())).stream().map(VisibleText::quote).toList())
                    + (skipped.size() > SourceFiles.SHOWN ? ", ..." : ""));
        }
        List<Box> boxes = new ArrayList<>(names.size());
        SourceFiles.Problems bad = new SourceFiles.Problems();
        for (String name : names) {
            Matcher m = NAME.matcher(name);
            String problem = SourceFiles.pathProblem(name);
            if (problem != null) {
                bad.add(dir.resolve(name) + ": " + problem);
            } else if (!m.matches()) {
                bad.add(dir.resolve(name) + ": not a Market-1501 name (PPPP_cCsS_FFFFFF_BB.jpg, e.g."
                        + " 0002_c1s1_000451_03.jpg)");
            } else if (!Files.isRegularFile(dir.resolve(name))) {
                bad.add(dir.resolve(name) + ": a symbolic link to nothing");
            } else {
                boxes.add(new Box(name, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
            }
        }
        bad.throwIfAny(dir + ": " + bad.count() + " of " + names.size() + " .jpg files cannot be used");
        return boxes;
    }
}
