package org.dml4j.data;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our preprocessing against the original's, run by Python's cv2 and numpy
 * (src/test/resources/cv2_reference.py) on the same files and crop boxes. Needs
 * {@code python3} with cv2 (Debian: python3-opencv, which .ci/run installs); skipped without.
 */
class Cv2ReferenceTest {
    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path dir;

    static boolean cv2Available() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import cv2, numpy").redirectErrorStream(true).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private Path image(String name, int w, int h, int type, SplittableRandom rng) {
        try (Mat m = new Mat(h, w, type)) {
            byte[] px = new byte[w * h * m.channels()];
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) ((i * 7 / m.channels() + rng.nextInt(40)) & 0xff); // smooth-ish with noise
            }
            m.data().put(px);
            Path f = dir.resolve(name);
            if (!imwrite(f.toString(), m)) {
                throw new IllegalStateException("cannot write " + f);
            }
            return f;
        }
    }

    @Test
    void matchesTheOriginalsCv2PipelineBitForBit() throws Exception {
        assumeTrue(cv2Available(), "python3 with cv2 and numpy not available");
        SplittableRandom rng = new SplittableRandom(11);
        List<Path> files = new ArrayList<>(List.of(
                image("wide.jpg", 500, 375, CV_8UC3, rng),
                image("tall.jpg", 213, 390, CV_8UC3, rng),
                image("odd.png", 231, 157, CV_8UC3, rng),
                image("alpha.png", 120, 90, CV_8UC4, rng),
                image("small.jpg", 40, 30, CV_8UC3, rng)));
        // data after the end of the image (a motion photo's video, padding): cv2 ignores it, so must we
        byte[] trailer = new byte[3000];
        rng.nextBytes(trailer);
        trailer[10] = (byte) 0xFF;
        trailer[11] = (byte) 0xD9;
        for (String name : List.of("wide.jpg", "odd.png")) {
            byte[] clean = Files.readAllBytes(dir.resolve(name));
            byte[] longer = Arrays.copyOf(clean, clean.length + trailer.length);
            System.arraycopy(trailer, 0, longer, clean.length, trailer.length);
            files.add(Files.write(dir.resolve("trailer-" + name), longer));
        }
        int crop = 64;
        ImageTransform test = new ImageTransform(crop, false);
        ImageTransform train = new ImageTransform(crop, true);
        List<String> specs = new ArrayList<>();
        List<float[]> ours = new ArrayList<>();
        for (Path f : files) {
            float[] v = new float[test.volume()];
            test.apply(f, null, v, 0);
            ours.add(v);
            specs.add(f.toString());
            try (Mat bgr = ImageTransform.decode(f)) {
                for (int k = 0; k < 3; k++) {
                    CropGeometry.Box b = CropGeometry.inceptionCrop(bgr.rows(), bgr.cols(), rng);
                    boolean flip = k % 2 == 1;
                    float[] t = new float[train.volume()];
                    train.applyTrain(bgr, b, flip, t, 0);
                    ours.add(t);
                    specs.add(f + ":" + b.x() + ":" + b.y() + ":" + b.width() + ":" + b.height() + ":" + (flip ? 1 : 0));
                }
            }
        }
        Path script = Path.of("src/test/resources/cv2_reference.py");
        Path npy = dir.resolve("ref.npy");
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString(), npy.toString(), Integer.toString(crop)));
        cmd.addAll(specs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);

        ByteBuffer bb = ByteBuffer.wrap(Files.readAllBytes(npy)).order(ByteOrder.LITTLE_ENDIAN);
        bb.position(10 + bb.getShort(8)); // npy v1 header
        float[] ref = new float[ours.size() * test.volume()];
        bb.asFloatBuffer().get(ref);
        for (int i = 0; i < ours.size(); i++) {
            float[] v = ours.get(i);
            double max = 0;
            for (int j = 0; j < v.length; j++) {
                max = Math.max(max, Math.abs(v[j] - ref[i * v.length + j]));
            }
            assertEquals(0.0, max, 1e-6, "image " + specs.get(i) + " differs from cv2 by up to " + max);
        }
    }
}
