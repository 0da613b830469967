package org.dml4j.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dml4j.error.DataException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The project's one rule for embeddings: non-finite values are data errors, zero rows have cosine 0. */
class EmbeddingsTest {

    @Test
    void nonFiniteValuesInAnyRowAreNamedWithTheirColumnAndValue() {
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int row : new int[] {0, 4, 9}) {
            for (float v : bad) {
                float[][] x = new float[10][3];
                for (int i = 0; i < 10; i++) {
                    x[i][0] = i + 1;
                }
                x[row][2] = v;
                DataException e = assertThrows(DataException.class, () -> Embeddings.requireFinite(
                        Nd4j.createFromArray(x), "f.npy", Embeddings.numberedRows()));
                assertTrue(e.getMessage().startsWith("f.npy: 1 of 10 embeddings hold NaN or infinite values"),
                        e.getMessage());
                assertTrue(e.getMessage().contains("row " + row + ": " + v + " in column 2"), e.getMessage());
                assertEquals(java.util.List.of(row), java.util.Arrays.stream(
                        Embeddings.nonFiniteRows(Nd4j.createFromArray(x))).boxed().toList());
                assertThrows(IllegalArgumentException.class,
                        () -> NearestNeighbours.search(Nd4j.createFromArray(x), 3, 4),
                        "the search never ranks a non-finite row");
            }
        }
        float[][] many = new float[12][2];
        for (int i = 0; i < 12; i += 2) {
            many[i][1] = Float.NaN;
        }
        String m = assertThrows(DataException.class, () -> Embeddings.requireFinite(Nd4j.createFromArray(many),
                "x", r -> "image " + r)).getMessage();
        assertTrue(m.contains("6 of 12 embeddings"), m);
        assertTrue(m.contains("image 8: NaN in column 1") && !m.contains("image 10"), "the first five are shown: " + m);
        Embeddings.requireFinite(Nd4j.createFromArray(new float[][] {{0, 0}, {Float.MAX_VALUE, -Float.MIN_VALUE}}),
                "finite", Embeddings.numberedRows());
    }

    @Test
    void normalisationKeepsZeroRowsZeroAndHandlesTheWholeFloatRange() {
        INDArray x = Nd4j.createFromArray(new float[][] {
            {0, 0, 0}, {3, 0, 4}, {3e38f, 3e38f, 0}, {Float.MIN_VALUE, 0, 0}, {-1e-30f, 1e-30f, 0}});
        INDArray n = Embeddings.normalizeRows(x);
        assertSame(x, n, "a float32 C-order array is normalised in place");
        double h = Math.sqrt(0.5);
        float[][] expected = {{0, 0, 0}, {0.6f, 0, 0.8f}, {(float) h, (float) h, 0}, {1, 0, 0}, {(float) -h, (float) h, 0}};
        for (int r = 0; r < expected.length; r++) {
            assertArrayEquals(expected[r], n.getRow(r).toFloatVector(), 1e-7f, "row " + r);
        }
        INDArray doubles = Nd4j.createFromArray(new double[][] {{0, 2}, {0, 0}});
        INDArray copy = Embeddings.normalizeRows(doubles);
        assertEquals(DataType.FLOAT, copy.dataType());
        assertArrayEquals(new float[] {0, 1, 0, 0}, copy.reshape(-1).toFloatVector());
        assertEquals(2.0, doubles.getDouble(0, 1), "other types are normalised as a copy");
        INDArray huge = Nd4j.createFromArray(new double[][] {{1e300, -1e300}, {1e-300, 0}, {Double.MAX_VALUE, 0}});
        assertArrayEquals(new float[] {(float) h, (float) -h, 1, 0, 1, 0},
                Embeddings.normalizeRows(huge).reshape(-1).toFloatVector(), 1e-7f, "the whole float64 range");
        INDArray view = Nd4j.createFromArray(new float[][] {{1, 1}, {0, 5}, {0, 0}}).get(NDArrayIndex.interval(1, 3),
                NDArrayIndex.all());
        assertArrayEquals(new float[] {0, 1, 0, 0}, Embeddings.normalizeRows(view).reshape(-1).toFloatVector());
    }

    @Test
    void searchRanksAnExactMatchFirstAndZeroRowsAtCosineZero() {
        float[][] index = {{0, 0}, {-1, 0}, {1, 1}, {2, 0}, {0, 0}, {0.5f, -0.5f}};
        NearestNeighbours.Ranking r = NearestNeighbours.rank(Nd4j.createFromArray(index), Nd4j.createFromArray(new float[][] {{3, 0}}));
        assertArrayEquals(new int[] {3, 2, 5, 0, 4, 1}, r.order());
        assertEquals(1.0f, r.cosines()[3], 1e-6f);
        assertEquals(0.0f, r.cosines()[0]);
        assertEquals(0.0f, r.cosines()[4]);
        assertEquals(-1.0f, r.cosines()[1], 1e-6f);
        NearestNeighbours.Ranking zeroQuery = NearestNeighbours.rank(Nd4j.createFromArray(index), Nd4j.createFromArray(new float[][] {{0, 0}}));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, zeroQuery.order(), "a zero query: cosine 0 to all, index order");
        for (float c : zeroQuery.cosines()) {
            assertEquals(0.0f, c);
        }
    }
}
