package org.dml4j.data;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LANCZOS4;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.dml4j.error.DataException;
import org.dml4j.error.UsageException;

/**
 * Converts Fashion-MNIST's IDX files into the SOP layout: {@code Ebay_train.txt},
 * {@code Ebay_test.txt} and one folder of JPEGs per class, so every command runs on it unchanged.
 *
 * <p>Splits: {@link SplitMode#CLASSES} is SOP's open-set protocol (train on classes 0–4, retrieve
 * among classes 5–9; images of both IDX files pooled); {@link SplitMode#IMAGES} is the closed split
 * (all 10 classes, training images from the train file, test images from the t10k file). Class id
 * = category + 1, and the super-class id is the same. Images are taken in file order, the first
 * {@code perClass} of each class in each list.
 */
public final class FashionMnist {
    /** Where Debian's {@code dataset-fashion-mnist} puts the files. */
    public static final Path DEFAULT_SOURCE = Path.of("/usr/share/datasets/fashion-mnist");
    static final String[] CLASS_FOLDERS = {"tshirt_top_final", "trouser_final", "pullover_final", "dress_final",
        "coat_final", "sandal_final", "shirt_final", "sneaker_final", "bag_final", "ankle_boot_final"};
    private static final int SIDE = 28;

    /** How images are divided between the train and test lists. */
    public enum SplitMode { CLASSES, IMAGES }

    /** One IDX image file with its labels. */
    record Part(String name, byte[][] images, byte[] labels) {
    }

    private FashionMnist() {
    }

    /**
     * Writes the SOP layout into {@code out}.
     *
     * @param source   folder holding {@code train-images-idx3-ubyte(.gz)} and the other three files
     * @param out      output folder; must not already hold list files
     * @param split    open-set (classes) or closed (images)
     * @param perClass images per class in each list, or 0 for all
     * @param size     side of the written square images (28 = native; else Lanczos-4 resized)
     * @return the number of images written
     * @throws DataException naming the file when an input is missing or malformed, or when the
     *                       output already holds a data set
     */
    public static int convert(Path source, Path out, SplitMode split, int perClass, int size) {
        if (perClass < 0) {
            throw new UsageException("--per_class must be >= 0, got " + perClass);
        }
        if (size < 1) {
            throw new UsageException("--size must be >= 1, got " + size);
        }
        for (Split s : Split.values()) {
            if (Files.exists(out.resolve(s.listFileName()))) {
                throw new DataException(out.resolve(s.listFileName())
                        + ": already exists; choose an empty --output folder");
            }
        }
        Part train = readPart(source, "train");
        Part test = readPart(source, "t10k");
        List<List<String>> lists = List.of(new ArrayList<>(), new ArrayList<>());
        int[][] taken = new int[2][10];
        try {
            for (Part part : List.of(train, test)) {
                for (int i = 0; i < part.labels().length; i++) {
                    int c = part.labels()[i];
                    int which = split == SplitMode.CLASSES ? (c < 5 ? 0 : 1) : (part == train ? 0 : 1);
                    if (perClass == 0 || taken[which][c] < perClass) {
                        taken[which][c]++;
                        List<String> lines = lists.get(which);
                        lines.add(write(out, part, i, lines.size() + 1, size));
                    }
                }
            }
            writeList(out.resolve(Split.TRAIN.listFileName()), lists.get(0));
            writeList(out.resolve(Split.TEST.listFileName()), lists.get(1));
        } catch (IOException e) {
            throw new DataException(out + ": cannot write: " + e.getMessage(), e);
        }
        return lists.get(0).size() + lists.get(1).size();
    }

    private static String write(Path out, Part part, int i, int imageId, int size) throws IOException {
        int c = part.labels()[i];
        String rel = CLASS_FOLDERS[c] + "/" + part.name() + "_" + String.format(Locale.ROOT, "%05d", i) + ".jpg";
        Path file = out.resolve(rel);
        Files.createDirectories(file.getParent());
        try (BytePointer pixels = new BytePointer(part.images()[i]);
             Mat img = new Mat(SIDE, SIDE, CV_8UC1, pixels);
             Mat scaled = new Mat();
             BytePointer jpeg = new BytePointer();
             IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, 95)) {
            if (size == SIDE) {
                img.copyTo(scaled);
            } else {
                try (Size s = new Size(size, size)) {
                    resize(img, scaled, s, 0, 0, INTER_LANCZOS4);
                }
            }
            if (!imencode(".jpg", scaled, jpeg, params)) {
                throw new IOException("JPEG encoding failed for " + rel);
            }
            byte[] bytes = new byte[(int) jpeg.limit()];
            jpeg.get(bytes);
            Files.write(file, bytes);
        }
        return imageId + " " + (c + 1) + " " + (c + 1) + " " + rel;
    }

    private static void writeList(Path file, List<String> lines) throws IOException {
        List<String> all = new ArrayList<>();
        all.add("image_id class_id super_class_id path");
        all.addAll(lines);
        AtomicFiles.writeLines(file, all);
    }

    static Part readPart(Path source, String name) {
        byte[] labels = readIdx(source, name + "-labels-idx1-ubyte", 0x801)[0];
        byte[][] images = readIdx(source, name + "-images-idx3-ubyte", 0x803);
        if (images.length != labels.length) {
            throw new DataException(source + ": " + name + " has " + images.length + " images but "
                    + labels.length + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] > 9) {
                throw new DataException(source + ": " + name + " label " + i + " is " + labels[i] + ", not 0..9");
            }
        }
        return new Part(name, images, labels);
    }

    /** Reads an IDX file (plain or .gz); labels come back as one row, images as one row each. */
    private static byte[][] readIdx(Path source, String base, int magic) {
        Path file = source.resolve(base + ".gz");
        boolean gz = Files.exists(file);
        if (!gz) {
            file = source.resolve(base);
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
             DataInputStream in = new DataInputStream(gz ? new GZIPInputStream(raw) : raw)) {
            int m = in.readInt();
            if (m != magic) {
                throw new DataException(file + ": not an IDX file of the expected kind (magic 0x"
                        + Integer.toHexString(m) + ", expected 0x" + Integer.toHexString(magic) + ")");
            }
            int n = in.readInt();
            if (magic == 0x801) {
                byte[] labels = new byte[n];
                in.readFully(labels);
                return new byte[][] {labels};
            }
            int rows = in.readInt();
            int cols = in.readInt();
            if (rows != SIDE || cols != SIDE) {
                throw new DataException(file + ": images are " + rows + "x" + cols + ", expected 28x28");
            }
            byte[][] images = new byte[n][SIDE * SIDE];
            for (byte[] img : images) {
                in.readFully(img);
            }
            return images;
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": not found (install Debian's dataset-fashion-mnist,"
                    + " or pass --source DIR)");
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e, e);
        }
    }
}
