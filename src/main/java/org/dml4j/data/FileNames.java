package org.dml4j.data;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.text.Normalizer;
import org.dml4j.error.DataException;

/**
 * File names as text: dml4j reads and writes them as UTF-8 (lists, paths.txt) and the JVM turns
 * them into paths with the charset its locale gave it at start-up ({@code sun.jnu.encoding}). This
 * class says when the two disagree and what to do about it.
 */
public final class FileNames {
    private FileNames() {
    }

    /** The charset this JVM uses for file names ({@code sun.jnu.encoding}, fixed by the locale at start-up). */
    public static String encoding() {
        return System.getProperty("sun.jnu.encoding", "UTF-8");
    }

    /** Why a name may fail when the JVM's file-name charset is not UTF-8, and the fix; "" otherwise. */
    public static String encodingHint() {
        String jnu = encoding();
        boolean utf8;
        try {
            utf8 = Charset.forName(jnu).equals(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            utf8 = false;
        }
        return utf8 ? "" : " (this JVM encodes file names as " + jnu + " because no UTF-8 locale is set:"
                + " bin/dml4j sets LC_CTYPE=C.UTF-8 itself; when starting java yourself, set LC_ALL=C.UTF-8)";
    }

    /**
     * Why {@code name} cannot be used as a path, or null: bytes that were not valid in the JVM's
     * file-name charset (decoded to U+FFFD, so the name no longer says which file was meant), or
     * characters the charset cannot encode.
     */
    public static String problem(String name) {
        if (name.indexOf('\uFFFD') >= 0) {
            String hint = encodingHint();
            return VisibleText.quote(name) + " is not valid " + encoding() + " (undecodable bytes shown as \\uFFFD)"
                    + (hint.isEmpty() ? "; rename it to UTF-8 (for example convmv -f latin1 -t utf-8)" : hint);
        }
        try {
            Path.of(name);
            return null;
        } catch (InvalidPathException e) {
            return "not a valid path " + VisibleText.quote(name) + ": " + e.getReason() + encodingHint();
        }
    }

    /**
     * {@code name} as a path.
     *
     * @param where prefix of the message, e.g. {@code "list.txt:3: column 4 (path): "}
     * @throws DataException when {@link #problem} finds one
     */
    public static Path toPath(String name, String where) {
        String problem = problem(name);
        if (problem != null) {
            throw new DataException(where + problem);
        }
        return Path.of(name);
    }

    /**
     * For a file that is not there: a file in the same folder whose name differs only in Unicode
     * normalisation (é as one character or as e + combining accent, which look the same), or null.
     */
    public static Path normalisationTwin(Path missing) {
        Path dir = missing.toAbsolutePath().getParent();
        Path name = missing.getFileName();
        if (dir == null || name == null || !Files.isDirectory(dir)) {
            return null;
        }
        String wanted = Normalizer.normalize(name.toString(), Normalizer.Form.NFC);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String n = p.getFileName().toString();
                if (!n.equals(name.toString()) && Normalizer.normalize(n, Normalizer.Form.NFC).equals(wanted)) {
                    return p;
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }
}
