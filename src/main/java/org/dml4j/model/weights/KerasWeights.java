package org.dml4j.model.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.global.hdf5;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.ImageTransform;
import org.dml4j.error.DataException;
import org.dml4j.model.Backbone;
import org.dml4j.model.EmbeddingNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Keras ResNet weights in HDF5 ({@code keras.applications} ResNet50/101/152, e.g.
 * {@code resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5}, or a whole saved model), mapped onto
 * our backbone by layer name.
 *
 * <p>Names: tf.keras' {@code conv1_conv/conv1_bn}, {@code conv<s>_block<b>_<k>_conv/_bn}
 * (k = 0 shortcut, 1–3 the three convs) and {@code probs}; Keras ≤ 2.2's Caffe names
 * ({@code conv1, bn_conv1, res2a_branch2a, bn2a_branch2a, …, fc1000}) are ours already. Datasets
 * are found by walking the file: {@code <layer>/…/<weight>:0}; a whole model's {@code model_weights}
 * group is entered.
 *
 * <p>Conversions, all exact in inference mode:
 * <ul>
 * <li>conv kernels {@code [kh, kw, in, out]} → {@code [out, in, kh, kw]};</li>
 * <li>Keras convs have a bias, ours feed BatchNorm without one: the bias is folded into the
 * BatchNorm's moving mean ({@code mean − bias});</li>
 * <li>Keras' BatchNorm ε (1.001e-5 in tf.keras, 1e-3 in Keras ≤ 2.2) differs from ours (1e-5): the
 * difference is added to the moving variance;</li>
 * <li>Keras' ResNet expects Caffe input (BGR, 0–255, minus the mean pixel 103.939/116.779/123.68);
 * ours is RGB scaled by ImageNet mean/std. {@code conv1}'s input channels are reordered and
 * multiplied by 255·std, and the constant it adds is folded into {@code bn_conv1}'s mean. Exact
 * except within the 3 zero-padded border pixels, where the two paddings differ by ≤ 0.5 grey levels.</li>
 * </ul>
 * Keras' ResNet50 strides in the first 1×1 conv of a block; build with {@code --stride_in_1x1=True}
 * to run it as trained.
 */
final class KerasWeights {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final double OUR_EPS = 1e-5;
    /** Caffe's mean pixel in RGB order. */
    private static final double[] CAFFE_MEAN_RGB = {123.68, 116.779, 103.939};

    private KerasWeights() {
    }

    /** Whether {@code file} is meant as Keras weights: named .h5/.hdf5 or starting with the HDF5 signature. */
    static boolean isKeras(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return name.endsWith(".h5") || name.endsWith(".hdf5") || isHdf5(file);
    }

    /** Whether the file starts with the HDF5 signature. */
    static boolean isHdf5(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(SIGNATURE.length), SIGNATURE);
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads {@code file} and converts every tensor that names one of our layers. */
    static ImportedWeights read(Path file, ComputationGraph target, Backbone backbone) {
        Map<String, INDArray> tensors = readAll(file);
        Map<String, INDArray> params = new LinkedHashMap<>();
        Map<String, String> names = new LinkedHashMap<>();
        TreeSet<String> unused = new TreeSet<>(tensors.keySet());
        boolean tfNames = tensors.keySet().stream().anyMatch(k -> k.startsWith("conv1_conv/"));
        double eps = tfNames ? 1.001e-5 : 1e-3;
        Map<String, INDArray> convBias = new TreeMap<>();
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            String kerasLayer = e.getKey().substring(0, e.getKey().indexOf('/'));
            String weight = e.getKey().substring(e.getKey().lastIndexOf('/') + 1).replaceFirst(":\\d+$", "");
            String layer = backbone.kerasLayer(kerasLayer);
            if (layer == null || EmbeddingNetwork.layerConf(target, layer) == null) {
                continue;
            }
            INDArray v = e.getValue();
            String key = switch (weight) {
                case "kernel" -> layer + "_W";
                case "bias" -> layer.equals(EmbeddingNetwork.EMBEDDING) ? layer + "_b" : null;
                case "gamma" -> layer + "_gamma";
                case "beta" -> layer + "_beta";
                case "moving_mean" -> layer + "_mean";
                case "moving_variance" -> layer + "_var";
                default -> null;
            };
            if (weight.equals("bias") && key == null) {
                convBias.put(layer, v);
                unused.remove(e.getKey());
                continue;
            }
            if (key == null || !target.paramTable().containsKey(key)) {
                continue;
            }
            if (weight.equals("kernel") && v.rank() == 4) {
                v = v.permute(3, 2, 0, 1).dup('c');
                if (layer.equals(backbone.stemConvolution())) {
                    INDArray offset = caffeToOurs(v);
                    convBias.merge(layer, offset, INDArray::add);
                }
            }
            if (weight.equals("moving_variance")) {
                v = v.add(eps - OUR_EPS);
            }
            params.put(key, v);
            names.put(key, e.getKey());
            unused.remove(e.getKey());
        }
        convBias.forEach((conv, bias) -> {
            String mean = backbone.batchNormOf(conv) + "_mean";
            INDArray m = params.get(mean);
            if (m != null && m.length() == bias.length()) {
                params.put(mean, m.sub(bias.reshape(m.shape())));
            }
        });
        if (params.isEmpty()) {
            throw new DataException(file + ": no tensor in this file names a layer of this network (conv1_conv,"
                    + " conv2_block1_1_conv, … or conv1, res2a_branch2a, …)");
        }
        return new ImportedWeights(params, names, List.copyOf(unused));
    }

    /**
     * Rewrites conv1's kernel (already [out, in, kh, kw], input in Caffe BGR order) for our RGB
     * mean/std input in place, and returns the per-output constant the rewrite leaves over.
     */
    private static INDArray caffeToOurs(INDArray w) {
        if (w.size(1) != 3) {
            return Nd4j.zeros(w.dataType(), w.size(0));
        }
        INDArray bgr = w.dup('c');
        INDArray offset = Nd4j.zeros(w.dataType(), w.size(0));
        for (int c = 0; c < 3; c++) {
            INDArray k = bgr.get(NDArrayIndex.all(), NDArrayIndex.point(2 - c), NDArrayIndex.all(), NDArrayIndex.all());
            w.get(NDArrayIndex.all(), NDArrayIndex.point(c), NDArrayIndex.all(), NDArrayIndex.all())
                    .assign(k.mul(255 * ImageTransform.std(c)));
            double shift = 255 * ImageTransform.mean(c) - CAFFE_MEAN_RGB[c];
            offset.addi(k.sum(1, 2).mul(shift));
        }
        return offset;
    }

    /** Every float dataset in the file, keyed by its path below the weights root (no leading slash). */
    private static Map<String, INDArray> readAll(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DataException(file + ": not found");
        }
        if (!isHdf5(file)) {
            throw new DataException(file + ": not an HDF5 file (no HDF5 signature at its start)");
        }
        org.bytedeco.hdf5.Exception.dontPrint();
        Map<String, INDArray> out = new TreeMap<>();
        try (H5File h5 = new H5File(file.toString(), hdf5.H5F_ACC_RDONLY())) {
            if (h5.nameExists("model_weights")) {
                try (Group g = h5.openGroup("model_weights")) {
                    walk(g, "", out);
                }
            } else {
                walk(h5, "", out);
            }
        } catch (DataException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DataException(file + ": cannot read the HDF5 file (corrupt or truncated?): " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new DataException(file + ": no weight tensors in this HDF5 file");
        }
        return out;
    }

    private static void walk(Group g, String prefix, Map<String, INDArray> out) {
        long n = g.getNumObjs();
        for (long i = 0; i < n; i++) {
            String name = g.getObjnameByIdx(i).getString();
            int type = g.childObjType(name);
            if (type == hdf5.H5O_TYPE_GROUP) {
                try (Group child = g.openGroup(name)) {
                    walk(child, prefix + name + "/", out);
                }
            } else if (type == hdf5.H5O_TYPE_DATASET) {
                try (DataSet ds = g.openDataSet(name)) {
                    if (ds.asAbstractDs().getTypeClass() == hdf5.H5T_FLOAT) {
                        out.put(prefix + name, readFloats(ds));
                    }
                }
            }
        }
    }

    private static INDArray readFloats(DataSet ds) {
        try (DataSpace space = ds.getSpace()) {
            long[] dims = new long[space.getSimpleExtentNdims()];
            space.getSimpleExtentDims(dims);
            long count = 1;
            for (long d : dims) {
                count *= d;
            }
            try (FloatPointer p = new FloatPointer(count)) {
                ds.read(p, PredType.NATIVE_FLOAT());
                float[] data = new float[Math.toIntExact(count)];
                p.get(data);
                return Nd4j.create(data, dims, 'c');
            }
        }
    }
}
