package org.dml4j.data;

/**
 * Bad input data: a malformed list line, a missing or undecodable image, a data set that does not
 * fit the requested sampling. The message names the file (and line, where there is one).
 */
public final class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
