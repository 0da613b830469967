package org.dml4j.data;

import org.dml4j.error.UsageException;

/**
 * Network input shape from {@code --image_shape} ("C,H,W"). The original requires a square
 * 3-channel input; the crop size is W.
 */
public record ImageShape(int channels, int height, int width) {

    public ImageShape {
        if (channels != 3) {
            throw new UsageException("--image_shape: channels must be 3 (RGB), got " + channels);
        }
        if (height != width) {
            throw new UsageException("--image_shape: height must equal width, got " + height + "," + width);
        }
        if (width < 1) {
            throw new UsageException("--image_shape: size must be positive, got " + width);
        }
    }

    /** Parses "C,H,W", e.g. "3,224,224"; the error names the flag and the value. */
    public static ImageShape parse(String text) {
        String[] parts = text.split(",", -1);
        if (parts.length != 3) {
            throw new UsageException("--image_shape: expected C,H,W such as 3,224,224, got " + VisibleText.quote(text));
        }
        int[] v = new int[3];
        for (int i = 0; i < 3; i++) {
            try {
                v[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UsageException("--image_shape: expected C,H,W such as 3,224,224, got " + VisibleText.quote(text));
            }
        }
        return new ImageShape(v[0], v[1], v[2]);
    }

    /** Side of the square crop fed to the network. */
    public int cropSize() {
        return width;
    }

    /** Floats per image (C·H·W). */
    public int volume() {
        return channels * height * width;
    }

    @Override
    public String toString() {
        return channels + "," + height + "," + width;
    }
}
