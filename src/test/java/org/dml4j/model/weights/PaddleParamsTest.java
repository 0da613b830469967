package org.dml4j.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.ImageShape;
import org.dml4j.error.DataException;
import org.dml4j.model.Architecture;
import org.dml4j.model.EmbeddingNetwork;
import org.dml4j.model.ResNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The original's per-parameter files: written here byte by byte as Paddle's SerializeToStream
 * does, then loaded onto a ResNet18 with an embedding fc and a softmax head.
 */
public class PaddleParamsTest {
    @TempDir
    Path dir;

    static ComputationGraph net(int embedding, int classes) {
        return EmbeddingNetwork.build(new Architecture(ResNet.RESNET18, new ImageShape(3, 16, 16), embedding),
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes).activation(Activation.SOFTMAX)
                        .build(), new Sgd(0.1), 1e-4, 1, DataType.FLOAT);
    }

    /** One tensor file: version, LoD levels, tensor version, TensorDesc, data (FP32 or FP64). */
    public static byte[] tensorFile(long[] dims, double[] values, boolean fp64, long[][] lod, boolean packedDims) {
        ByteBuffer desc = ByteBuffer.allocate(256);
        desc.put((byte) 0x08).put((byte) (fp64 ? 6 : 5));
        if (packedDims) {
            ByteBuffer packed = ByteBuffer.allocate(128);
            for (long d : dims) {
                varint(packed, d);
            }
            desc.put((byte) 0x12);
            varint(desc, packed.position());
            desc.put(packed.array(), 0, packed.position());
        } else {
            for (long d : dims) {
                desc.put((byte) 0x10);
                varint(desc, d);
            }
        }
        int descSize = desc.position();
        int lodBytes = 0;
        for (long[] level : lod) {
            lodBytes += 8 + 8 * level.length;
        }
        ByteBuffer b = ByteBuffer.allocate(4 + 8 + lodBytes + 4 + 4 + descSize + values.length * (fp64 ? 8 : 4))
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0).putLong(lod.length);
        for (long[] level : lod) {
            b.putLong(8L * level.length);
            for (long v : level) {
                b.putLong(v);
            }
        }
        b.putInt(0).putInt(descSize).put(desc.array(), 0, descSize);
        for (double v : values) {
            if (fp64) {
                b.putDouble(v);
            } else {
                b.putFloat((float) v);
            }
        }
        return b.array();
    }

    private static void varint(ByteBuffer b, long v) {
        while ((v & ~0x7fL) != 0) {
            b.put((byte) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        b.put((byte) v);
    }

    /** Writes every parameter of {@code net} that has a name in the original as the original's files. */
    public static void export(ComputationGraph net, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
            String name = PaddleParams.originalName(net, e.getKey());
            if (name != null) {
                Files.write(dir.resolve(name), tensorFile(originalShape(e.getKey(), e.getValue()),
                        e.getValue().dup('c').data().asDouble(), false, new long[0][], false));
            }
        }
    }

    /** The original's shape of one of our parameters: BatchNorm vectors and biases are 1-d there. */
    private static long[] originalShape(String key, INDArray ours) {
        if (key.endsWith("_gamma") || key.endsWith("_beta") || key.endsWith("_mean") || key.endsWith("_var")
                || key.endsWith("_b")) {
            return new long[] {ours.length()};
        }
        return ours.shape();
    }

    @Test
    void everyFileLandsInItsParameterLayoutIncludedAndGapsAreReported() throws IOException {
        ComputationGraph net = net(8, 4);
        Map<String, double[]> written = new HashMap<>();
        Map<String, long[]> shapes = new HashMap<>();
        Random random = new Random(7);
        int i = 0;
        for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
            String name = PaddleParams.originalName(net, e.getKey());
            if (name == null || name.equals("bn_conv1_variance")) {
                continue;            // one parameter left out: reported missing, not guessed
            }
            long[] dims = originalShape(e.getKey(), e.getValue());
            if (name.equals("fc_1.w_0")) {
                dims = new long[] {8, 1000};      // the ImageNet classifier's width: skipped for shape
            }
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            double[] v = new double[(int) n];
            for (int k = 0; k < v.length; k++) {
                v[k] = random.nextGaussian();
            }
            boolean fp64 = i % 3 == 0;
            long[][] lod = i % 4 == 1 ? new long[][] {{0, 2, 5}} : new long[0][];
            Files.write(dir.resolve(name), tensorFile(dims, v, fp64, lod, i % 2 == 0));
            written.put(e.getKey(), v);
            shapes.put(e.getKey(), dims);
            i++;
        }
        Files.write(dir.resolve("fc_9.w_0"), tensorFile(new long[] {2}, new double[] {1, 2}, false, new long[0][], false));
        INDArray initialVariance = net.getParam("bn_conv1_var").dup();
        INDArray initialHead = net.getParam("head_W").dup();

        StringWriter log = new StringWriter();
        PretrainedWeights.Report r = PretrainedWeights.load(net, dir, new PrintWriter(log));

        assertEquals(List.of("bn_conv1_var (bn_conv1_variance)"), r.named(PretrainedWeights.Status.MISSING));
        assertEquals(List.of("head_W (fc_1.w_0)"), r.named(PretrainedWeights.Status.SKIPPED_SHAPE));
        assertEquals(List.of("fc_9.w_0"), r.unused());
        assertEquals(net.paramTable().size() - 2, r.count(PretrainedWeights.Status.LOADED));
        assertEquals(initialVariance, net.getParam("bn_conv1_var"));
        assertEquals(initialHead, net.getParam("head_W"));
        assertTrue(log.toString().contains("warning: variable fc_1.w_0 is already excluded automatically"), log.toString());
        assertTrue(log.toString().contains("not in the source (kept as initialised): bn_conv1_var (bn_conv1_variance)"));

        for (Map.Entry<String, double[]> e : written.entrySet()) {
            if (e.getKey().equals("head_W")) {
                continue;
            }
            INDArray p = net.getParam(e.getKey());
            double[] v = e.getValue();
            long[] s = shapes.get(e.getKey());
            if (p.rank() == 4) {        // [out, in, kh, kw] in both: check element (o, c, h, w) explicitly
                long o = s[0] - 1;
                long c = s[1] / 2;
                long h = s[2] - 1;
                long w = 0;
                assertEquals((float) v[(int) (((o * s[1] + c) * s[2] + h) * s[3] + w)], p.getFloat(o, c, h, w), 0f,
                        e.getKey());
            }
            if (e.getKey().equals("fc_0_W")) {       // fc weights [in, out] in both
                assertEquals((float) v[3 * 8 + 5], p.getFloat(3, 5), 0f);
            }
            float[] expected = new float[v.length];
            for (int k = 0; k < v.length; k++) {
                expected[k] = (float) v[k];
            }
            assertArrayEquals(expected, p.dup('c').data().asFloat(), 0f, e.getKey());
        }
    }

    @Test
    void corruptOrTruncatedFilesNameTheFileAndTheProblem() throws IOException {
        ComputationGraph net = net(0, 4);
        byte[] good = tensorFile(new long[] {64, 3, 7, 7}, new double[64 * 3 * 49], false, new long[0][], false);
        Path conv1 = dir.resolve("conv1_weights");

        Files.write(conv1, java.util.Arrays.copyOf(good, good.length - 3));
        DataException e = assertThrows(DataException.class, () -> PretrainedWeights.load(net, dir, sink()));
        assertTrue(e.getMessage().startsWith(conv1 + ": ") && e.getMessage().contains("truncated"), e.getMessage());

        Files.write(conv1, java.util.Arrays.copyOf(good, 20));
        e = assertThrows(DataException.class, () -> PretrainedWeights.load(net, dir, sink()));
        assertTrue(e.getMessage().startsWith(conv1 + ": ") && e.getMessage().contains("tensor description"),
                e.getMessage());

        byte[] badVersion = good.clone();
        badVersion[0] = 7;
        Files.write(conv1, badVersion);
        e = assertThrows(DataException.class, () -> PretrainedWeights.load(net, dir, sink()));
        assertTrue(e.getMessage().contains(conv1 + ": ") && e.getMessage().contains("version 7"), e.getMessage());

        Files.writeString(conv1, "this is not a tensor\n");
        e = assertThrows(DataException.class, () -> PretrainedWeights.load(net, dir, sink()));
        assertTrue(e.getMessage().startsWith(conv1 + ": not a parameter file"), e.getMessage());

        Path empty = Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(empty.resolve("notes.txt"), "a folder of something else\n");
        e = assertThrows(DataException.class, () -> PretrainedWeights.load(net, empty, sink()));
        assertTrue(e.getMessage().startsWith(empty + ": no file here is named after a parameter"), e.getMessage());

        byte[] extra = java.util.Arrays.copyOf(good, good.length + 4);
        Files.write(conv1, extra);
        e = assertThrows(DataException.class, () -> PretrainedWeights.load(net, dir, sink()));
        assertTrue(e.getMessage().contains("4 bytes after the data"), e.getMessage());
    }

    @Test
    void theOriginalsNamesForOurParameters() {
        ComputationGraph arc = net(0, 4);
        assertEquals("conv1_weights", PaddleParams.originalName(arc, "conv1_W"));
        assertEquals("bn2a_branch2a_offset", PaddleParams.originalName(arc, "bn2a_branch2a_beta"));
        assertEquals("res5a_branch1_weights", PaddleParams.originalName(arc, "res5a_branch1_W"));
        assertEquals("fc_0.w_0", PaddleParams.originalName(arc, "head_W"));    // softmax classifier, no embedding
        assertEquals("fc_1.b_0", PaddleParams.originalName(net(8, 4), "head_b"));
    }

    private static PrintWriter sink() {
        return new PrintWriter(new StringWriter());
    }
}
