package org.dml4j.data;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LANCZOS4;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;
import org.dml4j.error.DataException;

/**
 * Decodes an image with OpenCV and turns it into the network's input, exactly as the original
 * (docs/ORIGINAL.md §3.5):
 * <ul>
 * <li>decode to 8-bit 3-channel BGR ({@code IMREAD_COLOR}: grey, alpha, palette, 16-bit and CMYK
 * inputs all become BGR);</li>
 * <li>train: {@link CropGeometry#inceptionCrop random-resized crop}, Lanczos-4 resize to the crop
 * size, horizontal flip with probability ½;</li>
 * <li>test: {@link CropGeometry#resizeShort short side to the crop size} (Lanczos-4), centre
 * crop;</li>
 * <li>then BGR → RGB, HWC → CHW, {@code x/255} in float32, minus mean (0.485, 0.456, 0.406),
 * divided by std (0.229, 0.224, 0.225), the last two in double rounded to float32 as numpy
 * does with its float64 constants.</li>
 * </ul>
 * Thread-safe: it holds only constants.
 */
public final class ImageTransform {
    private static final double[] MEAN = {0.485, 0.456, 0.406};
    private static final double[] STD = {0.229, 0.224, 0.225};

    /** The normalisation mean of an RGB channel (0 = R), on the 0–1 scale. */
    public static double mean(int channel) {
        return MEAN[channel];
    }

    /** The normalisation standard deviation of an RGB channel (0 = R), on the 0–1 scale. */
    public static double std(int channel) {
        return STD[channel];
    }

    /** lut[c][v]: the normalised value of byte v in RGB channel c. */
    private static final float[][] LUT = new float[3][256];

    static {
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                float scaled = v / 255f;
                float centred = (float) (scaled - MEAN[c]);
                LUT[c][v] = (float) (centred / STD[c]);
            }
        }
    }

    private final int cropSize;
    private final boolean train;

    /**
     * @param cropSize side of the square output (W of {@code --image_shape})
     * @param train    training augmentation (true) or test preprocessing (false)
     */
    public ImageTransform(int cropSize, boolean train) {
        this.cropSize = cropSize;
        this.train = train;
    }

    /** Floats written per image. */
    public int volume() {
        return 3 * cropSize * cropSize;
    }

    /**
     * Decodes {@code file} and writes its CHW floats to {@code dst[offset …]}.
     *
     * @param rng the image's own generator (train mode); ignored in test mode
     * @throws DataException naming the file if it cannot be read or decoded
     */
    public void apply(Path file, SplittableRandom rng, float[] dst, int offset) {
        try (Mat bgr = decode(file)) {
            apply(bgr, rng, dst, offset);
        }
    }

    /**
     * Writes the CHW floats of a decoded 8-bit BGR image to {@code dst[offset …]}.
     *
     * @param rng the image's own generator (train mode); ignored in test mode
     */
    public void apply(Mat bgr, SplittableRandom rng, float[] dst, int offset) {
        if (train) {
            CropGeometry.Box box = CropGeometry.inceptionCrop(bgr.rows(), bgr.cols(), rng);
            boolean flip = rng.nextInt(2) == 1;
            applyTrain(bgr, box, flip, dst, offset);
        } else {
            applyTest(bgr, dst, offset);
        }
    }

    /** Training preprocessing for given draws: cut {@code box}, resize to the crop size, flip. */
    void applyTrain(Mat bgr, CropGeometry.Box box, boolean flip, float[] dst, int offset) {
        try (Rect rect = new Rect(box.x(), box.y(), box.width(), box.height());
             Mat roi = new Mat(bgr, rect);
             Mat resized = resized(roi, cropSize, cropSize)) {
            writeChw(resized, new CropGeometry.Box(0, 0, cropSize, cropSize), flip, dst, offset);
        }
    }

    /** Test preprocessing: short side to the crop size, centre crop. */
    void applyTest(Mat bgr, float[] dst, int offset) {
        CropGeometry.Size s = CropGeometry.resizeShort(bgr.rows(), bgr.cols(), cropSize);
        try (Mat resized = resized(bgr, s.width(), s.height())) {
            writeChw(resized, CropGeometry.centreCrop(s.height(), s.width(), cropSize), false, dst, offset);
        }
    }

    /** Lanczos-4 resize; an image already of the target size is copied unchanged, as OpenCV does. */
    private static Mat resized(Mat src, int width, int height) {
        Mat out = new Mat();
        if (src.cols() == width && src.rows() == height) {
            src.copyTo(out);
        } else {
            try (Size size = new Size(width, height)) {
                resize(src, out, size, 0, 0, INTER_LANCZOS4);
            }
        }
        return out;
    }

    private void writeChw(Mat img, CropGeometry.Box crop, boolean flip, float[] dst, int offset) {
        int cols = img.cols();
        byte[] row = new byte[cols * 3];
        BytePointer data = img.data();
        long step = img.step();
        int plane = cropSize * cropSize;
        for (int y = 0; y < cropSize; y++) {
            data.position((crop.y() + y) * step).get(row, 0, row.length);
            for (int x = 0; x < cropSize; x++) {
                int sx = crop.x() + (flip ? cropSize - 1 - x : x);
                int p = offset + y * cropSize + x;
                dst[p] = LUT[0][row[sx * 3 + 2] & 0xff];
                dst[p + plane] = LUT[1][row[sx * 3 + 1] & 0xff];
                dst[p + 2 * plane] = LUT[2][row[sx * 3] & 0xff];
            }
        }
        data.position(0);
    }

    /**
     * Reads and decodes an image to 8-bit BGR.
     *
     * @throws DataException naming the file if it is unreadable, empty or not an image
     */
    public static Mat decode(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read image: " + e.getMessage(), e);
        }
        return decode(bytes, file.toString());
    }

    /**
     * Decodes an encoded image (JPEG, PNG, BMP, TIFF; WebP is refused, {@link ImageScan#WEBP_REFUSED}) held in
     * memory to 8-bit BGR, as
     * {@link #decode(Path)} does for a file.
     *
     * @param name names the image in messages
     * @throws DataException naming it when the bytes are empty or not a decodable image
     */
    public static Mat decode(byte[] bytes, String name) {
        if (bytes.length == 0) {
            throw new DataException(name + ": empty file (0 bytes)");
        }
        if (bytes.length >= 12 && bytes[0] == 'R' && bytes[1] == 'I' && bytes[2] == 'F' && bytes[3] == 'F'
                && bytes[8] == 'W' && bytes[9] == 'E' && bytes[10] == 'B' && bytes[11] == 'P') {
            throw new DataException(name + ": " + ImageScan.WEBP_REFUSED);     // never handed to libwebp
        }
        try (BytePointer p = new BytePointer(bytes);
             Mat buf = new Mat(1, bytes.length, CV_8UC1, p)) {
            Mat img = imdecode(buf, IMREAD_COLOR);
            if (img == null || img.empty()) {
                throw new DataException(name + ": not a decodable image (" + bytes.length + " bytes)");
            }
            return img;
        }
    }
}
