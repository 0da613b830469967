package org.dml4j.data;

import java.util.SplittableRandom;

/**
 * Where the original cuts and how large it resizes (docs/ORIGINAL.md §3.5), as plain arithmetic so it can be
 * checked by hand. Rectangles are {@code (x, y, width, height)} in source pixels.
 */
public final class CropGeometry {

    /** A rectangle in source pixels: left column, top row, width, height. */
    public record Box(int x, int y, int width, int height) {
    }

    /** A target size in pixels. */
    public record Size(int width, int height) {
    }

    private static final double SCALE_MIN = 0.08;
    private static final double SCALE_MAX = 1.0;
    private static final double RATIO_MIN = 3.0 / 4.0;
    private static final double RATIO_MAX = 4.0 / 3.0;

    private CropGeometry() {
    }

    /**
     * The original's random-resized ("Inception") crop: {@code a = √r}, r ~ U(3/4, 4/3); unit width
     * a, unit height 1/a; {@code bound = min((W/H)/a², (H/W)·a²)}; s ~ U(min(0.08, bound),
     * min(1, bound)); side {@code t = √(H·W·s)}; crop {@code ⌊t·a⌋ × ⌊t/a⌋}; top-left uniform over
     * the valid integer positions (inclusive). Draws, in order: r, s, row, column.
     * A crop side that rounds to 0 on a tiny image is raised to 1 (the original would crash).
     */
    public static Box inceptionCrop(int height, int width, SplittableRandom rng) {
        double r = uniform(rng, RATIO_MIN, RATIO_MAX);
        double s01 = rng.nextDouble();
        Size size = inceptionCropSize(height, width, r, s01);
        int y = rng.nextInt(height - size.height() + 1);
        int x = rng.nextInt(width - size.width() + 1);
        return new Box(x, y, size.width(), size.height());
    }

    /**
     * Crop size of {@link #inceptionCrop} for given draws.
     *
     * @param ratio the aspect draw r in [3/4, 4/3]
     * @param u     a uniform draw in [0, 1) that picks the area scale inside its range
     */
    public static Size inceptionCropSize(int height, int width, double ratio, double u) {
        double a = Math.sqrt(ratio);
        double w0 = a;
        double h0 = 1.0 / a;
        double bound = Math.min(((double) width / height) / (w0 * w0), ((double) height / width) / (h0 * h0));
        double lo = Math.min(SCALE_MIN, bound);
        double hi = Math.min(SCALE_MAX, bound);
        double scale = lo + (hi - lo) * u;
        double side = Math.sqrt(height * (double) width * scale);
        int w = clamp((int) (side * w0), 1, width);
        int h = clamp((int) (side * h0), 1, height);
        return new Size(w, h);
    }

    /**
     * Test-time resize: the short side becomes {@code target}; the other side is
     * {@code round(side · target / short)} with ties to even, as Python 3's {@code round}.
     */
    public static Size resizeShort(int height, int width, int target) {
        double factor = (double) target / Math.min(height, width);
        int w = (int) Math.rint(width * factor);
        int h = (int) Math.rint(height * factor);
        return new Size(Math.max(w, 1), Math.max(h, 1));
    }

    /** Centre crop of {@code size × size}, offsets rounded down. */
    public static Box centreCrop(int height, int width, int size) {
        return new Box((width - size) / 2, (height - size) / 2, Math.min(size, width), Math.min(size, height));
    }

    private static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
