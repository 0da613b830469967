package org.dml4j.bench;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dml4j.data.ImageShape;
import org.dml4j.loss.ArcMarginLayer;
import org.dml4j.loss.EmlLoss;
import org.dml4j.loss.Heads;
import org.dml4j.loss.LossName;
import org.dml4j.model.Architecture;
import org.dml4j.model.Backbone;
import org.dml4j.inference.EmbeddingModel;
import org.dml4j.model.EmbeddingNetwork;
import org.dml4j.model.cpu.Helpers;
import org.dml4j.train.DataParallel;
import org.dml4j.train.ForwardCapture;
import org.dml4j.train.Momentum;
import org.dml4j.train.SameDiffQuiet;
import org.dml4j.train.Trainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Model throughput on synthetic input, for {@code bench train|infer} and scripts/bench_vs_torch.sh:
 * a backbone with an ArcFace head (s = 80, m = 0.15; by default over 1000 classes) or the eml loss
 * (blocks of 8 images per class) trained with momentum SGD, or the backbone alone in inference mode;
 * warm-up steps, then the median of measured steps, in images/s, with the process's peak resident memory.
 * Optionally a profile (forward, and backward in training) summed per layer kind, to see where the time goes.
 */
public final class ModelBenchmark {
    private ModelBenchmark() {
    }

    /** What one run measures. */
    public record Setup(Backbone backbone, int size, int batch, int warmup, int steps, boolean helpers, int devices,
                        boolean profile) {
    }

    /**
     * The training loss of {@link #train}: {@code arcmargin} over {@code classes} classes, or {@code eml} on
     * blocks of {@link #EML_SAMPLES_EACH_CLASS} images per class (labels cycle through {@code classes}).
     */
    public record Loss(LossName name, int classes) {
    }

    /** Images per class in an eml batch (the recipe of docs/RESULTS.md's stage 2). */
    public static final int EML_SAMPLES_EACH_CLASS = 8;

    /** Training steps (forward, backward, update); with {@code devices} > 1 through {@link DataParallel}. */
    public static void train(Setup s, Loss loss, PrintWriter out) {
        boolean eml = loss.name() == LossName.EML;
        org.deeplearning4j.nn.conf.layers.Layer head = eml
                ? new EmlLoss(s.batch(), 1, EML_SAMPLES_EACH_CLASS)
                : new ArcMarginLayer(loss.classes(), 80, 0.15, false);
        ComputationGraph net = Helpers.building(s.helpers(), () -> EmbeddingNetwork.build(architecture(s),
                head, new Momentum(0.01, null, 0.9), Trainer.L2, 0, DataType.FLOAT));
        INDArray x = input(s);
        int[] labels = new int[s.batch()];
        Arrays.setAll(labels, i -> (eml ? i / EML_SAMPLES_EACH_CLASS : i) % loss.classes());
        INDArray y = Heads.labels(loss.name(), labels, loss.classes(), DataType.FLOAT);
        MultiDataSet step = new MultiDataSet(new INDArray[] {x}, new INDArray[] {y});
        DataParallel parallel = s.devices() > 1 ? new DataParallel(net, s.devices(),
                n -> new ForwardCapture(s.backbone().pooledVertex(), (f, l) -> new double[] {0})) : null;
        Runnable run = parallel == null ? () -> net.fit(step) : () -> parallel.step(x, y, labels);
        double median = time(run, s);
        out.printf(Locale.ROOT, "train %s 3x%dx%d batch %d, %s, helpers %s, devices %d: median step %.3f s,"
                        + " %.2f images/s, peak RSS %s%n",
                s.backbone(), s.size(), s.size(), s.batch(), eml ? "eml" : "arcmargin over " + loss.classes() + " classes",
                s.helpers() ? "on" : "off", s.devices(), median,
                s.batch() / median, KnnBenchmark.peakRss());
        out.printf(Locale.ROOT, "  layer helpers: %s%n", Helpers.summary(net));
        if (s.profile()) {
            double layers = profile(net, x, y, s, out);
            outsideLayers(net, s, median, layers, out);
        }
        if (parallel != null) {
            parallel.close();
        }
        out.flush();
    }

    /**
     * Inference: the pooled features of a batch, as eval and infer compute them.
     *
     * @param engine what runs the network ({@link EmbeddingModel.Engine})
     * @param folded for the DL4J engine: through the inference network eval and infer run (BatchNorms
     *               folded), or through the trained network itself
     */
    public static void infer(Setup s, EmbeddingModel.Engine engine, boolean folded, PrintWriter out) {
        ComputationGraph trained = Helpers.building(s.helpers(), () -> EmbeddingNetwork.forInference(architecture(s), 0));
        INDArray x = input(s);
        Runnable step;
        ComputationGraph net = trained;
        EmbeddingModel model = null;
        if (engine == EmbeddingModel.Engine.DL4J && !folded) {
            step = () -> trained.output(false, x);
        } else {
            model = Helpers.building(s.helpers(), () -> EmbeddingModel.of(trained, architecture(s),
                    s.backbone().pooledVertex(), engine));
            trained.close();   // as infer, which keeps only the inference network
            EmbeddingModel m = model;
            step = () -> m.embed(x);
            net = engine == EmbeddingModel.Engine.DL4J ? model.network() : null;
        }
        double median = time(step, s);
        out.printf(Locale.ROOT, "infer %s 3x%dx%d batch %d, %s: median step %.3f s, %.2f images/s, peak RSS %s%n",
                s.backbone(), s.size(), s.size(), s.batch(), engine == EmbeddingModel.Engine.ONNXRUNTIME
                        ? "ONNX Runtime" : "DL4J, helpers " + (s.helpers() ? "on" : "off")
                        + (folded ? ", BatchNorm folded" : ", trained graph"),
                median, s.batch() / median, KnnBenchmark.peakRss());
        if (model != null) {
            model.close();
        }
        if (s.profile() && net != null) {
            profile(net, x, null, s, out);
        }
        out.flush();
    }

    /** The backbone at the setup's size. */
    private static Architecture architecture(Setup s) {
        return new Architecture(s.backbone(), new ImageShape(3, s.size(), s.size()), 0);
    }

    private static INDArray input(Setup s) {
        return Nd4j.rand(DataType.FLOAT, s.batch(), 3, s.size(), s.size());
    }

    private static double time(Runnable step, Setup s) {
        double[] seconds = new double[s.steps()];
        for (int i = 0; i < s.warmup() + s.steps(); i++) {
            long start = System.nanoTime();
            if (i == 0) {
                SameDiffQuiet.run(step);
            } else {
                step.run();
            }
            if (i >= s.warmup()) {
                seconds[i - s.warmup()] = (System.nanoTime() - start) / 1e9;
            }
        }
        Arrays.sort(seconds);
        return seconds[s.steps() / 2];
    }

    /**
     * Runs the forward pass vertex by vertex and, in training mode (labels given), the head's forward
     * pass on them and the backward pass from the head's gradient, and prints the median time per layer
     * kind and direction: where a step spends its time. All arrays of a pass live in one workspace, reset
     * between passes, as in a training step. Inference leaves the head out.
     *
     * @return the summed median layer time, in seconds
     */
    private static double profile(ComputationGraph net, INDArray x, INDArray labels, Setup s, PrintWriter out) {
        boolean training = labels != null;
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.builder().defaultWorkspace("PROFILE", WorkspaceConfiguration.builder()
                .initialSize(0).overallocationLimit(0.1).policyLearning(LearningPolicy.FIRST_LOOP)
                .policyReset(ResetPolicy.BLOCK_LEFT).policySpill(SpillPolicy.REALLOCATE)
                .policyAllocation(AllocationPolicy.OVERALLOCATE).build()).build();
        Map<String, double[]> perKind = new TreeMap<>();
        int reps = Math.max(3, s.steps());
        for (int rep = 0; rep < reps; rep++) {
            try (MemoryWorkspace ignored = mgr.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
                profilePass(net, x, labels, mgr, perKind, rep, reps);
            }
        }
        double total = perKind.values().stream().mapToDouble(ModelBenchmark::median).sum();
        out.printf(Locale.ROOT, "  profile (%s mode, median of %d, per layer kind): total %.3f s%n",
                training ? "training" : "inference", reps, total);
        perKind.entrySet().stream().sorted((a, b) -> Double.compare(median(b.getValue()), median(a.getValue())))
                .forEach(e -> out.printf(Locale.ROOT, "    %-44s %8.4f s  %5.1f %%%n", e.getKey(), median(e.getValue()),
                        100 * median(e.getValue()) / total));
        return total;
    }

    /**
     * The time of a training step outside its layers: the L2 score DL4J adds to every step's score (nothing to
     * compute with dml4j's L2WeightDecay; DL4J's own L2 in networks of older checkpoints), the updater
     * (the L2 term of the gradient, division by the batch size, momentum) and the parameter update, each timed
     * alone on the network's last gradient; the rest of {@code fit} beyond those and the layers is DL4J's graph
     * and workspace bookkeeping.
     */
    private static void outsideLayers(ComputationGraph net, Setup s, double step, double layers, PrintWriter out) {
        double l2 = time(() -> net.calcRegularizationScore(true), s);
        Gradient g = net.gradient();
        LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
        double update = time(() -> net.getUpdater().update(g, 1, 0, s.batch(), none), s);
        double apply = time(() -> net.params().subi(g.gradient()), s);
        out.printf(Locale.ROOT, "  outside the layers (median of %d): step %.4f s = layers and head %.4f s + L2 score %.4f s"
                        + " + updater (L2 gradient, momentum) %.4f s + parameter update %.4f s + the rest (graph and"
                        + " workspace bookkeeping) %.4f s%n",
                s.steps(), step, layers, l2, update, apply, step - layers - l2 - update - apply);
    }

    private static void profilePass(ComputationGraph net, INDArray x, INDArray labels, LayerWorkspaceMgr mgr,
                                    Map<String, double[]> perKind, int rep, int reps) {
        boolean training = labels != null;
        GraphVertex[] vertices = net.getVertices();
        int[] order = net.topologicalSortOrder();
        INDArray[] outputs = new INDArray[vertices.length];
        for (int idx : order) {
            GraphVertex v = vertices[idx];
            if (v.isInputVertex()) {
                outputs[idx] = x;
                continue;
            }
            boolean head = v.getVertexName().equals(EmbeddingNetwork.HEAD);
            if (head && !training) {
                continue;
            }
            VertexIndices[] in = v.getInputVertices();
            for (int i = 0; i < in.length; i++) {
                v.setInput(i, outputs[in[i].getVertexIndex()], mgr);
            }
            if (head) {
                ((IOutputLayer) v.getLayer()).setLabels(labels);
            }
            long start = System.nanoTime();
            outputs[idx] = v.doForward(training, mgr);
            add(perKind, kind(v) + " forward", rep, reps, start);
        }
        if (!training) {
            return;
        }
        INDArray[] epsilons = new INDArray[vertices.length];
        for (int k = order.length - 1; k >= 0; k--) {
            GraphVertex v = vertices[order[k]];
            if (v.isInputVertex()) {
                continue;
            }
            if (!v.getVertexName().equals(EmbeddingNetwork.HEAD)) {
                v.setEpsilon(epsilons[order[k]]);
            }
            long start = System.nanoTime();
            INDArray[] back = v.doBackward(false, mgr).getSecond();
            add(perKind, kind(v) + " backward", rep, reps, start);
            VertexIndices[] in = v.getInputVertices();
            for (int i = 0; i < in.length; i++) {
                int j = in[i].getVertexIndex();
                epsilons[j] = epsilons[j] == null ? back[i] : epsilons[j].add(back[i]);
            }
        }
    }

    /** The layer's configuration class, with kernel and stride for convolutions ("GemmConvolution 1x1/1"). */
    private static String kind(GraphVertex v) {
        if (!v.hasLayer()) {
            return v.getClass().getSimpleName();
        }
        if (v.getVertexName().equals(EmbeddingNetwork.HEAD)) {
            return "head (" + v.getLayer().conf().getLayer().getClass().getSimpleName() + ")";
        }
        Layer conf = v.getLayer().conf().getLayer();
        String name = conf.getClass().getSimpleName();
        if (conf instanceof ConvolutionLayer c) {
            name += " " + c.getKernelSize()[0] + "x" + c.getKernelSize()[1] + "/" + c.getStride()[0];
        }
        return name;
    }

    private static void add(Map<String, double[]> perKind, String key, int rep, int reps, long start) {
        perKind.computeIfAbsent(key, k -> new double[reps])[rep] += (System.nanoTime() - start) / 1e9;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
