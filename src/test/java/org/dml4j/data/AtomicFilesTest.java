package org.dml4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that belong together are replaced together or not at all. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void aFailureWhileWritingTheSetReplacesNoneOfIt() throws IOException {
        Files.writeString(dir.resolve("features.npy"), "old features");
        Files.writeString(dir.resolve("paths.txt"), "old paths");
        Map<Path, AtomicFiles.Content> files = new LinkedHashMap<>();
        files.put(dir.resolve("features.npy"), o -> o.write("new features".getBytes()));
        files.put(dir.resolve("paths.txt"), AtomicFiles.lines(List.of("new paths")));
        files.put(dir.resolve("labels.txt"), o -> {
            throw new IOException("disk full");
        });
        assertEquals("disk full", assertThrows(IOException.class, () -> AtomicFiles.writeAll(files)).getMessage());
        assertEquals("old features", Files.readString(dir.resolve("features.npy")));
        assertEquals("old paths", Files.readString(dir.resolve("paths.txt")));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of("features.npy", "paths.txt"), left.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary file stays behind");
        }
        files.put(dir.resolve("labels.txt"), AtomicFiles.lines(List.of("1")));
        AtomicFiles.writeAll(files);
        assertEquals("new features", Files.readString(dir.resolve("features.npy")));
        assertEquals("new paths\n", Files.readString(dir.resolve("paths.txt")));
        assertEquals("1\n", Files.readString(dir.resolve("labels.txt")));
    }

    @Test
    void aTargetThatCannotBeReplacedLeavesTheWholeOldSet() throws IOException {
        Files.writeString(dir.resolve("features.npy"), "old features");
        Files.createDirectories(dir.resolve("paths.txt").resolve("inside"));
        Files.writeString(dir.resolve("labels.txt"), "old labels");
        Map<Path, AtomicFiles.Content> files = new LinkedHashMap<>();
        for (String name : List.of("features.npy", "paths.txt", "labels.txt")) {
            files.put(dir.resolve(name), AtomicFiles.lines(List.of("new")));
        }
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeAll(files));
        assertEquals(dir.resolve("paths.txt") + " is a folder, not a file", e.getMessage());
        assertEquals("old features", Files.readString(dir.resolve("features.npy")));
        assertEquals("old labels", Files.readString(dir.resolve("labels.txt")));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(3, left.count(), "nothing else left behind");
        }
    }

    @Test
    void aFolderIsReplacedWholeOrNotAtAll() throws IOException {
        Path target = dir.resolve("export");
        AtomicFiles.writeFolder(target, d -> Files.writeString(d.resolve("a.txt"), "first"));
        assertEquals("first", Files.readString(target.resolve("a.txt")));
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeFolder(target, d -> {
            Files.writeString(d.resolve("a.txt"), "second");
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("first", Files.readString(target.resolve("a.txt")), "the old folder is untouched");
        try (Stream<Path> entries = Files.list(dir)) {
            assertEquals(List.of(target), entries.toList(), "no temporary folder left behind");
        }
        AtomicFiles.writeFolder(target, d -> Files.writeString(d.resolve("b.txt"), "third"));
        assertEquals(List.of("b.txt"), Files.list(target).map(p -> p.getFileName().toString()).toList(),
                "a replacement has nothing of the old folder");
    }

    @Test
    void outputsAreCheckedBeforeAnyWork() throws IOException {
        Path file = Files.writeString(dir.resolve("f"), "x");
        assertEquals("--output " + file + ": exists and is not a folder", assertThrows(
                org.dml4j.error.UsageException.class, () -> AtomicFiles.requireWritable(file, true, "--output"))
                .getMessage());
        assertEquals("--json " + dir + ": is a folder, not a file", assertThrows(org.dml4j.error.UsageException.class,
                () -> AtomicFiles.requireWritable(dir, false, "--json")).getMessage());
        AtomicFiles.requireWritable(dir.resolve("new/deeper/x"), true, "--output");
        AtomicFiles.requireWritable(dir.resolve("new.json"), false, "--json");
    }
}
