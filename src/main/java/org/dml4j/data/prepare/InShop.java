package org.dml4j.data.prepare;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dml4j.data.Split;
import org.dml4j.data.VisibleText;
import org.dml4j.error.DataException;

/**
 * {@code prepare inshop}: DeepFashion In-shop Clothes Retrieval (Liu et al. 2016). Reads
 * {@code Eval/list_eval_partition.txt} (or {@code list_eval_partition.txt} at the top), whose first
 * line is the number of images, the second the header {@code image_name item_id evaluation_status},
 * then one whitespace-separated line per image, e.g.
 * {@code img/WOMEN/Dresses/id_00000002/02_1_front.jpg id_00000002 train}. The item is the class
 * ({@code id_00000002} → class id 2); status {@code train} goes to {@code Ebay_train.txt},
 * {@code query} to {@code query.txt}, {@code gallery} to {@code gallery.txt}, in file order;
 * {@code img} is linked to the source's {@code img} folder.
 */
public final class InShop {
    static final String PARTITION = "list_eval_partition.txt";
    private static final List<String> HEADER = List.of("image_name", "item_id", "evaluation_status");
    private static final Pattern ITEM = Pattern.compile("id_([0-9]{1,9})");

    private InShop() {
    }

    /**
     * Reads and checks the partition file and builds the lists.
     *
     * @param source the In-shop folder (holding {@code img/} and {@code Eval/})
     * @throws DataException naming {@code file:line} for a count line that disagrees with the
     *                       entries, a wrong header, a malformed line, an unknown status, a malformed
     *                       item id, an image listed twice or a path a list cannot hold; naming the
     *                       missing images (count and the first few); when a list would be empty
     */
    public static PreparedFolder convert(Path source) {
        SourceFiles.requireFolder(source, "(--source: the In-shop Clothes Retrieval folder)");
        Path file = source.resolve("Eval").resolve(PARTITION);
        if (!Files.exists(file) && Files.exists(source.resolve(PARTITION))) {
            file = source.resolve(PARTITION);
        } else if (!Files.exists(file)) {
            throw new DataException(file + ": not found (nor " + source.resolve(PARTITION) + "); --source should be"
                    + " the In-shop folder holding img/ and Eval/list_eval_partition.txt");
        }
        List<String> lines = SourceFiles.lines(file, "evaluation partition");
        int first = 0;
        while (first < lines.size() && lines.get(first).isBlank()) {
            first++;
        }
        if (first == lines.size()) {
            throw new DataException(file + ": empty");
        }
        String[] countCols = SourceFiles.columns(lines.get(first));
        if (countCols.length != 1) {
            throw new DataException(SourceFiles.at(file, first + 1) + "expected the number of images, got "
                    + VisibleText.quote(lines.get(first)));
        }
        int count = SourceFiles.integer(countCols[0], 0, SourceFiles.at(file, first + 1), "number of images");
        int headerLine = first + 1;
        while (headerLine < lines.size() && lines.get(headerLine).isBlank()) {
            headerLine++;
        }
        if (headerLine == lines.size() || !List.of(SourceFiles.columns(lines.get(headerLine))).equals(HEADER)) {
            throw new DataException(SourceFiles.at(file, headerLine + 1) + "expected the header line '"
                    + String.join(" ", HEADER) + "', got "
                    + (headerLine == lines.size() ? "the end of the file" : VisibleText.quote(lines.get(headerLine))));
        }
        Map<String, List<PreparedFolder.Image>> lists = Map.of("train", new ArrayList<>(), "query", new ArrayList<>(),
                "gallery", new ArrayList<>());
        Map<String, Integer> seen = new HashMap<>();
        SourceFiles.Problems missing = new SourceFiles.Problems();
        int entries = 0;
        for (int i = headerLine + 1; i < lines.size(); i++) {
            String[] cols = SourceFiles.columns(lines.get(i));
            if (cols.length == 0) {
                continue;
            }
            entries++;
            String where = SourceFiles.at(file, i + 1);
            if (cols.length != 3) {
                throw new DataException(where + "expected 3 columns (image_name item_id evaluation_status), got "
                        + cols.length + (cols.length > 3 ? " (paths must not contain spaces)" : "") + ": "
                        + VisibleText.quote(lines.get(i)));
            }
            String path = cols[0];
            String problem = SourceFiles.pathProblem(path);
            if (problem != null) {
                throw new DataException(where + "column 1 (image_name): " + problem);
            }
            if (!path.startsWith("img/")) {
                throw new DataException(where + "column 1 (image_name): expected a path in img/, got "
                        + VisibleText.quote(path));
            }
            Integer previous = seen.putIfAbsent(path, i + 1);
            if (previous != null) {
                throw new DataException(where + VisibleText.quote(path) + " again (first on line " + previous + ")");
            }
            Matcher m = ITEM.matcher(cols[1]);
            if (!m.matches() || Integer.parseInt(m.group(1)) < 1) {
                throw new DataException(where + "column 2 (item_id): expected id_ and a number from 1 (id_00000002),"
                        + " got " + VisibleText.quote(cols[1]));
            }
            List<PreparedFolder.Image> list = lists.get(cols[2]);
            if (list == null) {
                throw new DataException(where + "column 3 (evaluation_status): expected train, query or gallery, got "
                        + VisibleText.quote(cols[2]));
            }
            missing.requireFile(source.resolve(path), file.getFileName() + ":" + (i + 1) + ": " + source.resolve(path));
            list.add(new PreparedFolder.Image(Integer.parseInt(m.group(1)), path));
        }
        if (entries != count) {
            throw new DataException(SourceFiles.at(file, first + 1) + "says " + count + " images, but the file lists "
                    + entries);
        }
        missing.throwIfAny(file + ": " + missing.count() + " of " + entries + " listed images are missing");
        for (String status : List.of("train", "query", "gallery")) {
            if (lists.get(status).isEmpty()) {
                throw new DataException(file + ": no image has status " + status);
            }
        }
        PreparedFolder out = new PreparedFolder();
        out.link("img", source.resolve("img"));
        out.list(Split.TRAIN.listFileName(), lists.get("train"), "");
        out.list(PreparedFolder.QUERY, lists.get("query"), "");
        out.list(PreparedFolder.GALLERY, lists.get("gallery"), "");
        return out;
    }
}
