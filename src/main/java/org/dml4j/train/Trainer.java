package org.dml4j.train;

import java.io.PrintWriter;
import org.dml4j.data.Batch;
import org.dml4j.data.BatchLoader;

/** The one trainer behind train-elem and train-pair. */
public final class Trainer {
    private Trainer() {
    }

    /**
     * Checks the data and decodes the first training batch; the network part is not built yet.
     *
     * @throws UnsupportedOperationException always, after the data checks pass
     */
    public static void train(TrainConfig config, PrintWriter out) {
        TrainingData data = TrainingData.open(config, out);
        long start = System.nanoTime();
        try (BatchLoader loader = data.trainBatches(0)) {
            Batch first = loader.next();
            out.printf("data ok: %d training images, first batch of %d decoded in %.2f sec%n",
                    data.train().size(), first.size(), (System.nanoTime() - start) / 1e9);
            out.flush();
        }
        throw new UnsupportedOperationException("the network trainer is not built yet in this version;"
                + " the data path was checked");
    }
}
