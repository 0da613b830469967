package org.dml4j.error;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Bad input data: a malformed list line, a missing or undecodable image, a data set that does not
 * fit the requested sampling, too little data for what is asked (the command line exits with code 3).
 * The message names the file (and line, where there is one) and what is needed.
 */
public final class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "FILE: cannot read WHAT: no such file" (or permission denied, is a folder, …). */
    public static DataException reading(Path file, String what, IOException e) {
        return new DataException(file + ": cannot read " + what + ": " + reason(e), e);
    }

    /** Why an I/O operation failed, without repeating the file name the message already has. */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return String.valueOf(e.getMessage());
    }
}
