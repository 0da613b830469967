package org.dml4j.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Data-parallel training step (docs/ORIGINAL.md §5.8, §6.1): the global batch is split into equal consecutive
 * shares, one per replica of the network; each replica computes its forward pass (its own
 * BatchNorm statistics, its own loss shards) and gradient on its share in its own thread; the
 * gradients are summed, and one optimiser step on the first replica (the master) divides by the
 * global batch, so the update is the mean over shares as the original's all-reduce makes it.
 * BatchNorm running statistics, which each replica moves in its forward pass, are averaged.
 *
 * <p>Written here rather than with DL4J's ParallelWrapper, which averages parameters (not
 * gradients) every few iterations and, in gradient-sharing mode, hung for good when a worker threw
 * (seen in our trials of DL4J M2.1). Replica {@code i} runs in thread {@code i}; on the CUDA
 * build that thread is attached to device {@code i}.
 */
public final class DataParallel implements AutoCloseable {
    private final ComputationGraph master;
    private final List<ComputationGraph> replicas = new ArrayList<>();
    private final List<ForwardCapture> captures = new ArrayList<>();
    private final List<String> runningStats;
    private final ExecutorService pool;

    /**
     * @param master  the network trained; replicas are copies of it
     * @param devices number of replicas (including the master)
     * @param capture the forward-pass capture to attach to each replica
     */
    public DataParallel(ComputationGraph master, int devices, Function<ComputationGraph, ForwardCapture> capture) {
        this.master = master;
        for (int i = 0; i < devices; i++) {
            // built afresh, not with clone(), which shares the listener list with the original
            ComputationGraph r = i == 0 ? master : replica(master);
            ForwardCapture c = capture.apply(r);
            r.setListeners(c);
            replicas.add(r);
            captures.add(c);
        }
        runningStats = master.paramTable().keySet().stream()
                .filter(k -> k.endsWith("_mean") || k.endsWith("_var")).toList();
        AtomicInteger next = new AtomicInteger();
        boolean gpu = Nd4j.getAffinityManager().getNumberOfDevices() > 1;
        pool = Executors.newFixedThreadPool(devices, task -> {
            int device = next.getAndIncrement();
            Thread t = new Thread(() -> {
                if (gpu) {
                    Nd4j.getAffinityManager().unsafeSetDevice(device);
                }
                task.run();
            }, "dml4j-device-" + device);
            t.setDaemon(true);
            return t;
        });
    }

    private static ComputationGraph replica(ComputationGraph master) {
        ComputationGraph r = new ComputationGraph(master.getConfiguration().clone());
        r.init(master.params().dup(), false);
        return r;
    }

    /** One replica's outcome: the capture's result and the replica's score. */
    public record Share(double[] capture, double score, int size) {
    }

    /**
     * One training step on the global batch {@code x, y} (labels {@code labels} for the captures).
     *
     * @return each replica's share, in replica order
     * @throws IllegalArgumentException when the batch does not split into equal shares
     */
    public List<Share> step(INDArray x, INDArray y, int[] labels) {
        int devices = replicas.size();
        int rows = (int) x.size(0);
        if (rows % devices != 0) {
            throw new IllegalArgumentException("a batch of " + rows + " does not split into " + devices
                    + " equal shares (--train_batch_size must be a multiple of --num_devices)");
        }
        int share = rows / devices;
        INDArray params = master.params();
        for (int i = 1; i < devices; i++) {
            replicas.get(i).params().assign(params);
        }
        List<Future<Share>> futures = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            int d = i;
            futures.add(pool.submit(() -> {
                ComputationGraph r = replicas.get(d);
                int from = d * share;
                r.setInputs(rowsOf(x, from, share));
                r.setLabels(rowsOf(y, from, share));
                int[] l = Arrays.copyOfRange(labels, from, from + share);
                captures.get(d).expect(l);
                r.computeGradientAndScore();
                return new Share(captures.get(d).result(), r.score(), share);
            }));
        }
        List<Share> shares = new ArrayList<>();
        for (Future<Share> f : futures) {
            shares.add(await(f));
        }
        INDArray gradient = master.getFlattenedGradients();
        for (int i = 1; i < devices; i++) {
            gradient.addi(replicas.get(i).getFlattenedGradients());
        }
        for (String key : runningStats) {
            INDArray m = master.getParam(key);
            for (int i = 1; i < devices; i++) {
                m.addi(replicas.get(i).getParam(key));
            }
            m.divi(devices);
        }
        var conf = master.getConfiguration();
        master.getUpdater().update(master.gradient(), conf.getIterationCount(), conf.getEpochCount(), rows,
                LayerWorkspaceMgr.noWorkspaces());
        params.subi(gradient.reshape(params.shape()));
        conf.setIterationCount(conf.getIterationCount() + 1);
        return shares;
    }

    private static INDArray rowsOf(INDArray a, int from, int n) {
        INDArrayIndex[] index = new INDArrayIndex[a.rank()];
        index[0] = NDArrayIndex.interval(from, from + n);
        for (int i = 1; i < index.length; i++) {
            index[i] = NDArrayIndex.all();
        }
        return a.get(index).dup();
    }

    private static Share await(Future<Share> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a device", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
