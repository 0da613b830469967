package org.dml4j.data;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.dml4j.error.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Thousands of random and mutated list lines: only clear file:line errors, never another exception. */
class ImageListFuzzTest {
    private static final String[] GOOD = {"1 1 1 bicycle_final/111085122871_0.JPG", "image_id class_id super_class_id path",
        "22 7 3 chair_final/2_0.JPG", "60502 22634 12 toaster_final/x.jpg"};
    private static final String ALPHABET = " \t0123456789-+.abc_/\\:\u0000\u00e9\u4e2d\r\u000b#'\"";

    @TempDir
    Path dir;

    private static String mutate(String line, SplittableRandom r) {
        StringBuilder sb = new StringBuilder(line);
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int pos = sb.length() == 0 ? 0 : r.nextInt(sb.length() + 1);
            switch (r.nextInt(4)) {
                case 0 -> sb.insert(pos, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
                case 1 -> { if (sb.length() > 0) sb.deleteCharAt(Math.min(pos, sb.length() - 1)); }
                case 2 -> sb.insert(pos, Long.toString(r.nextLong()));
                default -> sb.insert(pos, "../");
            }
        }
        return sb.toString();
    }

    @Test
    void everyFailureIsADataExceptionWithFileAndLine() throws IOException {
        SplittableRandom r = new SplittableRandom(42);
        Path file = dir.resolve("Ebay_train.txt");
        Pattern located = Pattern.compile(Pattern.quote(file.toString()) + "(:\\d+: .+|: no image lines in list file)");
        int failures = 0;
        for (int trial = 0; trial < 3000; trial++) {
            StringBuilder text = new StringBuilder();
            int lines = 1 + r.nextInt(5);
            for (int i = 0; i < lines; i++) {
                String base = GOOD[r.nextInt(GOOD.length)];
                text.append(r.nextInt(3) == 0 ? base : mutate(base, r)).append('\n');
            }
            Files.writeString(file, text, StandardCharsets.UTF_8);
            try {
                for (Split s : Split.values()) {
                    ImageList.read(dir, file, s);
                }
            } catch (DataException e) {
                failures++;
                assertTrue(located.matcher(e.getMessage()).matches(), "unclear message: " + e.getMessage());
            } catch (RuntimeException e) {
                fail("trial " + trial + ": " + e + " for\n" + text);
            }
        }
        assertTrue(failures > 500, "the mutations do produce bad lines: " + failures);
    }
}
