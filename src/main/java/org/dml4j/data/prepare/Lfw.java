package org.dml4j.data.prepare;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dml4j.data.PairsFile;
import org.dml4j.data.Split;
import org.dml4j.data.VisibleText;
import org.dml4j.error.DataException;

/**
 * {@code prepare lfw}: Labeled Faces in the Wild (Huang et al. 2007) with its verification pairs.
 * The source holds a folder per person, {@code Name/Name_0001.jpg} (lfw, lfw-deepfunneled, ...);
 * {@code Ebay_test.txt} lists every image under it (as {@link Folders} finds them: first-level
 * folders are the people) in String order of their paths, class id = 1-based index of the person in
 * String order of the names (the two orders differ only for a name that another extends with a
 * character sorting before '/', such as "A" and "A-B"); {@code lfw} is linked to the source.
 *
 * <p>LFW's {@code pairs.txt} starts with {@code folds<TAB>n} ({@code 10<TAB>300}), then per fold n
 * matched lines {@code Name<TAB>n1<TAB>n2} and n mismatched lines
 * {@code Name1<TAB>n1<TAB>Name2<TAB>n2}, where image k of a person is {@code Name/Name_%04d.jpg};
 * {@code pairsDevTrain.txt} and {@code pairsDevTest.txt} start with a single number n (one fold).
 * Columns may be separated by any whitespace. The pairs are written to dml4j's {@code pairs.txt}
 * ({@link PairsFile}) in LFW's order, so its folds are LFW's.
 */
public final class Lfw {
    /** Name of the link to the source, and so the first part of every path. */
    static final String LINK = "lfw";

    private Lfw() {
    }

    /**
     * Reads the people and the pairs and builds Ebay_test.txt and pairs.txt.
     *
     * @param source folder of person folders
     * @param pairs  LFW's pairs file (pairs.txt, pairsDevTrain.txt or pairsDevTest.txt)
     * @throws DataException naming {@code file:line} for a malformed header, a line with the wrong
     *                       number of columns for its place, a number that is not a whole number from
     *                       1, a pair of an image with itself or a mismatched pair of one person, a
     *                       line count that does not match the header; naming the images the pairs
     *                       name that are not there (count and the first few)
     */
    public static PreparedFolder convert(Path source, Path pairs) {
        ImageFolders.Classes people = ImageFolders.classFolders(source, "(--source: the folder of person folders)");
        if (people.classes().size() < 2) {
            throw new DataException(source + ": " + people.classes().size() + " person folders with images; LFW's"
                    + " layout is one folder per person (Name/Name_0001.jpg)");
        }
        PreparedFolder out = new PreparedFolder();
        people.warnings().forEach(out::warn);
        out.link(LINK, source);
        List<PreparedFolder.Image> images = new ArrayList<>();
        SourceFiles.Problems bad = new SourceFiles.Problems();
        SourceFiles.Problems dangling = new SourceFiles.Problems();
        for (int c = 0; c < people.classes().size(); c++) {
            for (String image : people.classes().get(c).images()) {
                String problem = SourceFiles.pathProblem(image);
                if (problem != null) {
                    bad.add(source.resolve(image) + ": " + problem);
                    continue;
                }
                dangling.requireFile(source.resolve(image), source.resolve(image).toString());
                images.add(new PreparedFolder.Image(c + 1, LINK + "/" + image));
            }
        }
        bad.throwIfAny(source + ": " + bad.count() + " image paths cannot be listed");
        dangling.throwIfAny(source + ": " + dangling.count() + " images are symbolic links to nothing");
        images.sort(Comparator.comparing(PreparedFolder.Image::path));    // by path: "A-B/" comes before "A/"
        Map<String, Integer> rows = new HashMap<>();
        for (PreparedFolder.Image im : images) {
            rows.put(im.path().substring(LINK.length() + 1), rows.size());
        }

        List<String> lines = SourceFiles.lines(pairs, "pairs file");
        int header = 0;
        while (header < lines.size() && lines.get(header).isBlank()) {
            header++;
        }
        if (header == lines.size()) {
            throw new DataException(pairs + ": empty (expected LFW's pairs file: a line 'folds pairs', e.g. '10 300')");
        }
        String[] h = SourceFiles.columns(lines.get(header));
        String hereH = SourceFiles.at(pairs, header + 1);
        if (h.length != 1 && h.length != 2) {
            throw new DataException(hereH + "expected LFW's header: the number of folds and of pairs of each kind per"
                    + " fold ('10\\t300'), or one number (pairsDevTrain.txt), got " + VisibleText.quote(lines.get(header)));
        }
        int folds = h.length == 2 ? SourceFiles.integer(h[0], 1, hereH, "column 1 (folds)") : 1;
        int perKind = SourceFiles.integer(h[h.length - 1], 1, hereH, "column " + h.length + " (pairs per kind)");
        List<Integer> pairLines = new ArrayList<>();
        for (int i = header + 1; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                pairLines.add(i);
            }
        }
        long expected = (long) folds * 2 * perKind;
        if (pairLines.size() != expected) {
            throw new DataException(String.format(Locale.ROOT, "%s%d fold%s of %d matched and %d mismatched pairs"
                    + " make %d pair lines, but the file has %d", hereH, folds, folds == 1 ? "" : "s", perKind, perKind,
                    expected, pairLines.size()));
        }
        List<PairsFile.Pair> list = new ArrayList<>(pairLines.size());
        SourceFiles.Problems missing = new SourceFiles.Problems();
        for (int k = 0; k < pairLines.size(); k++) {
            int line = pairLines.get(k);
            String where = SourceFiles.at(pairs, line + 1);
            String[] cols = SourceFiles.columns(lines.get(line));
            boolean matched = k % (2 * perKind) < perKind;
            int fold = k / (2 * perKind) + 1;
            if (cols.length != (matched ? 3 : 4)) {
                throw new DataException(where + "expected " + (matched ? "3 columns (name n1 n2: a matched pair" : "4"
                        + " columns (name1 n1 name2 n2: a mismatched pair") + ", pair " + (k % (2 * perKind) + 1)
                        + " of fold " + fold + "), got " + cols.length + ": " + VisibleText.quote(lines.get(line)));
            }
            String name1 = cols[0];
            int n1 = SourceFiles.integer(cols[1], 1, where, "column 2 (image number)");
            String name2 = matched ? name1 : cols[2];
            int n2 = SourceFiles.integer(cols[matched ? 2 : 3], 1, where, "column " + (matched ? 3 : 4)
                    + " (image number)");
            if (matched && n1 == n2) {
                throw new DataException(where + "a matched pair of image " + n1 + " with itself");
            }
            if (!matched && name1.equals(name2)) {
                throw new DataException(where + "a mismatched pair of one person, " + VisibleText.quote(name1));
            }
            Integer i = row(rows, name1, n1, source, where, missing);
            Integer j = row(rows, name2, n2, source, where, missing);
            if (i != null && j != null) {
                list.add(new PairsFile.Pair(i, j, matched));
            }
        }
        missing.throwIfAny(pairs + ": " + missing.count() + " of the images its pairs name "
                + (missing.count() == 1 ? "is" : "are") + " not in " + source);
        out.list(Split.TEST.listFileName(), images, "");
        out.text(PreparedFolder.PAIRS, PairsFile.lines(Split.TEST.listFileName(), folds, perKind,
                "from LFW's " + pairs.getFileName() + ", in its order", list));
        out.summary(PreparedFolder.PAIRS + " " + PreparedFolder.count(list.size(), "pair") + " in "
                + PreparedFolder.count(folds, "fold") + " of " + 2 * perKind);
        return out;
    }

    /** The row of image {@code n} of {@code name}, or null (recorded as missing). */
    private static Integer row(Map<String, Integer> rows, String name, int n, Path source, String where,
                               SourceFiles.Problems missing) {
        String image = String.format(Locale.ROOT, "%s/%s_%04d.jpg", name, name, n);
        Integer row = rows.get(image);
        if (row == null) {
            missing.add(where + VisibleText.quote(source.resolve(image).toString()));
        }
        return row;
    }
}
