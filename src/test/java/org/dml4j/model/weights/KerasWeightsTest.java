package org.dml4j.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.global.hdf5;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.ImageTransform;
import org.dml4j.error.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras weights: an .h5 laid out as tf.keras saves a ResNet ({@code <layer>/<layer>/<weight>:0},
 * kernels [kh, kw, in, out], conv biases, BatchNorm ε 1.001e-5, Caffe BGR input) written here with
 * known values, loaded onto a ResNet18, and checked value by value and through conv1's output.
 */
class KerasWeightsTest {
    private static final Pattern BLOCK = Pattern.compile("res([2-5])([a-z])_branch(1|2a|2b|2c)");
    private static final double KERAS_EPS = 1.001e-5;
    private static final double[] CAFFE_BGR = {103.939, 116.779, 123.68};

    @TempDir
    Path dir;

    /** tf.keras' name of one of our conv layers. */
    private static String kerasConv(String ours) {
        if (ours.equals("conv1")) {
            return "conv1_conv";
        }
        Matcher m = BLOCK.matcher(ours);
        assertTrue(m.matches(), ours);
        int k = List.of("1", "2a", "2b", "2c").indexOf(m.group(3));
        return "conv" + m.group(1) + "_block" + (m.group(2).charAt(0) - 'a' + 1) + "_" + k + "_conv";
    }

    private static INDArray random(Random r, double scale, double shift, long... shape) {
        INDArray a = Nd4j.create(DataType.FLOAT, shape);
        for (long i = 0; i < a.length(); i++) {
            a.putScalar(i, shift + scale * r.nextGaussian());
        }
        return a;
    }

    private static void write(H5File h5, String path, INDArray value) {
        String[] parts = path.split("/");
        List<Group> opened = new java.util.ArrayList<>();
        Group g = h5;
        for (int i = 0; i < parts.length - 1; i++) {
            g = g.nameExists(parts[i]) ? g.openGroup(parts[i]) : g.createGroup(parts[i]);
            opened.add(g);
        }
        try (DataSpace space = new DataSpace(value.rank(), value.shape());
             DataSet ds = g.createDataSet(parts[parts.length - 1], PredType.NATIVE_FLOAT(), space);
             FloatPointer data = new FloatPointer(value.dup('c').data().asFloat())) {
            ds.write(data, PredType.NATIVE_FLOAT());
        }
        opened.forEach(Group::close);
    }

    @Test
    void everyKerasTensorLandsConvertedAndConv1SeesOurInputAsKerasSawItsOwn() throws IOException {
        ComputationGraph net = PaddleParamsTest.net(8, 4);
        Random r = new Random(3);
        Map<String, INDArray> keras = new LinkedHashMap<>();
        for (org.deeplearning4j.nn.api.Layer layer : net.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            if (!(layer.conf().getLayer() instanceof ConvolutionLayer)) {
                continue;
            }
            INDArray w = net.getParam(name + "_W");
            String k = kerasConv(name);
            String bn = k.replaceFirst("_conv$", "_bn");
            long c = w.size(0);
            keras.put(k + "/" + k + "/kernel:0", random(r, 0.05, 0, w.size(2), w.size(3), w.size(1), c));
            keras.put(k + "/" + k + "/bias:0", random(r, 0.5, 0, c));
            keras.put(bn + "/" + bn + "/gamma:0", random(r, 0.1, 1, c));
            if (!bn.equals("conv5_block2_2_bn")) {
                keras.put(bn + "/" + bn + "/beta:0", random(r, 0.1, 0, c));
            }
            keras.put(bn + "/" + bn + "/moving_mean:0", random(r, 1, 0, c));
            keras.put(bn + "/" + bn + "/moving_variance:0", random(r, 0.2, 1, c));
        }
        keras.put("probs/probs/kernel:0", random(r, 0.1, 0, 512, 8));
        keras.put("probs/probs/bias:0", random(r, 0.1, 0, 8));
        keras.put("extra/extra/kernel:0", random(r, 1, 0, 2, 2));
        Path file = dir.resolve("resnet.h5");
        try (H5File h5 = new H5File(file.toString(), hdf5.H5F_ACC_TRUNC())) {
            keras.forEach((path, value) -> write(h5, path, value));
        }
        INDArray initialBeta = net.getParam("bn5b_branch2b_beta").dup();

        StringWriter log = new StringWriter();
        PretrainedWeights.Report report = PretrainedWeights.load(net, file, new PrintWriter(log));

        assertEquals(List.of("bn5b_branch2b_beta", "head_W", "head_b"), report.named(PretrainedWeights.Status.MISSING),
                log.toString());
        assertEquals(List.of("extra/extra/kernel:0"), report.unused());
        assertEquals(List.of("head_W", "head_b"), report.entries().stream()
                .filter(e -> e.status() != PretrainedWeights.Status.LOADED && e.source() == null)
                .map(PretrainedWeights.Entry::param).filter(p -> p.startsWith("head")).toList());
        assertEquals(initialBeta, net.getParam("bn5b_branch2b_beta"));
        assertEquals(keras.get("probs/probs/kernel:0"), net.getParam("fc_0_W"));
        assertArrayEquals(keras.get("probs/probs/bias:0").data().asFloat(), net.getParam("fc_0_b").data().asFloat());

        // res3a_branch2a: kernel transposed to [out, in, kh, kw]; conv bias folded into the mean; ε into the variance
        INDArray kernel = keras.get("conv3_block1_1_conv/conv3_block1_1_conv/kernel:0");
        assertEquals(kernel.permute(3, 2, 0, 1), net.getParam("res3a_branch2a_W"));
        INDArray expectedMean = keras.get("conv3_block1_1_bn/conv3_block1_1_bn/moving_mean:0")
                .sub(keras.get("conv3_block1_1_conv/conv3_block1_1_conv/bias:0"));
        assertArrayEquals(expectedMean.data().asFloat(), net.getParam("bn3a_branch2a_mean").data().asFloat(), 1e-6f);
        INDArray variance = keras.get("conv3_block1_1_bn/conv3_block1_1_bn/moving_variance:0");
        assertArrayEquals(variance.add(KERAS_EPS - 1e-5).data().asFloat(),
                net.getParam("bn3a_branch2a_var").data().asFloat(), 1e-7f);

        // conv1 + bn_conv1 + ReLU at an interior position: our normalised RGB input through our network
        // equals Keras' computation on the Caffe BGR input of the same pixels (float64 reference).
        INDArray x = random(new Random(5), 1, 0, 1, 3, 16, 16);
        INDArray ours = net.feedForward(x, false).get("bn_conv1");
        INDArray k1 = keras.get("conv1_conv/conv1_conv/kernel:0");
        INDArray b1 = keras.get("conv1_conv/conv1_conv/bias:0");
        String bn = "conv1_bn/conv1_bn/";
        int oy = 4;
        int ox = 4;
        for (int o = 0; o < 64; o++) {
            double z = b1.getDouble(o);
            for (int kh = 0; kh < 7; kh++) {
                for (int kw = 0; kw < 7; kw++) {
                    for (int j = 0; j < 3; j++) {       // Keras channel j is BGR; ours c = 2 - j is RGB
                        int c = 2 - j;
                        double pixel = 255 * (ImageTransform.std(c) * x.getDouble(0, c, 2 * oy - 3 + kh, 2 * ox - 3 + kw)
                                + ImageTransform.mean(c));
                        z += k1.getDouble(kh, kw, j, o) * (pixel - CAFFE_BGR[j]);
                    }
                }
            }
            double y = keras.get(bn + "gamma:0").getDouble(o) * (z - keras.get(bn + "moving_mean:0").getDouble(o))
                    / Math.sqrt(keras.get(bn + "moving_variance:0").getDouble(o) + KERAS_EPS)
                    + keras.get(bn + "beta:0").getDouble(o);
            assertEquals(Math.max(0, y), ours.getDouble(0, o, oy, ox), 1e-4 * Math.max(1, Math.abs(y)), "channel " + o);
        }
        assertTrue(log.toString().contains("not in the source (kept as initialised): bn5b_branch2b_beta"), log.toString());
    }

    @Test
    void aTruncatedOrForeignFileIsNamedInTheError() throws IOException {
        ComputationGraph net = PaddleParamsTest.net(0, 4);
        Path file = dir.resolve("weights.h5");
        try (H5File h5 = new H5File(file.toString(), hdf5.H5F_ACC_TRUNC())) {
            write(h5, "conv1_conv/conv1_conv/kernel:0", Nd4j.ones(DataType.FLOAT, 7, 7, 3, 64));
        }
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length / 2));
        DataException e = assertThrows(DataException.class, () -> PretrainedWeights.load(net, file, sink()));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());

        try (H5File h5 = new H5File(file.toString(), hdf5.H5F_ACC_TRUNC())) {
            write(h5, "dense_7/dense_7/kernel:0", Nd4j.ones(DataType.FLOAT, 3, 3));
        }
        e = assertThrows(DataException.class, () -> PretrainedWeights.load(net, file, sink()));
        assertTrue(e.getMessage().startsWith(file + ": no tensor in this file names a layer"), e.getMessage());

        Files.writeString(file, "not hdf5");
        e = assertThrows(DataException.class, () -> PretrainedWeights.load(net, file, sink()));
        assertEquals(file + ": not an HDF5 file (no HDF5 signature at its start)", e.getMessage());

        Path missing = dir.resolve("absent.h5");
        e = assertThrows(DataException.class, () -> PretrainedWeights.load(net, missing, sink()));
        assertEquals(missing + ": not found", e.getMessage());
    }

    private static PrintWriter sink() {
        return new PrintWriter(new StringWriter());
    }
}
