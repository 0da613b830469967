package org.dml4j.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dml4j.error.UsageException;

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

    /**
     * Checks, before any work, that {@code target} can be written where a command will write it
     * later: as a folder ({@code folder}) or a file, existing or created under its nearest
     * existing ancestor, which must be a writable folder. Saves a long run from failing at its end.
     *
     * @param flag the flag that named it, for the message
     * @throws UsageException naming the flag, the path and what is in the way
     */
    public static void requireWritable(Path target, boolean folder, String flag) {
        Path p = target.toAbsolutePath().normalize();
        String at = flag + " " + target + ": ";
        if (Files.exists(p)) {
            if (folder && !Files.isDirectory(p)) {
                throw new UsageException(at + "exists and is not a folder");
            }
            if (!folder && Files.isDirectory(p)) {
                throw new UsageException(at + "is a folder, not a file");
            }
            Path dir = folder ? p : p.getParent();
            if (dir != null && !Files.isWritable(dir)) {
                throw new UsageException(at + "permission denied (" + dir + " is not writable)");
            }
            return;
        }
        Path ancestor = p.getParent();
        while (ancestor != null && !Files.exists(ancestor)) {
            ancestor = ancestor.getParent();
        }
        if (ancestor == null) {
            return;
        }
        if (!Files.isDirectory(ancestor)) {
            throw new UsageException(at + ancestor + " is a file, so nothing can be created under it");
        }
        if (!Files.isWritable(ancestor)) {
            throw new UsageException(at + "permission denied (" + ancestor + " is not writable)");
        }
    }

    /** Writes {@code target} atomically (creating its folder); the temporary file is removed on failure. */
    public static void write(Path target, Content content) throws IOException {
        writeAll(Map.of(target, content));
    }

    /**
     * Writes several files that belong together (features.npy, paths.txt, labels.txt): every one
     * goes to a temporary file first; only when all are complete are the existing files set aside
     * and the new ones renamed into place, and if a rename fails, the ones already renamed are
     * removed and the set-aside files put back. So a failure (a full disk, an error while computing
     * the content, a target that cannot be replaced) leaves the old set as it was.
     */
    public static void writeAll(Map<Path, Content> files) throws IOException {
        for (Path target : files.keySet()) {
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(target + " is a folder, not a file");
            }
        }
        Map<Path, Path> written = new LinkedHashMap<>();
        Map<Path, Path> setAside = new LinkedHashMap<>();
        List<Path> placed = new ArrayList<>();
        try {
            for (Map.Entry<Path, Content> f : files.entrySet()) {
                Path tmp = sibling(f.getKey(), "tmp");
                written.put(f.getKey(), tmp);
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
                    f.getValue().writeTo(out);
                }
            }
            try {
                for (Path target : written.keySet()) {
                    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                        Path old = sibling(target, "old");
                        move(target, old);
                        setAside.put(target, old);
                    }
                }
                for (Map.Entry<Path, Path> w : written.entrySet()) {
                    move(w.getValue(), w.getKey());
                    placed.add(w.getKey());
                }
            } catch (IOException e) {
                for (Path p : placed) {
                    Files.deleteIfExists(p);
                }
                for (Map.Entry<Path, Path> a : setAside.entrySet()) {
                    move(a.getValue(), a.getKey());
                }
                setAside.clear();
                throw e;
            }
            for (Path old : setAside.values()) {
                try {
                    Files.deleteIfExists(old);
                } catch (IOException e) {
                    // the new set is in place; a leftover hidden copy of the old file is harmless
                }
            }
        } finally {
            for (Path tmp : written.values()) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** What fills a folder: files written under the given (temporary) folder. */
    public interface FolderContent {
        void writeInto(Path folder) throws IOException;
    }

    /**
     * Writes a whole folder as one step: {@code content} fills a hidden temporary folder beside
     * {@code target}, which is then renamed to {@code target}; an existing {@code target} is set
     * aside first and deleted only once the new folder is in place (put back if the rename fails).
     * A failure anywhere, Ctrl-C or SIGTERM included, leaves {@code target} as it was and no
     * temporary folder behind; temporary folders left by processes killed outright (SIGKILL, power
     * loss) are removed by the next write of the same target.
     *
     * @throws IOException from the content or the renames; when the old folder cannot be put back,
     *                     the message says where it is
     */
    public static void writeFolder(Path target, FolderContent content) throws IOException {
        Path t = target.toAbsolutePath().normalize();
        removeStalePartials(t);
        Path tmp = sibling(t, "partial");
        Thread cleanup = new Thread(() -> {
            try {
                deleteTree(tmp);
            } catch (IOException e) {
                // exiting anyway; the next write of this target removes it
            }
        });
        Runtime.getRuntime().addShutdownHook(cleanup);
        Path old = null;
        try {
            Files.createDirectory(tmp);
            content.writeInto(tmp);
            if (Files.exists(t, LinkOption.NOFOLLOW_LINKS)) {
                old = sibling(t, "old");
                move(t, old);
            }
            try {
                move(tmp, t);
            } catch (IOException e) {
                if (old != null) {
                    Path aside = old;
                    old = null;           // kept whatever happens next: it is the user's folder
                    try {
                        move(aside, t);
                    } catch (IOException again) {
                        e.addSuppressed(again);
                        throw new IOException(e.getMessage() + "; the previous " + t.getFileName() + " is at " + aside,
                                e);
                    }
                }
                throw e;
            }
        } finally {
            deleteTree(tmp);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs (and finds nothing)
            }
            if (old != null) {
                try {
                    deleteTree(old);
                } catch (IOException e) {
                    // the new folder is in place; a leftover hidden copy of the old one is harmless
                }
            }
        }
    }

    /** Deletes the hidden temporary folders of {@code target} whose writing process no longer runs. */
    private static void removeStalePartials(Path target) {
        Path dir = target.getParent();
        String prefix = "." + target.getFileName() + ".partial-";
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.filter(e -> e.getFileName().toString().startsWith(prefix)).toList()) {
                String rest = p.getFileName().toString().substring(prefix.length());
                int dash = rest.indexOf('-');
                try {
                    long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                    if (ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
                        deleteTree(p);
                    }
                } catch (NumberFormatException | IOException e) {
                    // not ours, or not removable: left alone
                }
            }
        } catch (IOException e) {
            // a folder that cannot be listed fails later with a clear error
        }
    }

    /**
     * Refuses a folder that would replace or delete something precious: writing {@code target}
     * with an overwrite deletes everything in it, so it must not be, or hold, {@code precious}
     * (the input being exported, the data, the working folder).
     *
     * @param flag the flag naming {@code target}
     * @param what what {@code precious} is, for the message
     * @throws UsageException naming both
     */
    public static void requireNotOver(Path target, Path precious, String flag, String what) {
        Path t = target.toAbsolutePath().normalize();
        Path p = precious.toAbsolutePath().normalize();
        if (p.startsWith(t)) {
            throw new UsageException(flag + " " + target + (p.equals(t) ? " is " : " holds ") + what + " (" + precious
                    + "); writing it would delete " + (p.equals(t) ? "it" : "that") + ": choose a new folder");
        }
    }

    /**
     * Checks up front that a folder can be created beside {@code target} (where {@link #writeFolder}
     * builds it): creates and removes an empty hidden folder there.
     *
     * @throws UsageException naming the flag and the reason
     */
    public static void requireFolderCreatable(Path target, String flag) {
        Path t = target.toAbsolutePath().normalize();
        if (target.toString().isEmpty() || t.getParent() == null) {
            throw new UsageException(flag + " " + VisibleText.quote(target.toString()) + ": name a folder to write");
        }
        Path dir = t.getParent();
        while (!Files.exists(dir) && dir.getParent() != null) {
            dir = dir.getParent();         // what is missing is created later; probe where it would start
        }
        if (!Files.isDirectory(dir)) {
            throw new UsageException(flag + " " + target + ": " + dir + " is a file, so nothing can be created under it");
        }
        try {
            Path probe = dir.resolve("." + t.getFileName() + ".probe-" + ProcessHandle.current().pid());
            Files.createDirectory(probe);
            Files.delete(probe);
        } catch (IOException e) {
            throw new UsageException(flag + " " + target + ": cannot create a folder in " + dir + " ("
                    + e.getClass().getSimpleName().replace("Exception", "") + (e.getMessage() == null ? ""
                    : ": " + e.getMessage()) + ")");
        }
    }

    /** Deletes a file or a folder with everything in it; nothing when it does not exist. */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (java.util.stream.Stream<Path> entries = Files.list(p)) {
                for (Path e : entries.toList()) {
                    deleteTree(e);
                }
            }
        }
        Files.delete(p);
    }

    /** A hidden file beside {@code target} (its folder created) for writing or setting aside. */
    private static Path sibling(Path target, String kind) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        return dir.resolve("." + target.getFileName() + "." + kind + "-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime());
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
