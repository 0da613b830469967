package org.dml4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.dml4j.data.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Non-ASCII paths when no locale is set (containers, cron and CI often run with LANG unset):
 * commands run in subprocesses whose environment holds nothing but PATH, as {@code env -i} gives.
 * The files are made by the shell from octal escapes, so this test does not depend on the locale
 * of the JVM running it.
 */
class LocaleTest {
    @TempDir
    Path dir;

    private static final String CAFE = "caf\u00e9_final";
    private static final String ETE = "\u00e9t\u00e9.png";

    /** A data root whose only test class folder and image have non-ASCII names, listed in UTF-8. */
    private Path root() throws IOException, InterruptedException {
        Path root = Files.createDirectories(dir.resolve("data"));
        Path a = TestData.png(dir.resolve("a.png"), TestData.pattern(12, 10, 1));
        Path b = TestData.png(dir.resolve("b.png"), TestData.pattern(12, 10, 2));
        Process p = new ProcessBuilder("/bin/sh", "-c", "d=\"$1/$(printf 'caf\\303\\251_final')\"; mkdir -p \"$d\" &&"
                + " cp \"$2\" \"$d/$(printf '\\303\\251t\\303\\251.png')\" && cp \"$3\" \"$d/b.png\"", "sh",
                root.toString(), a.toString(), b.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        String list = "image_id class_id super_class_id path\n1 1 1 " + CAFE + "/" + ETE + "\n2 2 1 " + CAFE + "/b.png\n";
        Files.write(root.resolve("Ebay_test.txt"), list.getBytes(StandardCharsets.UTF_8));
        return root;
    }

    /** Exit code and output of {@code command} with an environment of PATH plus {@code env}. */
    private static String[] run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out: " + out);
        return new String[] {Integer.toString(p.exitValue()), out};
    }

    private static String classPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static final List<String> INFER = List.of("infer", "--use_gpu=False", "--model=ResNet18",
            "--image_shape=3,16,16", "--num_workers=1");

    @Test
    void theLauncherReadsNonAsciiPathsWithoutALocale() throws Exception {
        Path root = root();
        // a distribution (bin/ beside lib/) whose java stands in for the real one with the test classpath
        Path dist = Files.createDirectories(dir.resolve("dist/bin"));
        Files.createDirectories(dir.resolve("dist/lib"));
        Path launcher = Files.copy(Path.of("bin/dml4j"), dist.resolve("dml4j"), StandardCopyOption.COPY_ATTRIBUTES);
        Path fakeJava = Files.createDirectories(dir.resolve("jdk/bin")).resolve("java");
        Files.writeString(fakeJava, """
                #!/bin/bash
                # stands in for java: the launcher's -cp lib/* is replaced by the test classpath
                args=()
                while [ $# -gt 0 ]; do
                  if [ "$1" = -cp ]; then args+=(-cp "$TEST_CLASSPATH"); shift 2; else args+=("$1"); shift; fi
                done
                echo "LC_CTYPE=$LC_CTYPE LANG=${LANG:-} LC_ALL=${LC_ALL:-}"
                exec "$TEST_JAVA" "${args[@]}"
                """);
        assertTrue(fakeJava.toFile().setExecutable(true));
        Map<String, String> env = Map.of("JAVA_HOME", dir.resolve("jdk").toString(), "TEST_CLASSPATH", classPath(),
                "TEST_JAVA", java(), "DML4J_HEAP", "1g", "DML4J_OFFHEAP", "2g");

        List<String> split = new ArrayList<>(List.of("/bin/bash", launcher.toString()));
        split.addAll(INFER);
        split.addAll(List.of("--data_dir", root.toString(), "--output", dir.resolve("split").toString()));
        String[] r = run(split, env);
        assertEquals("0", r[0], r[1]);
        assertTrue(r[1].matches("(?s)LC_CTYPE=C\\.(UTF-8|utf8) LANG= LC_ALL=\n.*"), r[1]);
        assertArrayEquals((CAFE + "/" + ETE + "\n" + CAFE + "/b.png\n").getBytes(StandardCharsets.UTF_8),
                Files.readAllBytes(dir.resolve("split/paths.txt")), "the paths, in UTF-8");

        List<String> folder = new ArrayList<>(List.of("/bin/bash", launcher.toString()));
        folder.addAll(INFER);
        folder.addAll(List.of("--images", root.toString(), "--output", dir.resolve("folder").toString()));
        r = run(folder, Map.of("JAVA_HOME", env.get("JAVA_HOME"), "TEST_CLASSPATH", classPath(), "TEST_JAVA", java(),
                "DML4J_HEAP", "1g", "DML4J_OFFHEAP", "2g", "LC_ALL", "POSIX"));
        assertEquals("0", r[0], r[1]);
        assertTrue(r[1].matches("(?s)LC_CTYPE= LANG= LC_ALL=C\\.(UTF-8|utf8)\n.*"), "LC_ALL=POSIX is replaced: " + r[1]);
        assertArrayEquals((CAFE + "/b.png\n" + CAFE + "/" + ETE + "\n").getBytes(StandardCharsets.UTF_8),
                Files.readAllBytes(dir.resolve("folder/paths.txt")), "sorted, in UTF-8");

        // a locale that is named but not installed (LANG=en_US.UTF-8 in an image without it) is replaced whole
        List<String> missingLocale = new ArrayList<>(List.of("/bin/bash", launcher.toString()));
        missingLocale.addAll(INFER);
        missingLocale.addAll(List.of("--data_dir", root.toString(), "--output", dir.resolve("missing").toString()));
        r = run(missingLocale, Map.of("JAVA_HOME", env.get("JAVA_HOME"), "TEST_CLASSPATH", classPath(),
                "TEST_JAVA", java(), "DML4J_HEAP", "1g", "DML4J_OFFHEAP", "2g", "LANG", "xx_YY.UTF-8"));
        assertEquals("0", r[0], r[1]);
        assertTrue(r[1].matches("(?s)LC_CTYPE= LANG=xx_YY.UTF-8 LC_ALL=C\\.(UTF-8|utf8)\n.*"), r[1]);
        assertArrayEquals(Files.readAllBytes(dir.resolve("split/paths.txt")),
                Files.readAllBytes(dir.resolve("missing/paths.txt")));

        // a path on the command line whose bytes are not UTF-8 would name another file: refused
        r = run(List.of("/bin/sh", "-c", "exec /bin/bash \"$0\" infer --use_gpu=False --images \"$1\" --output"
                + " \"$1/$(printf 'out\\351')\"", launcher.toString(), root.toString()), env);
        assertEquals(Integer.toString(ExitCodes.USAGE), r[0], r[1]);
        assertTrue(r[1].contains("is not valid UTF-8 (undecodable bytes shown as \\uFFFD); rename it"), r[1]);

        // a name that is not UTF-8 at all (Latin-1 bytes) cannot be listed and read back: say so
        Process latin1 = new ProcessBuilder("/bin/sh", "-c", "cp \"$1\" \"$2/$(printf '\\351t\\351.png')\"", "sh",
                dir.resolve("a.png").toString(), root.toString()).inheritIO().start();
        assertEquals(0, latin1.waitFor());
        List<String> bad = new ArrayList<>(List.of("/bin/bash", launcher.toString()));
        bad.addAll(INFER);
        bad.addAll(List.of("--images", root.toString()));
        r = run(bad, env);
        assertEquals(Integer.toString(ExitCodes.DATA), r[0], r[1]);
        assertTrue(r[1].contains(": 1 image file names cannot be used:\n  '\\uFFFDt\\uFFFD.png' is not valid UTF-8"
                + " (undecodable bytes shown as \\uFFFD); rename it to UTF-8"), r[1]);
    }

    @Test
    void aJvmStartedWithoutALocaleSaysWhatToDo() throws Exception {
        Path root = root();
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx1g", "-cp", classPath(), "org.dml4j.cli.Dml4j"));
        cmd.addAll(INFER);
        cmd.addAll(List.of("--data_dir", root.toString()));
        String[] r = run(cmd, Map.of());
        assertEquals(Integer.toString(ExitCodes.DATA), r[0], r[1]);
        assertTrue(r[1].contains("Ebay_test.txt:2: column 4 (path): not a valid path"), r[1]);
        assertTrue(r[1].contains("because no UTF-8 locale is set: bin/dml4j sets LC_CTYPE=C.UTF-8 itself; when"
                + " starting java yourself, set LC_ALL=C.UTF-8"), r[1]);
    }
}
