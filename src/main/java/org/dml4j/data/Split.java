package org.dml4j.data;

/**
 * Which list a file is. The original labels training images {@code class_id - 1} (so that they
 * index a classifier of width {@code class_dim}) and test images {@code class_id} (used only for
 * equality).
 */
public enum Split {
    TRAIN("Ebay_train.txt", -1),
    TEST("Ebay_test.txt", 0);

    private final String listFileName;
    private final int labelOffset;

    Split(String listFileName, int labelOffset) {
        this.listFileName = listFileName;
        this.labelOffset = labelOffset;
    }

    /** File name of this split's list inside the data root. */
    public String listFileName() {
        return listFileName;
    }

    int label(int classId) {
        return classId + labelOffset;
    }
}
