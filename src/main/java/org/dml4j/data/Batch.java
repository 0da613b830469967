package org.dml4j.data;

/**
 * One decoded batch.
 *
 * @param iteration which batch of the stream this is
 * @param indices   image indices into the list, in batch order
 * @param labels    the images' labels, in batch order
 * @param images    {@code size × 3 × crop × crop} floats, CHW per image, images in batch order
 */
public record Batch(long iteration, int[] indices, int[] labels, float[] images) {

    /** Number of images. */
    public int size() {
        return indices.length;
    }
}
