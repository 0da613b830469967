package org.dml4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.dml4j.data.BatchSampler.StreamKind;
import org.dml4j.error.DataException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchLoaderTest {
    @TempDir
    Path dir;
    ImageList train;

    @BeforeEach
    void data() throws IOException {
        TestData.sopLike(dir, new int[] {3, 4, 2, 5}, new int[] {2, 3});
        train = ImageList.read(dir, Split.TRAIN);
    }

    private List<Batch> drain(BatchLoader loader) {
        List<Batch> out = new ArrayList<>();
        try (loader) {
            while (loader.hasNext()) {
                out.add(loader.next());
            }
        }
        return out;
    }

    private BatchLoader training(long first, long end, int workers) {
        BatchSampler s = BatchSampler.training(StreamKind.CLASS_BLOCKS, train, 4, 2, false, 5);
        return new BatchLoader(train, new ImageTransform(8, true), s::batch, first, end, workers, 5);
    }

    @Test
    void batchesDoNotDependOnWorkerCountAndComeInOrder() {
        List<Batch> one = drain(training(0, 6, 1));
        List<Batch> three = drain(training(0, 6, 3));
        assertEquals(6, one.size());
        for (int t = 0; t < 6; t++) {
            assertEquals(t, three.get(t).iteration());
            assertArrayEquals(one.get(t).indices(), three.get(t).indices());
            assertArrayEquals(one.get(t).images(), three.get(t).images());
            for (int k = 0; k < 4; k++) {
                assertEquals(train.label(one.get(t).indices()[k]), one.get(t).labels()[k]);
            }
        }
    }

    @Test
    void aResumedStreamSeesTheSameBatches() {
        List<Batch> full = drain(training(0, 5, 2));
        List<Batch> resumed = drain(training(3, 5, 2));
        assertEquals(2, resumed.size());
        assertArrayEquals(full.get(3).images(), resumed.get(0).images());
        assertArrayEquals(full.get(4).indices(), resumed.get(1).indices());
    }

    @Test
    void inOrderKeepsFileOrderAndThePartialLastBatch() {
        ImageList test = ImageList.read(dir, Split.TEST);
        List<Batch> batches = drain(BatchLoader.inOrder(test, new ImageTransform(8, false), 2, 2));
        assertEquals(3, batches.size());
        assertArrayEquals(new int[] {0, 1}, batches.get(0).indices());
        assertArrayEquals(new int[] {4}, batches.get(2).indices());
        assertArrayEquals(new int[] {102}, batches.get(2).labels());
        assertEquals(3 * 8 * 8, batches.get(2).images().length);
    }

    @Test
    void aWorkerFailureReachesTheCallerWithTheFileName() throws IOException {
        Path bad = train.imagePath(5);
        Files.writeString(bad, "truncated garbage");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            BatchLoader loader = BatchLoader.inOrder(train, new ImageTransform(8, false), 3, 2);
            loader.next();
            DataException e = assertThrows(DataException.class, loader::next);
            assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
            assertFalse(loader.hasNext(), "the loader stops after a failure");
            loader.close();
        });
    }
}
