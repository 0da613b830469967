package org.dml4j.data;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.dml4j.error.DataException;

/**
 * A fast pre-scan of every listed image before anything starts, without decoding: missing and
 * empty files, files that are not JPEG, PNG, BMP, WebP or TIFF (by content, not by name), and
 * JPEG, PNG, WebP, BMP and TIFF files that end before their image does ({@link EncodedImage}; data
 * after the end, such as a motion photo's video, is ignored as the decoders ignore it). With
 * {@code --skip_bad_images} the bad ones are left out and counted; otherwise the run stops with the
 * list. Odd but valid images (grey, alpha, 16-bit, CMYK, huge) pass: decoding converts them.
 */
public final class ImageScan {
    /**
     * Why WebP images are refused: the libwebp compiled into the bundled OpenCV 4.5.5 (JavaCPP
     * 1.5.7, the line ND4J M2.1 is built on) is 1.2.0, older than the fix for CVE-2023-4863, a heap
     * overflow in its lossless decoder reachable from any crafted file (README "Images").
     */
    public static final String WEBP_REFUSED = "WebP, which dml4j does not decode: the libwebp inside its OpenCV (1.2.0)"
            + " predates the fix for CVE-2023-4863; convert it to PNG or JPEG first (e.g. dwebp in.webp -o out.png)";

    private static final int HEAD = 12;

    /**
     * One unreadable file.
     *
     * @param where the image as {@link ImageList#describe} names it
     */
    public record Problem(int index, String where, String reason) {
        @Override
        public String toString() {
            return where + ": " + reason;
        }
    }

    private ImageScan() {
    }

    /**
     * Checks {@code list} and returns it, or without its bad images when {@code skip} is set.
     *
     * @throws DataException listing the bad images (count and the first ten) when {@code skip} is not set
     */
    public static ImageList apply(ImageList list, boolean skip, PrintWriter out) {
        List<Problem> problems = Collections.synchronizedList(new ArrayList<>());
        IntStream.range(0, list.size()).parallel().forEach(i -> {
            String reason = problem(list.imagePath(i));
            if (reason != null) {
                problems.add(new Problem(i, list.describe(i), reason));
            }
        });
        if (problems.isEmpty()) {
            return list;
        }
        List<Problem> sorted = new ArrayList<>(problems);
        sorted.sort((a, b) -> Integer.compare(a.index(), b.index()));
        String first = String.join("\n  ", sorted.stream().limit(10).map(Problem::toString).toList());
        if (!skip) {
            throw new DataException(list.listFile() + ": " + sorted.size() + " of " + list.size()
                    + " images cannot be read (pass --skip_bad_images=True to leave them out):\n  " + first);
        }
        out.println("skipping " + sorted.size() + " of " + list.size() + " images of " + list.listFile()
                + " that cannot be read:\n  " + first);
        out.flush();
        boolean[] bad = new boolean[list.size()];
        sorted.forEach(p -> bad[p.index()] = true);
        List<Sample> kept = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!bad[i]) {
                kept.add(list.samples().get(i));
            }
        }
        if (kept.isEmpty()) {
            throw new DataException(list.listFile() + ": no readable image left");
        }
        return new ImageList(list.listFile(), list.root(), list.split(), kept);
    }

    /** Why {@code file} cannot be used, or null when it looks decodable. */
    public static String problem(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return problem(new EncodedImage.Bytes(ch));
        } catch (NoSuchFileException e) {
            Path twin = FileNames.normalisationTwin(file);
            return twin == null ? "missing" : "missing; " + VisibleText.quote(twin.getFileName().toString())
                    + " in the same folder differs only in Unicode normalisation (" + describeForm(twin) + " there, "
                    + describeForm(file) + " here): rename the file or fix the list";
        } catch (IOException e) {
            return "cannot read: " + DataException.reason(e);
        }
    }

    /**
     * Why an encoded image held in memory cannot be used, or null when it looks decodable: the same
     * checks as {@link #problem(Path)} (a Spark task reads the bytes through Hadoop's file systems).
     */
    public static String problem(byte[] image) {
        try {
            return problem(new EncodedImage.Bytes(image));
        } catch (IOException e) {
            return "cannot read: " + DataException.reason(e);
        }
    }

    private static String problem(EncodedImage.Bytes in) throws IOException {
        if (in.size == 0) {
            return "empty file (0 bytes)";
        }
        int[] h = new int[(int) Math.min(HEAD, in.size)];
        for (int i = 0; i < h.length; i++) {
            h[i] = in.at(i);
        }
        if (starts(h, 0xFF, 0xD8, 0xFF)) {
            return EncodedImage.jpegProblem(in);
        }
        if (starts(h, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return EncodedImage.pngProblem(in);
        }
        if (starts(h, 'R', 'I', 'F', 'F') && h.length >= 12 && h[8] == 'W' && h[9] == 'E' && h[10] == 'B'
                && h[11] == 'P') {
            String structure = EncodedImage.webpProblem(in);
            return structure != null ? structure : WEBP_REFUSED;
        }
        if (starts(h, 'B', 'M')) {
            return EncodedImage.bmpProblem(in);
        }
        if (starts(h, 'I', 'I', 42, 0) || starts(h, 'M', 'M', 0, 42) || starts(h, 'I', 'I', 43, 0)
                || starts(h, 'M', 'M', 0, 43)) {
            return EncodedImage.tiffProblem(in);
        }
        if (starts(h, 'G', 'I', 'F')) {
            return "GIF, which OpenCV cannot decode";
        }
        return "not an image (no JPEG, PNG, BMP, WebP or TIFF signature)";
    }

    private static String describeForm(Path file) {
        String name = file.getFileName().toString();
        return Normalizer.isNormalized(name, Normalizer.Form.NFC) ? "composed, NFC"
                : "decomposed, NFD";
    }

    private static boolean starts(int[] b, int... signature) {
        if (b.length < signature.length) {
            return false;
        }
        for (int i = 0; i < signature.length; i++) {
            if (b[i] != signature[i]) {
                return false;
            }
        }
        return true;
    }
}
