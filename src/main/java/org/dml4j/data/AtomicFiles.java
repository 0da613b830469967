package org.dml4j.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a file through a temporary sibling and a rename, so a crash or a full disk never leaves
 * a half-written file under the real name, and an existing file stays intact until the new one is
 * complete.
 */
public final class AtomicFiles {
    /** The content to write. */
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Writes {@code target} atomically (creating its folder); the temporary file is removed on failure. */
    public static void write(Path target, Content content) throws IOException {
        writeAll(Map.of(target, content));
    }

    /**
     * Writes several files that belong together (features.npy, paths.txt, labels.txt): every one
     * goes to a temporary file first, and only when all are complete are they renamed into place,
     * so a failure (a full disk, an error while computing the content) replaces none of them.
     */
    public static void writeAll(Map<Path, Content> files) throws IOException {
        Map<Path, Path> written = new LinkedHashMap<>();
        try {
            for (Map.Entry<Path, Content> f : files.entrySet()) {
                Path target = f.getKey();
                Path dir = target.toAbsolutePath().getParent();
                Files.createDirectories(dir);
                Path tmp = dir.resolve("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                        + System.nanoTime());
                written.put(target, tmp);
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
                    f.getValue().writeTo(out);
                }
            }
            for (Map.Entry<Path, Path> w : written.entrySet()) {
                move(w.getValue(), w.getKey());
            }
        } finally {
            for (Path tmp : written.values()) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Renames {@code from} to {@code to} (replacing it), atomically where the file system can. */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Writes lines (each followed by a newline) in UTF-8, atomically. */
    public static void writeLines(Path target, Iterable<String> lines) throws IOException {
        write(target, lines(lines));
    }

    /** Content of lines, each followed by a newline, in UTF-8. */
    public static Content lines(Iterable<String> lines) {
        return out -> {
            for (String line : lines) {
                out.write(line.getBytes(StandardCharsets.UTF_8));
                out.write('\n');
            }
        };
    }
}
