package org.dml4j.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import onnx.Onnx;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.cli.CommandLineTest;
import org.dml4j.data.ImageList;
import org.dml4j.data.ImageShape;
import org.dml4j.data.Split;
import org.dml4j.data.TestData;
import org.dml4j.inference.EmbeddingModel;
import org.dml4j.math.Rows;
import org.dml4j.model.CheckpointInfo;
import org.dml4j.model.Checkpoints;
import org.dml4j.model.ResNet;
import org.dml4j.model.TestNetworks;
import org.dml4j.onnx.OnnxModel;
import org.dml4j.onnx.Runtimes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * {@code dml4j export} end to end: the files a user gets, each checked by a program that is not
 * dml4j (ONNX Runtime, OpenCV's DNN module, and a separate JVM with DL4J but without dml4j's
 * classes), and the bad inputs a user gives it.
 */
class ExportTest {
    @TempDir
    static Path dir;
    static Path data;
    static Path ckpt;

    /** A ResNet18 checkpoint (embedding 8, BatchNorm statistics far from the identity) with its test list. */
    @BeforeAll
    static void checkpoint() throws IOException {
        data = TestData.stripes(dir.resolve("data"), 3, 2, 3, 40, 5);
        ComputationGraph net = TestNetworks.trained(ResNet.RESNET18, 32, 8, DataType.FLOAT, 13);
        Path list = data.resolve(Split.TEST.listFileName());
        CheckpointInfo info = new CheckpointInfo(CheckpointInfo.FORMAT, 5, "ResNet18", new ImageShape(3, 32, 32), 8,
                false, "fc_0", null, List.of(new CheckpointInfo.DataList("test", list.toString(), "ab".repeat(32), 9, 3)),
                CheckpointInfo.versionsNow(), Instant.now());
        ckpt = Checkpoints.save(net, dir.resolve("out"), info);
    }

    private static INDArray tensor(Path pb) throws IOException {
        Onnx.TensorProto t = Onnx.TensorProto.parseFrom(Files.readAllBytes(pb));
        FloatBuffer fb = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] f = new float[fb.remaining()];
        fb.get(f);
        return Nd4j.create(f, t.getDimsList().stream().mapToLong(Long::longValue).toArray(), 'c');
    }

    @Test
    void theExportIsWhatOtherRuntimesNeedAndReproducesDml4j() throws Exception {
        for (boolean normalize : new boolean[] {false, true}) {
            Path out = dir.resolve(normalize ? "export-unit" : "export");
            CommandLineTest.Run r = CommandLineTest.run("export", "--pretrained_model", ckpt.toString(), "--output",
                    out.toString(), "--normalize=" + (normalize ? "True" : "False"));
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("checked on 4 test images: ONNX Runtime and the plain-DL4J model.zip give dml4j's"
                    + " embeddings"), r.out());
            for (String f : new String[] {"model.onnx", "model.zip", "preprocessing.json", "test_data_set_0/input_0.pb",
                "test_data_set_0/output_0.pb"}) {
                assertTrue(Files.size(out.resolve(f)) > 0, f);
            }
            try (var siblings = Files.list(dir)) {
                assertFalse(siblings.anyMatch(p -> p.getFileName().toString().contains("partial")), "no temporary folder");
            }

            // the test batch is the test split preprocessed as dml4j does, and dml4j's embeddings of it
            INDArray x = tensor(out.resolve("test_data_set_0/input_0.pb"));
            INDArray y = tensor(out.resolve("test_data_set_0/output_0.pb"));
            assertArrayEquals(new long[] {4, 3, 32, 32}, x.shape());
            assertArrayEquals(new long[] {4, 8}, y.shape());
            EmbeddingModel model = EmbeddingModel.load(ckpt, null);
            ImageList test = ImageList.read(data, Split.TEST);
            float[] pixels = new float[4 * 3 * 32 * 32];
            for (int i = 0; i < 4; i++) {
                model.preprocessing().apply(test.imagePath(i), null, pixels, i * 3 * 32 * 32);
            }
            assertArrayEquals(pixels, x.data().asFloat(), 0f);
            INDArray expected = model.embed(x);
            if (normalize) {
                Rows.normalizeInPlace(expected);
                assertEquals(1.0, y.norm2(1).minNumber().doubleValue(), 1e-5);
            }
            assertTrue(Runtimes.maxRelative(y.data().asFloat(), expected) < 1e-5);

            byte[] onnx = Files.readAllBytes(out.resolve("model.onnx"));
            assertTrue(Runtimes.maxRelative(Runtimes.onnxRuntime(onnx, x), y) < 1e-4, "ONNX Runtime");
            assertTrue(Runtimes.maxRelative(Runtimes.openCv(onnx, x), y) < 1e-4, "OpenCV DNN");
            Onnx.ModelProto proto = Onnx.ModelProto.parseFrom(onnx);
            assertEquals(OnnxModel.OPSET, proto.getOpsetImport(0).getVersion());
            Map<String, String> meta = new java.util.HashMap<>();
            proto.getMetadataPropsList().forEach(p -> meta.put(p.getKey(), p.getValue()));
            assertEquals("ResNet18", meta.get("model"));
            assertEquals(Boolean.toString(normalize), meta.get("l2_normalized"));
            assertTrue(meta.get("preprocessing").contains("INTER_LANCZOS4"), meta.get("preprocessing"));

            @SuppressWarnings("unchecked")
            Map<String, Object> pre = new ObjectMapper().readValue(out.resolve("preprocessing.json").toFile(), Map.class);
            assertEquals(List.of("N", 3, 32, 32), ((Map<?, ?>) pre.get("input")).get("shape"));
            assertEquals(normalize, ((Map<?, ?>) pre.get("output")).get("l2_normalized"));

            float[] plain = plainDl4j(out.resolve("model.zip"), out.resolve("test_data_set_0/input_0.pb"));
            assertTrue(Runtimes.maxRelative(plain, y) < 1e-4, "a JVM without dml4j: " + Runtimes.maxRelative(plain, y));
        }
    }

    /**
     * model.zip restored and run in another JVM whose class path is this one's without dml4j's
     * classes (a second class loader in this JVM cannot do it: JavaCPP's native libraries load once
     * per process).
     */
    private static float[] plainDl4j(Path zip, Path input) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> entries = new ArrayList<>();
        for (String e : cp.split(java.io.File.pathSeparator)) {
            if (!e.endsWith("target/classes") && !e.endsWith("target/test-classes")
                    && !e.endsWith("target/classes/") && !e.endsWith("target/test-classes/")) {
                entries.add(e);
            }
        }
        Path source = dir.resolve("Check.java");
        Files.writeString(source, """
                import java.io.*;
                import java.nio.*;
                import java.nio.file.*;
                import org.deeplearning4j.nn.graph.ComputationGraph;
                import org.deeplearning4j.util.ModelSerializer;
                import org.nd4j.linalg.api.ndarray.INDArray;
                import org.nd4j.linalg.factory.Nd4j;

                public class Check {
                    public static void main(String[] a) throws Exception {
                        try {
                            Class.forName("org.dml4j.model.GemmConvolution");
                            System.out.println("dml4j is on the class path");
                            System.exit(3);
                        } catch (ClassNotFoundException expected) {
                            // as for a program that has DL4J but not dml4j
                        }
                        ComputationGraph net = ModelSerializer.restoreComputationGraph(new File(a[0]), false);
                        onnx.Onnx.TensorProto t = onnx.Onnx.TensorProto.parseFrom(Files.readAllBytes(Path.of(a[1])));
                        FloatBuffer fb = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                        float[] f = new float[fb.remaining()];
                        fb.get(f);
                        INDArray x = Nd4j.create(f, t.getDimsList().stream().mapToLong(Long::longValue).toArray(), 'c');
                        float[] y = net.outputSingle(x).dup('c').data().asFloat();
                        try (DataOutputStream o = new DataOutputStream(new FileOutputStream(a[2]))) {
                            o.writeInt(y.length);
                            for (float v : y) {
                                o.writeFloat(v);
                            }
                        }
                    }
                }
                """);
        Path result = dir.resolve("plain.bin");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dorg.bytedeco.javacpp.maxbytes=2G", "-cp", String.join(java.io.File.pathSeparator, entries),
                source.toString(), zip.toString(), input.toString(), result.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("plain.log").toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the plain-DL4J check finishes");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("plain.log")));
        try (DataInputStream in = new DataInputStream(Files.newInputStream(result))) {
            float[] y = new float[in.readInt()];
            for (int i = 0; i < y.length; i++) {
                y[i] = in.readFloat();
            }
            return y;
        }
    }

    @Test
    void badInputsAreRefusedWithTheRightCodeAndNothingHalfWritten() throws IOException {
        String[][] usage = {
            {"--pretrained_model", dir.resolve("nothing").toString(), "--output", dir.resolve("e1").toString(),
                "--pretrained_model " + dir.resolve("nothing") + ": not found"},
            {"--pretrained_model", ckpt.toString(), "--output", data.resolve("Ebay_test.txt").toString(),
                "exists; pass --overwrite=True"},
            {"--pretrained_model", ckpt.toString(), "--output", data.resolve("Ebay_test.txt/sub").toString(),
                "is a file, so nothing can be created under it"},
            {"--pretrained_model", ckpt.toString(), "--output", dir.resolve("e2").toString(), "--data_dir",
                dir.resolve("no-data").toString(), "list file not found"},
            {"--pretrained_model", ckpt.toString(), "--output", dir.resolve("e3").toString(), "--normalize=maybe",
                "'maybe' is not a boolean"},
        };
        for (String[] c : usage) {
            CommandLineTest.Run r = CommandLineTest.run(concat("export", java.util.Arrays.copyOf(c, c.length - 1)));
            assertTrue(r.code() == 2 || r.code() == 3, String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().contains(c[c.length - 1]), r.err());
        }
        assertFalse(Files.exists(dir.resolve("e1")) || Files.exists(dir.resolve("e2")) || Files.exists(dir.resolve("e3")));

        Path bare = dir.resolve("bare");
        Files.createDirectories(bare);
        Files.copy(ckpt.resolve(Checkpoints.MODEL_FILE), bare.resolve("weights.zip"));
        CommandLineTest.Run mismatch = CommandLineTest.run("export", "--pretrained_model",
                bare.resolve("weights.zip").toString(), "--output", dir.resolve("e4").toString());
        assertEquals(3, mismatch.code(), mismatch.err());
        assertTrue(mismatch.err().contains("is not a dml4j checkpoint"), mismatch.err());
        CommandLineTest.Run shape = CommandLineTest.run("export", "--pretrained_model", ckpt.toString(), "--output",
                dir.resolve("e6").toString(), "--image_shape", "3,64,64");
        assertEquals(4, shape.code(), shape.err());
        assertTrue(shape.err().contains("was trained at 3,32,32"), shape.err());

        // an --output that is, or holds, the checkpoint, the data or the working folder is refused even with
        // --overwrite (it would be deleted); an --output where no folder can be made is refused before any work
        String[][] precious = {
            {ckpt.toString(), "is the checkpoint being exported"},
            {ckpt.getParent().toString(), "holds the checkpoint being exported"},
            {ckpt.resolve("../..").toString(), "holds the checkpoint being exported"},
            {".", "is the current folder"},
            {"", "name a folder to write"},
            {"/proc/dml4j-export", "cannot create a folder in /proc"},
        };
        for (String[] c : precious) {
            CommandLineTest.Run r = CommandLineTest.run("export", "--pretrained_model", ckpt.toString(), "--output",
                    c[0], "--overwrite", "--data_dir", data.toString());
            assertEquals(2, r.code(), c[0] + ": " + r.err());
            assertTrue(r.err().contains(c[1]), r.err());
        }
        Path other = dir.resolve("copy");
        Files.createDirectories(other);
        for (String f : new String[] {Checkpoints.MODEL_FILE, Checkpoints.INFO_FILE}) {
            Files.copy(ckpt.resolve(f), other.resolve(f));
        }
        CommandLineTest.Run overData = CommandLineTest.run("export", "--pretrained_model", other.toString(), "--output",
                data.toString(), "--overwrite");
        assertEquals(2, overData.code(), overData.err());
        assertTrue(overData.err().contains("is the data root of the test batch"), overData.err());
        assertTrue(Files.exists(ckpt.resolve(Checkpoints.INFO_FILE)) && Files.exists(data.resolve("Ebay_test.txt")));

        // the checkpoint's recorded test list is gone and no --data_dir: said, nothing written
        Path moved = dir.resolve("moved");
        Files.createDirectories(moved);
        for (String f : new String[] {Checkpoints.MODEL_FILE, Checkpoints.INFO_FILE}) {
            Files.copy(ckpt.resolve(f), moved.resolve(f));
        }
        Files.writeString(moved.resolve(Checkpoints.INFO_FILE), Files.readString(moved.resolve(Checkpoints.INFO_FILE))
                .replace(data.resolve(Split.TEST.listFileName()).toString(), "/nowhere/Ebay_test.txt"));
        CommandLineTest.Run noList = CommandLineTest.run("export", "--pretrained_model", moved.toString(), "--output",
                dir.resolve("e5").toString());
        assertEquals(2, noList.code(), noList.err());
        assertTrue(noList.err().contains("pass --data_dir"), noList.err());
        CommandLineTest.Run withData = CommandLineTest.run("export", "--pretrained_model", moved.toString(), "--output",
                dir.resolve("e5").toString(), "--data_dir", data.toString());
        assertEquals(0, withData.code(), withData.err());

        // --overwrite replaces the folder as a whole: nothing of the old one stays; a path through ".." works;
        // a temporary folder left by a killed export is removed
        Files.writeString(dir.resolve("e5").resolve("stale.txt"), "old");
        Path killed = Files.createDirectories(dir.resolve(".e5.partial-" + Integer.MAX_VALUE + "-1"));
        CommandLineTest.Run again = CommandLineTest.run("export", "--pretrained_model", moved.toString(), "--output",
                dir.resolve("e5/../e5").toString(), "--data_dir", data.toString(), "--overwrite");
        assertEquals(0, again.code(), again.err());
        assertFalse(Files.exists(dir.resolve("e5").resolve("stale.txt")));
        assertTrue(Files.exists(dir.resolve("e5").resolve("model.onnx")));
        assertFalse(Files.exists(killed));
        try (var left = Files.list(dir)) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".e5")).toList());
        }
    }

    private static String[] concat(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
