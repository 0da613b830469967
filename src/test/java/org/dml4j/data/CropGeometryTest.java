package org.dml4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CropGeometryTest {

    @Test
    void inceptionCropSizeMatchesHandComputedValues() {
        // H=100, W=200, r=1: bound = min(2, 0.5) = 0.5, s = 0.08 + 0.42·0.5 = 0.29, t = √5800 = 76.16
        assertEquals(new CropGeometry.Size(76, 76), CropGeometry.inceptionCropSize(100, 200, 1.0, 0.5));
        // r=4/3: a = 1.1547, bound = min(1.5, 0.667), s = 0.3733, t = 86.41 -> 99.78 x 74.83
        assertEquals(new CropGeometry.Size(99, 74), CropGeometry.inceptionCropSize(100, 200, 4.0 / 3, 0.5));
        // H=300, W=100, r=3/4: bound = min(0.444, 4), s = 0.08 + 0.364·0.25 = 0.1711, t = 71.6 -> 62 x 82
        assertEquals(new CropGeometry.Size(62, 82), CropGeometry.inceptionCropSize(300, 100, 0.75, 0.25));
        // a tiny image still gives a non-empty crop
        assertEquals(new CropGeometry.Size(1, 1), CropGeometry.inceptionCropSize(3, 3, 1.0, 0.0));
    }

    @Test
    void inceptionCropsStayInsideTheImage() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int k = 0; k < 20_000; k++) {
            int h = 1 + rng.nextInt(600);
            int w = 1 + rng.nextInt(600);
            CropGeometry.Box b = CropGeometry.inceptionCrop(h, w, rng);
            assertTrue(b.x() >= 0 && b.y() >= 0 && b.width() >= 1 && b.height() >= 1, b::toString);
            assertTrue(b.x() + b.width() <= w && b.y() + b.height() <= h, () -> b + " in " + w + "x" + h);
            if (h >= 100 && w >= 100 && h <= 1.2 * w && w <= 1.2 * h) {
                // near-square images: the area fraction stays in the original's [0.08, 1] (less floor losses)
                double area = (double) b.width() * b.height() / ((double) w * h);
                assertTrue(area <= 1.0 && area >= 0.06, "area fraction " + area);
            }
        }
    }

    @Test
    void resizeShortRoundsTiesToEvenLikePython3() {
        assertEquals(new CropGeometry.Size(299, 224), CropGeometry.resizeShort(375, 500, 224));
        assertEquals(new CropGeometry.Size(8, 3), CropGeometry.resizeShort(2, 5, 3));   // 7.5 -> 8
        assertEquals(new CropGeometry.Size(6, 2), CropGeometry.resizeShort(4, 13, 2));  // 6.5 -> 6
        assertEquals(new CropGeometry.Size(224, 224), CropGeometry.resizeShort(10, 10, 224));
    }

    @Test
    void centreCropRoundsOffsetsDown() {
        assertEquals(new CropGeometry.Box(37, 0, 224, 224), CropGeometry.centreCrop(224, 299, 224));
        assertEquals(new CropGeometry.Box(2, 0, 3, 3), CropGeometry.centreCrop(3, 8, 3));
    }
}
