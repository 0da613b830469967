package org.dml4j.math;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class FiniteTest {
    @Test
    void oneNanOrInfinityAnywhereIsFoundAndTheLargestFiniteValuesPass() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray a = Nd4j.rand(type, 1000, 37);
            assertTrue(Finite.all(a));
            a.putScalar(999, 36, type == DataType.FLOAT ? Float.MAX_VALUE : Double.MAX_VALUE);
            a.putScalar(0, 0, -(type == DataType.FLOAT ? Float.MAX_VALUE : Double.MAX_VALUE));
            assertTrue(Finite.all(a), "the largest finite values are finite");
            INDArray overflowing = a.dup();
            overflowing.putScalar(0, 0, type == DataType.FLOAT ? Float.MAX_VALUE : Double.MAX_VALUE);
            assertTrue(Double.isInfinite(overflowing.sumNumber().doubleValue()), "their sum overflows");
            assertTrue(Finite.all(overflowing), "and they are still finite");
            for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
                INDArray b = a.dup();
                b.putScalar(517, 3, bad);
                assertFalse(Finite.all(b), type + " " + bad);
                assertFalse(Finite.all(b.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(500, 600),
                        org.nd4j.linalg.indexing.NDArrayIndex.all())), "in a view: " + type + " " + bad);
                assertTrue(Finite.all(b.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 500),
                        org.nd4j.linalg.indexing.NDArrayIndex.all())), "a view without it");
            }
        }
    }
}
