package org.dml4j.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import onnx.Onnx;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.ImageShape;
import org.dml4j.model.InferenceNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.protobuf.ByteString;

/**
 * An inference network ({@link InferenceNetwork}: BatchNorms already folded) as an ONNX model,
 * written with the ONNX protobuf classes nd4j-api ships ({@code onnx.Onnx}), opset {@value #OPSET}.
 * One ONNX node per DL4J vertex, named as the vertex: Conv (weights and folded bias; explicit pads,
 * DL4J's truncate mode is ONNX's floor rounding) followed by Relu where the layer has one; MaxPool;
 * Relu; Add; GlobalAveragePool + Flatten; Gemm for a dense layer (y = x·Wᵀ + b with W [nOut, nIn],
 * transB = 1, as PyTorch exports it); the L2 normalisation as x / √(Σx² + ε²) from Mul, Gemm, Add,
 * Sqrt and Div (DL4J's L2NormalizeVertex: x / max(‖x‖₂, ε), the same but within a few ε of 0). Input {@value #INPUT} [N, 3, H, W] float32, output {@value #OUTPUT}
 * [N, D] float32; N is a symbolic dimension.
 */
public final class OnnxModel {
    /** The ONNX operator set the model declares (Conv, MaxPool, Gemm, ReduceL2 with an axes attribute). */
    public static final int OPSET = 13;
    /** The IR version of opset 13 (ONNX 1.8). */
    static final long IR_VERSION = 7;
    /** The input's name. */
    public static final String INPUT = "image";
    /** The output's name. */
    public static final String OUTPUT = "embedding";

    private final List<Onnx.NodeProto> nodes = new ArrayList<>();
    private final List<Onnx.TensorProto> initializers = new ArrayList<>();

    private OnnxModel() {
    }

    /**
     * The ONNX model of {@code net}.
     *
     * @param net      an inference network: one input, one output, vertices of the kinds above only
     * @param shape    the input's channels, height and width
     * @param width    the output's width D
     * @param metadata key → value pairs for the model's metadata_props
     * @throws IllegalArgumentException naming a vertex of a kind ONNX export does not cover
     */
    public static Onnx.ModelProto of(ComputationGraph net, ImageShape shape, long width, Map<String, String> metadata) {
        OnnxModel m = new OnnxModel();
        ComputationGraphConfiguration conf = net.getConfiguration();
        String input = conf.getNetworkInputs().get(0);
        for (int i : net.topologicalSortOrder()) {
            String name = net.getVertices()[i].getVertexName();
            if (!name.equals(input)) {
                m.add(net, name, conf.getVertices().get(name), conf.getVertexInputs().get(name).stream()
                        .map(in -> in.equals(input) ? INPUT : in).toList(), width);
            }
        }
        m.node("Identity", List.of(conf.getNetworkOutputs().get(0)), OUTPUT, OUTPUT, List.of());
        Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder().setName("dml4j_embedding")
                .addAllNode(m.nodes).addAllInitializer(m.initializers)
                .addInput(valueInfo(INPUT, "N", shape.channels(), shape.height(), shape.width()))
                .addOutput(valueInfo(OUTPUT, "N", width));
        Onnx.ModelProto.Builder model = Onnx.ModelProto.newBuilder().setIrVersion(IR_VERSION)
                .setProducerName("dml4j").setProducerVersion(metadata.getOrDefault("dml4j_version", ""))
                .setDocString("Image embedding network exported by dml4j; see preprocessing.json for its input.")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph);
        metadata.forEach((k, v) -> model.addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return model.build();
    }

    private void add(ComputationGraph net, String name, GraphVertex vertex, List<String> inputs, long dims) {
        if (vertex instanceof ElementWiseVertex e) {
            if (e.getOp() != ElementWiseVertex.Op.Add || inputs.size() != 2) {
                throw unsupported(name, "element-wise " + e.getOp() + " of " + inputs.size() + " inputs");
            }
            node("Add", inputs, name, name, List.of());
            return;
        }
        if (vertex instanceof L2NormalizeVertex l2) {
            if (l2.getDimension() == null || l2.getDimension().length != 1 || l2.getDimension()[0] != 1) {
                throw unsupported(name, "L2 normalisation over other dimensions than 1");
            }
            // x / √(Σx² + ε²) from operators every runtime has (OpenCV 4.5 has no ReduceL2, reduces no 2-D input
            // and broadcasts no Div): Σx² and its copy across the D columns as products with constant ones.
            // Equals DL4J's x / max(‖x‖, ε) but where ‖x‖ is within a few ε of 0.
            String x = inputs.get(0);
            float[] ones = new float[(int) dims];
            java.util.Arrays.fill(ones, 1f);
            initializers.add(tensor(name + "_sum", new long[] {1, dims}, ones));
            initializers.add(tensor(name + "_spread", new long[] {dims, 1}, ones));
            initializers.add(tensor(name + "_eps", new long[] {1}, new float[] {(float) (l2.getEps() * l2.getEps())}));
            node("Mul", List.of(x, x), name + "_sq", name + "_sq", List.of());
            node("Gemm", List.of(name + "_sq", name + "_sum"), name + "_sumsq", name + "_sumsq",
                    List.of(integer("transB", 1)));
            node("Add", List.of(name + "_sumsq", name + "_eps"), name + "_guarded", name + "_guarded", List.of());
            node("Sqrt", List.of(name + "_guarded"), name + "_norm", name + "_norm", List.of());
            node("Gemm", List.of(name + "_norm", name + "_spread"), name + "_norms", name + "_norms",
                    List.of(integer("transB", 1)));
            node("Div", List.of(x, name + "_norms"), name, name, List.of());
            return;
        }
        if (!(vertex instanceof LayerVertex lv)) {
            throw unsupported(name, vertex.getClass().getSimpleName());
        }
        Layer layer = lv.getLayerConf().getLayer();
        if (layer instanceof SubsamplingLayer p) {
            if (p.getPoolingType() != PoolingType.MAX || p.getConvolutionMode() == ConvolutionMode.Same) {
                throw unsupported(name, p.getPoolingType() + " pooling in " + p.getConvolutionMode() + " mode");
            }
            node("MaxPool", inputs, name, name, List.of(ints("kernel_shape", p.getKernelSize()),
                    ints("strides", p.getStride()), ints("pads", pads(p.getPadding()))));   // ceil_mode: the default 0 (floor), left out for OpenCV 4.5, which rejects it
        } else if (layer instanceof ConvolutionLayer c) {
            if (c.getConvolutionMode() == ConvolutionMode.Same) {
                throw unsupported(name, "a convolution in Same mode");
            }
            INDArray w = net.getParam(name + "_W");
            List<String> in = new ArrayList<>(List.of(inputs.get(0), name + "_W"));
            initializers.add(tensor(name + "_W", w.shape(), w));
            if (c.hasBias()) {
                INDArray b = net.getParam(name + "_b");
                initializers.add(tensor(name + "_b", new long[] {b.length()}, b));
                in.add(name + "_b");
            }
            boolean relu = relu(name, c.getActivationFn());
            node("Conv", in, relu ? name + "_preact" : name, name, List.of(ints("kernel_shape", c.getKernelSize()),
                    ints("strides", c.getStride()), ints("pads", pads(c.getPadding())), ints("dilations", c.getDilation()),
                    integer("group", 1)));
            if (relu) {
                node("Relu", List.of(name + "_preact"), name, name + "_relu", List.of());
            }
        } else if (layer instanceof ActivationLayer a) {
            if (!relu(name, a.getActivationFn())) {
                node("Identity", inputs, name, name, List.of());
            } else {
                node("Relu", inputs, name, name, List.of());
            }
        } else if (layer instanceof GlobalPoolingLayer g) {
            if (g.getPoolingType() != PoolingType.AVG) {
                throw unsupported(name, g.getPoolingType() + " global pooling");
            }
            node("GlobalAveragePool", inputs, name + "_4d", name, List.of());
            node("Flatten", List.of(name + "_4d"), name, name + "_flatten", List.of(integer("axis", 1)));
        } else if (layer instanceof DenseLayer d) {
            // W stored as [nOut, nIn] with transB = 1, the layout PyTorch exports and OpenCV 4.5 expects
            INDArray w = net.getParam(name + "_W").transpose();
            INDArray b = net.getParam(name + "_b");
            initializers.add(tensor(name + "_W", w.shape(), w));
            initializers.add(tensor(name + "_b", new long[] {b.length()}, b));
            boolean relu = relu(name, d.getActivationFn());
            node("Gemm", List.of(inputs.get(0), name + "_W", name + "_b"), relu ? name + "_preact" : name, name,
                    List.of(integer("transB", 1)));
            if (relu) {
                node("Relu", List.of(name + "_preact"), name, name + "_relu", List.of());
            }
        } else {
            throw unsupported(name, layer.getClass().getSimpleName());
        }
    }

    private static boolean relu(String name, IActivation fn) {
        if (fn instanceof ActivationReLU) {
            return true;
        }
        if (fn instanceof ActivationIdentity) {
            return false;
        }
        throw unsupported(name, "activation " + fn);
    }

    private static IllegalArgumentException unsupported(String name, String what) {
        return new IllegalArgumentException("cannot export vertex '" + name + "' to ONNX: " + what);
    }

    /** ONNX pads: begin of each spatial axis, then end of each. */
    private static int[] pads(int[] p) {
        return new int[] {p[0], p[1], p[0], p[1]};
    }

    private void node(String op, List<String> inputs, String output, String name, List<Onnx.AttributeProto> attributes) {
        nodes.add(Onnx.NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output)
                .addAllAttribute(attributes).build());
    }

    private static Onnx.AttributeProto integer(String name, int value) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INT).setI(value)
                .build();
    }

    private static Onnx.AttributeProto ints(String name, int... values) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name);
        a.setType(Onnx.AttributeProto.AttributeType.INTS);
        for (int v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    /** A float32 tensor from an array (C order), named. */
    public static Onnx.TensorProto tensor(String name, long[] dims, INDArray values) {
        return tensor(name, dims, values.castTo(DataType.FLOAT).dup('c').data().asFloat());
    }

    /** A float32 tensor, little-endian raw data, as the ONNX model zoo's test data. */
    public static Onnx.TensorProto tensor(String name, long[] dims, float[] values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name)
                .setDataType(Onnx.TensorProto.DataType.FLOAT.getNumber()).setRawData(ByteString.copyFrom(raw.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static Onnx.ValueInfoProto valueInfo(String name, String batch, long... dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder()
                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam(batch));
        for (long d : dims) {
            shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder().setTensorType(
                Onnx.TypeProto.Tensor.newBuilder().setElemType(Onnx.TensorProto.DataType.FLOAT.getNumber())
                        .setShape(shape))).build();
    }
}
