package org.dml4j.model.cpu;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/** What dml4j's CPU layers share: when their own path applies, and its arrays. */
public final class CpuArrays {
    private CpuArrays() {
    }

    /** A rank-4 float or double array on the CPU backend (other cases go to DL4J's layers). */
    static boolean ownPathFor(INDArray x) {
        return x.rank() == 4 && (x.dataType() == DataType.FLOAT || x.dataType() == DataType.DOUBLE)
                && Nd4j.getEnvironment().isCPU();
    }

    /**
     * The gradient through a ReLU from its output y: dy where y &gt; 0, else 0 (y &gt; 0 exactly where its
     * input was), one operation, into a new array of the given kind.
     */
    static INDArray reluGradient(INDArray y, INDArray dy, ArrayType type, LayerWorkspaceMgr mgr) {
        INDArray dx = mgr.createUninitialized(type, dy.dataType(), dy.shape(), 'c');
        Nd4j.exec(DynamicCustomOp.builder("relu_bp").addInputs(y, dy).addOutputs(dx).addFloatingPointArguments(0.0).build());
        return dx;
    }

    /** The array itself when it is a plain C-ordered buffer, else a C-ordered copy in the given workspace. */
    static INDArray contiguous(INDArray a, ArrayType type, LayerWorkspaceMgr mgr) {
        return a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a) && !a.isView() ? a : mgr.dup(type, a, 'c');
    }
}
