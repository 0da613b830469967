package org.dml4j.data;

import static org.bytedeco.opencv.global.opencv_core.setNumThreads;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import org.dml4j.error.DataException;
import org.dml4j.error.UsageException;

/**
 * Decodes batches ahead of the consumer on {@code --num_workers} threads, one task per image, with
 * a bounded number of batches in flight. Batches come out in stream order and their content does
 * not depend on the number of threads: each image's augmentation draws come from its own seeded
 * generator. A failure in a worker reaches {@link #next()} as a {@link DataException} naming the
 * image; the loader then stops its threads, so nothing hangs.
 */
public final class BatchLoader implements AutoCloseable {
    static {
        // Parallelism comes from the loader's workers; OpenCV's own pool would oversubscribe the cores.
        setNumThreads(1);
    }

    /** Images per batch index span used to key per-image random streams. */
    private static final long IMAGES_PER_ITERATION_KEY = 1L << 20;

    private final ImageList list;
    private final ImageTransform transform;
    private final LongFunction<int[]> sampler;
    private final long first;
    private final long end;
    private final long seed;
    private final int depth;
    private final ExecutorService pool;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private long nextToSubmit;
    private boolean closed;

    private record Pending(long iteration, int[] indices, float[] images, List<Future<?>> parts) {
    }

    /**
     * @param list      the images
     * @param transform train or test preprocessing
     * @param sampler   the indices of batch t
     * @param first     first batch to produce (a resumed run starts past 0)
     * @param end       one past the last batch
     * @param workers   decoding threads, at least 1
     * @param seed      {@code --seed}, keys the per-image augmentation draws
     */
    public BatchLoader(ImageList list, ImageTransform transform, LongFunction<int[]> sampler,
                       long first, long end, int workers, long seed) {
        if (workers < 1) {
            throw new UsageException("--num_workers must be >= 1, got " + workers);
        }
        this.list = list;
        this.transform = transform;
        this.sampler = sampler;
        this.first = first;
        this.nextToSubmit = first;
        this.end = end;
        this.seed = seed;
        int firstSize = first < end ? Math.max(1, sampler.apply(first).length) : 1;
        this.depth = Math.max(2, (4 * workers + firstSize - 1) / firstSize);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "dml4j-decode-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The whole list in file order, batches of {@code batchSize}, the last one partial (test mode). */
    public static BatchLoader inOrder(ImageList list, ImageTransform transform, int batchSize, int workers) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        int n = list.size();
        long batches = (n + (long) batchSize - 1) / batchSize;
        LongFunction<int[]> slice = t -> {
            int from = (int) (t * batchSize);
            int to = Math.min(n, from + batchSize);
            int[] idx = new int[to - from];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = from + i;
            }
            return idx;
        };
        return new BatchLoader(list, transform, slice, 0, batches, workers, 0);
    }

    /** Number of batches this loader produces in all. */
    public long batches() {
        return end - first;
    }

    /** Whether another batch remains. */
    public boolean hasNext() {
        return !closed && (!pending.isEmpty() || nextToSubmit < end);
    }

    /**
     * The next batch in stream order, waiting for its images.
     *
     * @throws DataException naming the image that failed; the loader is closed afterwards
     */
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no batch left");
        }
        fill();
        Pending p = pending.poll();
        for (int k = 0; k < p.parts().size(); k++) {
            await(p.parts().get(k), p.indices()[k]);
        }
        fill();
        int[] labels = new int[p.indices().length];
        for (int k = 0; k < labels.length; k++) {
            labels[k] = list.label(p.indices()[k]);
        }
        return new Batch(p.iteration(), p.indices(), labels, p.images());
    }

    private void await(Future<?> part, int index) {
        try {
            part.get();
        } catch (ExecutionException e) {
            close();
            Throwable cause = e.getCause();
            if (cause instanceof DataException de) {
                throw de;
            }
            throw new DataException(list.describe(index) + ": failed to load: " + cause, cause);
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new DataException("interrupted while loading " + list.imagePath(index), e);
        } catch (CancellationException e) {
            throw new DataException("loader closed while loading " + list.imagePath(index), e);
        }
    }

    private void fill() {
        while (!closed && pending.size() < depth && nextToSubmit < end) {
            long t = nextToSubmit++;
            int[] indices = sampler.apply(t);
            int volume = transform.volume();
            float[] images = new float[indices.length * volume];
            List<Future<?>> parts = new ArrayList<>(indices.length);
            for (int k = 0; k < indices.length; k++) {
                int index = indices[k];
                int offset = k * volume;
                long key = t * IMAGES_PER_ITERATION_KEY + k;
                parts.add(pool.submit(() -> transform.apply(list.imagePath(index),
                        Seeds.rng(seed, Seeds.AUGMENT, key), images, offset)));
            }
            pending.add(new Pending(t, indices, images, parts));
        }
    }

    /** Stops the decoding threads and drops batches in flight. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Pending p : pending) {
            p.parts().forEach(f -> f.cancel(true));
        }
        pending.clear();
        pool.shutdownNow();
    }
}
