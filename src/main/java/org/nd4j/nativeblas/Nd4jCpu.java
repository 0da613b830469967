package org.nd4j.nativeblas;

import java.lang.reflect.Method;

/**
 * Compatibility shim, the one class dml4j puts outside {@code org.dml4j}: Deeplearning4j
 * 1.0.0-M2.1 decides whether its oneDNN layer helpers may run by calling
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment.getInstance().isUseMKLDNN()} by reflection, but
 * nd4j-native M2.1 moved that class to
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment#isUseONEDNN}. Without this
 * class every helper is dropped and ResNet training runs 2.2× slower (ResNet50, 64 px, measured
 * with the rest of dml4j's CPU paths; 4–5× before them). It answers by delegating to
 * the new location (found by reflection, so the CUDA build, which lacks it, still compiles).
 */
public final class Nd4jCpu {
    private Nd4jCpu() {
    }

    /** Stands in for the old {@code Nd4jCpu.Environment}. */
    public static final class Environment {
        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        /** Whether the native library was built with oneDNN and has it switched on. */
        public boolean isUseMKLDNN() {
            try {
                Class<?> c = Class.forName("org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment");
                Object env = c.getMethod("getInstance").invoke(null);
                Method m = c.getMethod("isUseONEDNN");
                return (Boolean) m.invoke(env);
            } catch (ReflectiveOperationException | LinkageError e) {
                return false;
            }
        }
    }
}
