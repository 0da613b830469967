package org.dml4j.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dml4j.error.DataException;

/**
 * Every text file dml4j reads (list files, image lists, label files, an index's paths.txt) is read
 * here, the same way whatever the platform's locale: UTF-8, with or without a byte-order mark
 * (also one left at the start of a line by concatenating files), lines ended by LF, CRLF or CR.
 * A file in another encoding is refused with the line and the bytes that are not UTF-8, and a
 * UTF-16 file (which Windows tools write) is named as such.
 */
public final class TextLines {
    private static final char BOM = '\uFEFF';

    private TextLines() {
    }

    /**
     * The lines of {@code file}, without line terminators and byte-order marks.
     *
     * @throws IOException   when the file cannot be read (callers name what the file was for)
     * @throws DataException naming {@code file:line} for bytes that are not UTF-8, a NUL byte (a
     *                       binary file), or a UTF-16/UTF-32 byte-order mark
     */
    public static List<String> read(Path file) throws IOException {
        return lines(Files.readAllBytes(file), file.toString());
    }

    /**
     * The lines of a text file already in memory (read through another file system), as
     * {@link #read(Path)}.
     *
     * @param file names the file in messages
     * @throws DataException as {@link #read(Path)}
     */
    public static List<String> lines(byte[] bytes, String file) {
        if (bytes.length >= 2 && ((bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE)
                || (bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF))) {
            throw new DataException(file + ": UTF-16 or UTF-32 text (byte-order mark "
                    + hex(bytes, 0, 2) + "); save it as UTF-8");
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n' && bytes[end] != '\r') {
                end++;
            }
            lines.add(decode(decoder, file, lines.size() + 1, bytes, start, end));
            start = end + (end + 1 < bytes.length && bytes[end] == '\r' && bytes[end + 1] == '\n' ? 2 : 1);
        }
        return lines;
    }

    /**
     * One record per line, for files where a line's position is its meaning (labels, an index's
     * paths): trailing blank lines are dropped, a blank line before the last record is an error.
     *
     * @param what what one line holds, for the message ("label", "path")
     * @throws IOException   when the file cannot be read
     * @throws DataException as {@link #read}, and naming {@code file:line} for a blank line
     */
    public static List<String> readRecords(Path file, String what) throws IOException {
        List<String> lines = new ArrayList<>(read(file));
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
        }
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                throw new DataException(file + ":" + (i + 1) + ": empty line " + VisibleText.quote(lines.get(i))
                        + " (one " + what + " per line; a missing one would shift every later one)");
            }
        }
        return lines;
    }

    private static String decode(CharsetDecoder decoder, String file, int line, byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == 0) {
                throw new DataException(file + ":" + line + ": a NUL byte at column " + (i - from + 1)
                        + ": this is a binary file, not text");
            }
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, from, to - from);
        CharBuffer out = CharBuffer.allocate(to - from);
        decoder.reset();
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            int at = in.position();
            throw new DataException(file + ":" + line + ": not UTF-8 at byte column " + (at - from + 1) + " (bytes "
                    + hex(bytes, at, Math.min(to, at + Math.max(r.length(), 2))) + "); text files are read as UTF-8"
                    + " whatever the locale: convert it, e.g. iconv -f latin1 -t utf-8");
        }
        decoder.flush(out);
        out.flip();
        String s = out.toString();
        return !s.isEmpty() && s.charAt(0) == BOM ? s.substring(1) : s;
    }

    private static String hex(byte[] bytes, int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            b.append(b.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%02X", bytes[i] & 0xff));
        }
        return b.toString();
    }
}
