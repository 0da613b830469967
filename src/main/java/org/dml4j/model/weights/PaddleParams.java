package org.dml4j.model.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.error.DataException;
import org.dml4j.model.Checkpoints;
import org.dml4j.model.EmbeddingNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The original's per-parameter weight files (docs/ORIGINAL.md §4.2): a folder such as the unpacked
 * {@code ResNet50_pretrained.tar}, one file per parameter named after it ({@code conv1_weights},
 * {@code bn_conv1_scale}, {@code bn_conv1_offset}, {@code bn_conv1_mean}, {@code bn_conv1_variance},
 * …, {@code fc_0.w_0}, {@code fc_0.b_0}).
 *
 * <p>One file is PaddlePaddle's serialised LoDTensor ({@code SerializeToStream} in
 * {@code paddle/fluid/framework/lod_tensor.cc} and {@code TensorToStream} in {@code tensor_util.cc}),
 * little-endian:
 * <pre>
 * uint32 version (0)
 * uint64 lod_level, then per level: uint64 byte count, that many bytes of offsets
 * uint32 tensor version (0)
 * int32  n, then n bytes of protobuf VarType.TensorDesc {1: data_type (enum), 2: repeated int64 dims}
 * the elements, row-major: product(dims) × element size bytes
 * </pre>
 * Data types read: FP32 (5) and FP64 (6); both become float32. Layouts match ours: convolution
 * weights [out, in, kh, kw], BatchNorm vectors [C], fc weights [in, out], bias [out].
 */
public final class PaddleParams {
    private static final int FP32 = 5;
    private static final int FP64 = 6;
    private static final int MAX_LOD_LEVELS = 64;

    private PaddleParams() {
    }

    /** Whether {@code dir} looks like a folder of per-parameter files (a folder that is not a checkpoint). */
    static boolean isParamFolder(Path dir) {
        return Files.isDirectory(dir) && !Files.exists(dir.resolve(Checkpoints.MODEL_FILE));
    }

    /**
     * Reads, for each parameter of {@code target} that has a name in the original, the file of that
     * name when the folder has one.
     *
     * @throws DataException naming the file when a needed file is corrupt or truncated
     */
    static ImportedWeights read(Path dir, ComputationGraph target) {
        Map<String, INDArray> params = new LinkedHashMap<>();
        Map<String, String> names = new LinkedHashMap<>();
        TreeSet<String> unused = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(Files::isRegularFile).map(f -> f.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).forEach(unused::add);
        } catch (IOException e) {
            throw new DataException(dir + ": cannot list the folder: " + e.getMessage(), e);
        }
        for (String key : target.paramTable().keySet()) {
            String name = originalName(target, key);
            if (name == null) {
                continue;
            }
            names.put(key, name);
            if (unused.remove(name)) {
                params.put(key, readTensor(dir.resolve(name)));
            }
        }
        if (params.isEmpty()) {
            throw new DataException(dir + ": no file here is named after a parameter of this network (conv1_weights,"
                    + " bn_conv1_scale, …); a dml4j checkpoint folder holds " + Checkpoints.MODEL_FILE + " instead");
        }
        return new ImportedWeights(params, names, new ArrayList<>(unused));
    }

    /**
     * The original's name of one of our parameters ({@code layer_param}), or null when it has none.
     * Conv {@code X_W} → {@code X_weights}; BatchNorm gamma/beta/mean/var → {@code _scale/_offset/_mean/_variance};
     * the embedding {@code fc_0_W/_b} → {@code fc_0.w_0/b_0}; a softmax head is the next fc
     * ({@code fc_1} after an embedding, else {@code fc_0}); any other head's weight is ArcFace's {@code weight_norm}.
     */
    public static String originalName(ComputationGraph net, String key) {
        int cut = key.lastIndexOf('_');
        String layer = key.substring(0, cut);
        String param = key.substring(cut + 1);
        Layer conf = EmbeddingNetwork.layerConf(net, layer);
        if (conf instanceof BatchNormalization) {
            return switch (param) {
                case "gamma" -> layer + "_scale";
                case "beta" -> layer + "_offset";
                case "mean" -> layer + "_mean";
                case "var" -> layer + "_variance";
                default -> null;
            };
        }
        if (conf instanceof ConvolutionLayer) {
            return param.equals("W") ? layer + "_weights" : null;
        }
        if (conf instanceof DenseLayer || conf instanceof BaseOutputLayer) {
            String fc = conf instanceof BaseOutputLayer
                    && EmbeddingNetwork.layerConf(net, EmbeddingNetwork.EMBEDDING) != null ? "fc_1" : "fc_0";
            return switch (param) {
                case "W" -> fc + ".w_0";
                case "b" -> fc + ".b_0";
                default -> null;
            };
        }
        return layer.equals(EmbeddingNetwork.HEAD) && param.equals("W") ? "weight_norm" : null;
    }

    /**
     * Reads one serialised tensor as float32.
     *
     * @throws DataException naming the file and what is wrong with it
     */
    public static INDArray readTensor(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": not found", e);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
        Reader r = new Reader(file, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        r.version("version");
        long levels = r.uint64("LoD level count");
        if (levels > MAX_LOD_LEVELS) {
            throw r.fail("LoD level count " + levels + " is not plausible");
        }
        for (long i = 0; i < levels; i++) {
            r.skip(r.uint64("LoD level " + i + " size"), "LoD level " + i);
        }
        r.version("tensor version");
        int descSize = r.int32("tensor description size");
        if (descSize < 0) {
            throw r.fail("negative tensor description size " + descSize);
        }
        Desc desc = Desc.parse(r, r.slice(descSize, "tensor description"));
        long count = 1;
        for (long d : desc.dims) {
            if (d < 0 || (d > 0 && count > Long.MAX_VALUE / d)) {
                throw r.fail("bad dimension " + d + " in " + desc.dims);
            }
            count *= d;
        }
        int width = desc.type == FP32 ? 4 : 8;
        long expected = count * width;
        if (r.buf.remaining() != expected) {
            throw r.fail(r.buf.remaining() < expected
                    ? "truncated: " + desc.dims + " needs " + expected + " bytes of data, the file has " + r.buf.remaining()
                    : (r.buf.remaining() - expected) + " bytes after the data of shape " + desc.dims);
        }
        float[] data = new float[Math.toIntExact(count)];
        for (int i = 0; i < data.length; i++) {
            data[i] = desc.type == FP32 ? r.buf.getFloat() : (float) r.buf.getDouble();
        }
        long[] shape = desc.dims.stream().mapToLong(Long::longValue).toArray();
        return Nd4j.create(data, shape, 'c').castTo(DataType.FLOAT);
    }

    /** Bounds-checked little-endian reads whose errors name the file and the byte offset. */
    private record Reader(Path file, ByteBuffer buf) {
        DataException fail(String what) {
            return new DataException(file + ": not a parameter file of the original (" + what + ", at byte "
                    + buf.position() + ")");
        }

        private void need(long n, String field) {
            if (buf.remaining() < n) {
                throw fail("truncated in the " + field);
            }
        }

        void version(String field) {
            need(4, field);
            int v = buf.getInt();
            if (v != 0) {
                buf.position(buf.position() - 4);
                throw fail(field + " " + Integer.toUnsignedString(v) + ", only 0 is known");
            }
        }

        long uint64(String field) {
            need(8, field);
            long v = buf.getLong();
            if (v < 0) {
                throw fail(field + " " + Long.toUnsignedString(v) + " is not plausible");
            }
            return v;
        }

        int int32(String field) {
            need(4, field);
            return buf.getInt();
        }

        void skip(long n, String field) {
            need(n, field);
            buf.position(buf.position() + (int) n);
        }

        ByteBuffer slice(int n, String field) {
            need(n, field);
            ByteBuffer s = buf.slice(buf.position(), n);
            buf.position(buf.position() + n);
            return s;
        }
    }

    /** The two fields of VarType.TensorDesc, decoded by hand (proto2: dims unpacked, packed also accepted). */
    private record Desc(int type, List<Long> dims) {
        static Desc parse(Reader r, ByteBuffer b) {
            Integer type = null;
            List<Long> dims = new ArrayList<>();
            while (b.hasRemaining()) {
                long tag = varint(r, b);
                int field = (int) (tag >>> 3);
                int wire = (int) (tag & 7);
                if (field == 1 && wire == 0) {
                    type = (int) varint(r, b);
                } else if (field == 2 && wire == 0) {
                    dims.add(varint(r, b));
                } else if (field == 2 && wire == 2) {
                    int len = (int) varint(r, b);
                    if (len < 0 || len > b.remaining()) {
                        throw r.fail("bad packed dims length " + len);
                    }
                    ByteBuffer packed = b.slice(b.position(), len);
                    b.position(b.position() + len);
                    while (packed.hasRemaining()) {
                        dims.add(varint(r, packed));
                    }
                } else {
                    skipField(r, b, wire);
                }
            }
            if (type == null) {
                throw r.fail("the tensor description has no data type");
            }
            if (type != FP32 && type != FP64) {
                throw r.fail("data type " + type + "; only FP32 (5) and FP64 (6) are read");
            }
            return new Desc(type, dims);
        }

        private static long varint(Reader r, ByteBuffer b) {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (!b.hasRemaining()) {
                    throw r.fail("truncated varint in the tensor description");
                }
                byte x = b.get();
                v |= (long) (x & 0x7f) << shift;
                if (x >= 0) {
                    return v;
                }
            }
            throw r.fail("overlong varint in the tensor description");
        }

        private static void skipField(Reader r, ByteBuffer b, int wire) {
            long n = switch (wire) {
                case 0 -> {
                    varint(r, b);
                    yield 0;
                }
                case 1 -> 8;
                case 2 -> varint(r, b);
                case 5 -> 4;
                default -> throw r.fail("wire type " + wire + " in the tensor description");
            };
            if (n < 0 || n > b.remaining()) {
                throw r.fail("truncated field in the tensor description");
            }
            b.position(b.position() + (int) n);
        }
    }
}
