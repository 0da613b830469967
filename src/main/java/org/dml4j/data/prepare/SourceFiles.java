package org.dml4j.data.prepare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dml4j.data.FileNames;
import org.dml4j.data.TextLines;
import org.dml4j.data.VisibleText;
import org.dml4j.error.DataException;

/**
 * Reading a source data set's text files and checking the image paths they name, with messages
 * that name {@code file:line}.
 */
final class SourceFiles {
    /** How many missing or unusable files a message names before it only counts them. */
    static final int SHOWN = 5;

    private SourceFiles() {
    }

    /**
     * The lines of a source text file ({@link TextLines#read}: UTF-8, any line ends).
     *
     * @param what what the file is, for the message ("image list", "pairs file")
     * @throws DataException naming the file when it is missing or unreadable
     */
    static List<String> lines(Path file, String what) {
        try {
            return TextLines.read(file);
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": " + what + " not found");
        } catch (IOException e) {
            throw DataException.reading(file, what, e);
        }
    }

    /** The whitespace-separated columns of a line ({@code []} for a blank line). */
    static String[] columns(String line) {
        String s = line.strip();
        return s.isEmpty() ? new String[0] : s.split("\\s+");
    }

    /** {@code file:line: }, the prefix of a message about one line. */
    static String at(Path file, int line) {
        return file + ":" + line + ": ";
    }

    /**
     * A whole number in {@code min..Integer.MAX_VALUE} written in ASCII digits (a leading {@code -}
     * allowed when {@code min < 0}).
     *
     * @param where  message prefix ({@link #at})
     * @param column what the token is, e.g. "column 1 (image_id)"
     * @throws DataException naming the place, the column and the token
     */
    static int integer(String token, int min, String where, String column) {
        if (!token.matches(min < 0 ? "-?[0-9]{1,10}" : "[0-9]{1,10}")) {
            throw new DataException(where + column + ": expected a whole number, got " + VisibleText.quote(token));
        }
        long v = Long.parseLong(token);
        if (v < min || v > Integer.MAX_VALUE) {
            throw new DataException(where + column + ": must be in " + min + ".." + Integer.MAX_VALUE + ", got " + token);
        }
        return (int) v;
    }

    /**
     * Why {@code rel} cannot be a path column of a list file, or null: whitespace or another space
     * character (whitespace separates the columns), a name the JVM cannot turn into a file
     * ({@link FileNames#problem}), an absolute path, or a {@code ..} part (which could leave the linked folder).
     */
    static String pathProblem(String rel) {
        for (int i = 0; i < rel.length(); i++) {
            char c = rel.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                return VisibleText.quote(rel) + " has whitespace in it, which the columns of a list file cannot hold;"
                        + " rename it";
            }
        }
        String problem = FileNames.problem(rel);
        if (problem != null) {
            return problem;
        }
        if (rel.isEmpty() || rel.startsWith("/") || rel.startsWith("\\") || Path.of(rel).isAbsolute()) {
            return VisibleText.quote(rel) + " is not a relative path";
        }
        if (List.of(rel.split("/")).contains("..")) {
            return VisibleText.quote(rel) + " leaves its folder (..)";
        }
        return null;
    }

    /**
     * Refuses a missing source folder.
     *
     * @param hint what the folder should be, appended to the message, e.g. "(is --source the CUB_200_2011 folder?)"
     * @throws DataException naming the folder
     */
    static void requireFolder(Path dir, String hint) {
        if (!Files.isDirectory(dir)) {
            throw new DataException(dir + ": " + (Files.exists(dir) ? "not a folder" : "no such folder")
                    + (hint.isEmpty() ? "" : " " + hint));
        }
    }

    /**
     * Collects problems found one file (or line) at a time and reports them together: the count and
     * the first {@link #SHOWN}, so that one run shows how much is wrong.
     */
    static final class Problems {
        private final List<String> shown = new ArrayList<>();
        private int count;

        /** Records one problem, e.g. "images.txt:12: images/001.x/y.jpg". */
        void add(String description) {
            count++;
            if (shown.size() < SHOWN) {
                shown.add(description);
            }
        }

        /** Records {@code file} as missing (described by {@code description}) when it is not a regular file. */
        void requireFile(Path file, String description) {
            if (!Files.isRegularFile(file)) {
                Path twin = FileNames.normalisationTwin(file);
                add(description + (twin == null ? "" : " (a file whose name differs only in Unicode"
                        + " normalisation is there: " + VisibleText.quote(twin.getFileName().toString()) + ")"));
            }
        }

        /** Number recorded. */
        int count() {
            return count;
        }

        /**
         * Throws when any was recorded.
         *
         * @param what the start of the message, e.g. "CUB/images.txt: 3 of 11788 listed images are missing";
         *             the first few problems follow it
         */
        void throwIfAny(String what) {
            if (count > 0) {
                throw new DataException(what + (count > shown.size() ? ", first " + shown.size() : "") + ":\n  "
                        + String.join("\n  ", shown));
            }
        }
    }
}
