package org.dml4j.train;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns the first Ctrl-C (SIGINT) during training into a request the loop honours after the
 * current step (save a checkpoint, then stop); a second Ctrl-C falls through to the default
 * handling and ends the process at once.
 */
final class InterruptFlag {
    private static final Signal INT = new Signal("INT");

    private volatile boolean requested;
    private SignalHandler previous;

    void install() {
        try {
            previous = Signal.handle(INT, signal -> {
                if (requested && previous != null) {
                    previous.handle(signal);
                }
                requested = true;
                System.err.println("interrupt: saving a checkpoint after this step (Ctrl-C again to quit now)");
            });
        } catch (IllegalArgumentException e) {
            previous = null;   // no SIGINT on this platform or the JVM reserves it (-Xrs)
        }
    }

    void uninstall() {
        if (previous != null) {
            Signal.handle(INT, previous);
        }
    }

    boolean requested() {
        return requested;
    }
}
