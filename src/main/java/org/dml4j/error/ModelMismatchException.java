package org.dml4j.error;

/**
 * A model that does not fit what was asked of it: a checkpoint trained with another
 * architecture, loss or batch layout than the flags say, or features of another width than an
 * index (the command line exits with code 4). The message names both values.
 */
public final class ModelMismatchException extends RuntimeException {
    public ModelMismatchException(String message) {
        super(message);
    }
}
