package org.dml4j.data;

import java.io.Serializable;

/**
 * One line of a list file.
 *
 * @param path  image path relative to the data root, as written in the list
 * @param label training or test label (see {@link Split})
 * @param line  1-based line number in the list file, for error messages
 */
public record Sample(String path, int label, int line) implements Serializable {
}
