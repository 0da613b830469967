package org.dml4j.error;

/**
 * A flag, a flag value or a combination of flags that cannot be used, found by checking the
 * configuration (the command line exits with code 2). The message names the flag and the value.
 */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
