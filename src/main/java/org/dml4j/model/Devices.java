package org.dml4j.model;

import org.dml4j.error.UsageException;

/** What compute devices this build can use. */
public final class Devices {
    /** The ND4J CUDA backend's entry class; present only in the {@code -Pcuda} build. */
    private static final String CUDA_BACKEND = "org.nd4j.linalg.jcublas.JCublasBackend";

    private Devices() {
    }

    /** Whether the CUDA backend is on the class path (checked without starting ND4J). */
    public static boolean cudaBuild() {
        try {
            Class.forName(CUDA_BACKEND, false, Devices.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * Whether this build can honour {@code --use_gpu}; the commands ask before anything else (the
     * original printed its whole configuration first), since {@code --use_gpu=True} is the default.
     *
     * @throws UsageException saying what to do when {@code --use_gpu=True} and this is the CPU build
     */
    public static void requireGpuSupport(boolean useGpu) {
        if (useGpu && !cudaBuild()) {
            throw new UsageException("--use_gpu=True needs the CUDA build (mvn -Pcuda package, README 'GPU');"
                    + " this build runs on the CPU: pass --use_gpu=False");
        }
    }

    /**
     * How many data-parallel replicas {@code --num_devices} asks for: the number itself, or for 0
     * every visible GPU (CUDA_VISIBLE_DEVICES, else all) with {@code --use_gpu=True}, else 1.
     *
     * @throws UsageException when {@code numDevices} is negative
     */
    public static int replicas(int numDevices, boolean useGpu) {
        if (numDevices < 0) {
            throw new UsageException("--num_devices must be >= 0 (0: every visible GPU, or 1 on the CPU), got "
                    + numDevices);
        }
        if (numDevices > 0) {
            return numDevices;
        }
        return useGpu && cudaBuild() ? org.nd4j.linalg.factory.Nd4j.getAffinityManager().getNumberOfDevices() : 1;
    }
}
