package org.dml4j.model.cpu;

/** Runs test code with the training layers' direct oneDNN path switched off ({@link OneDnn#PROPERTY}). */
final class OneDnnTesting {
    private OneDnnTesting() {
    }

    static void without(Runnable body) {
        String before = System.getProperty(OneDnn.PROPERTY);
        System.setProperty(OneDnn.PROPERTY, "false");
        try {
            body.run();
        } finally {
            if (before == null) {
                System.clearProperty(OneDnn.PROPERTY);
            } else {
                System.setProperty(OneDnn.PROPERTY, before);
            }
        }
    }
}
