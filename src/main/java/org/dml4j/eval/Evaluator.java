package org.dml4j.eval;

import java.io.PrintWriter;
import org.dml4j.data.ImageList;
import org.dml4j.data.Split;

/** eval and infer over the test split. */
public final class Evaluator {
    private Evaluator() {
    }

    /**
     * Reads and checks the test split; feature extraction is not built yet.
     *
     * @throws UnsupportedOperationException always, after the data checks pass
     */
    public static void run(EvalConfig config, PrintWriter out) {
        ImageList test = ImageList.read(config.data().dataDir(), Split.TEST);
        out.println("val dataset size: " + test.classCount());
        test.requireImagesExist();
        out.println("data ok: " + test.size() + " test images");
        out.flush();
        throw new UnsupportedOperationException("feature extraction is not built yet in this version;"
                + " the data path was checked");
    }
}
