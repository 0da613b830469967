package org.dml4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dml4j.data.BatchSampler.StreamKind;
import org.dml4j.error.DataException;
import org.dml4j.error.UsageException;
import org.junit.jupiter.api.Test;

class SamplerTest {

    /** An in-memory list: class c (label c) has counts[c] images. */
    private static ImageList list(int... counts) {
        List<Sample> samples = new ArrayList<>();
        for (int c = 0; c < counts.length; c++) {
            for (int k = 0; k < counts[c]; k++) {
                samples.add(new Sample("c" + c + "/" + k + ".jpg", c, samples.size() + 2));
            }
        }
        return new ImageList(Path.of("Ebay_train.txt"), Path.of("."), Split.TRAIN, samples);
    }

    @Test
    void classBlocksAreDistinctClassesOfSameClassImages() {
        ImageList l = list(5, 3, 4, 2, 6, 3, 1, 4);
        int s = 3;
        BatchSampler sampler = BatchSampler.training(StreamKind.CLASS_BLOCKS, l, 12, s, false, 42);
        for (long t = 0; t < 300; t++) {
            int[] b = sampler.batch(t);
            assertEquals(12, b.length);
            Set<Integer> classes = new HashSet<>();
            for (int block = 0; block < 4; block++) {
                int label = l.label(b[block * s]);
                assertTrue(classes.add(label), "class repeated in batch " + t);
                Set<Integer> images = new HashSet<>();
                for (int k = 0; k < s; k++) {
                    assertEquals(label, l.label(b[block * s + k]), "block not one class in batch " + t);
                    images.add(b[block * s + k]);
                }
                if (label != 3 && label != 6) { // classes with fewer than S images repeat by design
                    assertEquals(s, images.size(), "images repeated in a block");
                }
            }
        }
    }

    @Test
    void classBlocksCoverEveryClassAndAreDeterministicBySeed() {
        ImageList l = list(4, 4, 4, 4, 4, 4);
        BatchSampler a = BatchSampler.training(StreamKind.CLASS_BLOCKS, l, 4, 2, false, 1);
        BatchSampler again = BatchSampler.training(StreamKind.CLASS_BLOCKS, l, 4, 2, false, 1);
        BatchSampler other = BatchSampler.training(StreamKind.CLASS_BLOCKS, l, 4, 2, false, 2);
        int[] seen = new int[6];
        boolean differs = false;
        for (long t = 0; t < 600; t++) {
            assertArrayEquals(a.batch(t), again.batch(t));
            differs |= !Arrays.equals(a.batch(t), other.batch(t));
            seen[l.label(a.batch(t)[0])]++;
        }
        assertTrue(differs, "another seed gives other batches");
        for (int c = 0; c < 6; c++) {
            assertTrue(seen[c] > 60 && seen[c] < 140, "class " + c + " drawn first " + seen[c] + " times of 600");
        }
    }

    @Test
    void classBlocksRejectBatchesThatCannotBeFilled() {
        ImageList l = list(3, 3, 3);
        UsageException e = assertThrows(UsageException.class,
                () -> BatchSampler.training(StreamKind.CLASS_BLOCKS, l, 7, 2, false, 0));
        assertTrue(e.getMessage().contains("--train_batch_size (7) must be a positive multiple of --samples_each_class (2)"));
        DataException d = assertThrows(DataException.class,
                () -> BatchSampler.training(StreamKind.CLASS_BLOCKS, l, 8, 2, false, 0));
        assertTrue(d.getMessage().contains("needs 4 distinct classes, the list has 3"), d.getMessage());
        assertTrue(d.getMessage().endsWith("lower --train_batch_size to at most 6 or raise --samples_each_class"
                + " to 4 (it must divide the batch size)"), "a suggestion that works: " + d.getMessage());
        DataException npairs = assertThrows(DataException.class,
                () -> BatchSampler.training(StreamKind.CLASS_BLOCKS, l, 8, 2, true, 0));
        assertTrue(npairs.getMessage().endsWith("lower --train_batch_size to at most 6"),
                "npairs fixes --samples_each_class: " + npairs.getMessage());
        DataException one = assertThrows(DataException.class,
                () -> BatchSampler.training(StreamKind.CLASS_BLOCKS, list(5), 4, 2, false, 0));
        assertTrue(one.getMessage().endsWith("the list has 1 class, they need at least 2"), one.getMessage());
    }

    @Test
    void elementStreamIsOneShuffleCycledInOrder() {
        ImageList l = list(3, 4);
        BatchSampler s = BatchSampler.training(StreamKind.ELEMENT, l, 3, 0, false, 9);
        int[] stream = new int[21];
        for (int t = 0; t < 7; t++) {
            System.arraycopy(s.batch(t), 0, stream, 3 * t, 3);
        }
        int[] epoch = Arrays.copyOf(stream, 7);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, Arrays.stream(epoch).sorted().toArray());
        assertArrayEquals(epoch, Arrays.copyOfRange(stream, 7, 14), "second epoch repeats the order");
        assertArrayEquals(epoch, Arrays.copyOfRange(stream, 14, 21));
        assertFalse(Arrays.equals(epoch, new int[] {0, 1, 2, 3, 4, 5, 6}), "shuffled");
        assertNotEquals(Arrays.toString(s.batch(0)),
                Arrays.toString(BatchSampler.training(StreamKind.ELEMENT, l, 3, 0, false, 10).batch(0)));
    }

    @Test
    void tripletsAreAnchorPositiveNegative() {
        ImageList l = list(2, 1, 5, 3);
        BatchSampler s = BatchSampler.training(StreamKind.TRIPLET, l, 9, 0, false, 3);
        for (long t = 0; t < 500; t++) {
            int[] b = s.batch(t);
            for (int k = 0; k < 9; k += 3) {
                assertEquals(l.label(b[k]), l.label(b[k + 1]), "anchor and positive share a class");
                assertNotEquals(b[k], b[k + 1], "anchor and positive are different images");
                assertNotEquals(l.label(b[k]), l.label(b[k + 2]), "negative is another class");
                assertNotEquals(1, l.label(b[k]), "a one-image class cannot be an anchor class");
            }
        }
        assertThrows(UsageException.class, () -> BatchSampler.training(StreamKind.TRIPLET, l, 10, 0, false, 0));
        assertThrows(DataException.class, () -> BatchSampler.training(StreamKind.TRIPLET, list(4), 3, 0, false, 0));
    }
}
