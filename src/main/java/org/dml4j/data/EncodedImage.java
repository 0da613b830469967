package org.dml4j.data;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Where the encoded image inside a JPEG, PNG, WebP, BMP or TIFF file ends, found by walking the
 * format's own structure as the decoders (libjpeg, libpng, libwebp and OpenCV's BMP and TIFF
 * readers behind OpenCV and cv2) do: a file is complete when its end-of-image marker (JPEG), IEND
 * chunk (PNG), RIFF size (WebP), pixel rows (BMP) or strips (TIFF) lie inside the file. Bytes after that point are ignored, as the decoders ignore them, so phone
 * "motion photos" (a video appended after the JPEG) and padded files are valid images with the
 * same pixels as their clean twins. A file that ends before that point is truncated.
 *
 * <p>The walk reads a JPEG up to its end-of-image marker (the entropy-coded data has to be scanned
 * for markers) and only the chunk headers and critical chunks of a PNG; never the trailer.
 * Checks the decoders make on the pixel data itself (Huffman codes, zlib streams) are left to
 * decoding.
 */
final class EncodedImage {
    private static final int CHUNK = 1 << 16;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final ThreadLocal<byte[]> BUFFERS = ThreadLocal.withInitial(() -> new byte[CHUNK]);

    private EncodedImage() {
    }

    /**
     * Positioned, buffered reads of one file (a reused per-thread buffer; not thread-safe), or of
     * an encoded image already in memory (bytes a Spark task read from a distributed file system).
     */
    static final class Bytes {
        private final FileChannel channel;
        private final byte[] memory;
        final long size;
        private final byte[] buffer;
        private long start;
        private int length;

        Bytes(FileChannel channel) throws IOException {
            this.channel = channel;
            this.memory = null;
            this.size = channel.size();
            this.buffer = BUFFERS.get();
        }

        Bytes(byte[] memory) {
            this.channel = null;
            this.memory = memory;
            this.size = memory.length;
            this.buffer = memory;          // the whole image is one window
            this.length = memory.length;
        }

        /** The byte at {@code pos} (0–255), or −1 at or past the end of the file. */
        int at(long pos) throws IOException {
            if (pos < start || pos >= start + length) {
                if (pos >= size || pos < 0) {
                    return -1;
                }
                fill(pos);
            }
            return buffer[(int) (pos - start)] & 0xff;
        }

        /** The big-endian unsigned 16-bit value at {@code pos}, or −1 past the end. */
        int u16(long pos) throws IOException {
            int a = at(pos);
            int b = at(pos + 1);
            return a < 0 || b < 0 ? -1 : a << 8 | b;
        }

        /** The big-endian unsigned 32-bit value at {@code pos}, or −1 past the end. */
        long u32(long pos) throws IOException {
            int a = u16(pos);
            int b = u16(pos + 2);
            return a < 0 || b < 0 ? -1 : (long) a << 16 | b;
        }

        /** The unsigned 16-bit value at {@code pos} in the given byte order, or −1 past the end. */
        int u16(long pos, boolean littleEndian) throws IOException {
            int v = u16(pos);
            return v < 0 || !littleEndian ? v : (v & 0xff) << 8 | v >>> 8;
        }

        /** The unsigned 32-bit value at {@code pos} in the given byte order, or −1 past the end. */
        long u32(long pos, boolean littleEndian) throws IOException {
            int a = u16(pos, littleEndian);
            int b = u16(pos + 2, littleEndian);
            if (a < 0 || b < 0) {
                return -1;
            }
            return littleEndian ? (long) b << 16 | a : (long) a << 16 | b;
        }

        /** The first position ≥ {@code from} holding 0xFF, or −1 when the file ends first. */
        long nextFF(long from) throws IOException {
            long pos = from;
            while (pos < size) {
                if (at(pos) < 0) {
                    return -1;
                }
                int end = length;
                int i = (int) (pos - start);
                // eight bytes at a time: a byte of v is 0xFF where the same byte of ~v is zero
                for (; i + 8 <= end; i += 8) {
                    long v = ~(long) LONGS.get(buffer, i);
                    if (((v - 0x0101010101010101L) & ~v & 0x8080808080808080L) != 0) {
                        break;
                    }
                }
                for (; i < end; i++) {
                    if (buffer[i] == (byte) 0xFF) {
                        return start + i;
                    }
                }
                pos = start + end;
            }
            return -1;
        }

        /** Adds bytes [from, from + count) to {@code crc}; false when the file ends first. */
        boolean update(CRC32 crc, long from, long count) throws IOException {
            long pos = from;
            long end = from + count;
            while (pos < end) {
                if (at(pos) < 0) {
                    return false;
                }
                int off = (int) (pos - start);
                int n = (int) Math.min(end - pos, length - off);
                crc.update(buffer, off, n);
                pos += n;
            }
            return true;
        }

        private void fill(long pos) throws IOException {
            if (memory != null) {
                throw new IOException("position " + pos + " is outside the image");   // at() checks the bounds first
            }
            ByteBuffer b = ByteBuffer.wrap(buffer);
            int total = 0;
            while (b.hasRemaining()) {
                int n = channel.read(b, pos + total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
            start = pos;
            length = total;
            if (length == 0) {
                throw new IOException("the file shrank while it was read");
            }
        }
    }

    /**
     * Why a file that starts with a JPEG start-of-image marker cannot be used, or null.
     *
     * <p>Markers are found as libjpeg's {@code next_marker} does: bytes before a 0xFF are skipped,
     * 0xFF fill bytes are skipped, and inside entropy-coded data 0xFF00 (a stuffed byte) and the
     * restart markers 0xFFD0–D7 belong to the data.
     */
    static String jpegProblem(Bytes in) throws IOException {
        long pos = 2;
        boolean scan = false;
        while (true) {
            long ff = in.nextFF(pos);
            if (ff < 0) {
                return "truncated JPEG (no end-of-image marker)";
            }
            pos = ff;
            while (in.at(pos) == 0xFF) {
                pos++;
            }
            int marker = in.at(pos);
            if (marker < 0) {
                return "truncated JPEG (no end-of-image marker)";
            }
            long markerAt = pos - 1;
            pos++;
            if (marker == 0xD9) {
                return scan ? null : "not a valid JPEG (no image data before the end-of-image marker)";
            }
            if (marker == 0x00 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue;             // no length: stray stuffed byte, TEM, restart
            }
            if (marker == 0xD8) {
                return "not a valid JPEG (a second start-of-image marker at byte " + markerAt + ")";
            }
            int length = in.u16(pos);
            if (length < 0) {
                return "truncated JPEG (no end-of-image marker)";
            }
            if (length < 2) {
                return "not a valid JPEG (segment length " + length + " at byte " + pos + ")";
            }
            pos += length;
            if (pos > in.size) {
                return "truncated JPEG (no end-of-image marker)";
            }
            if (marker == 0xDA) {
                scan = true;
                pos = endOfEntropyData(in, pos);
                if (pos < 0) {
                    return "truncated JPEG (no end-of-image marker)";
                }
            }
        }
    }

    /** The position of the marker that ends entropy-coded data starting at {@code from}, or −1. */
    private static long endOfEntropyData(Bytes in, long from) throws IOException {
        long pos = from;
        while (true) {
            long ff = in.nextFF(pos);
            if (ff < 0) {
                return -1;
            }
            int next = in.at(ff + 1);
            if (next < 0) {
                return -1;
            }
            if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
                pos = ff + 2;
            } else if (next == 0xFF) {
                pos = ff + 1;
            } else {
                return ff;
            }
        }
    }

    /**
     * Why a file that starts with the PNG signature cannot be used, or null: chunks are walked from
     * IHDR to IEND, and the CRC of every critical chunk (IHDR, PLTE, IDAT, IEND) is checked, since
     * libpng refuses a file where one does not match.
     */
    static String pngProblem(Bytes in) throws IOException {
        long pos = 8;
        boolean data = false;
        CRC32 crc = new CRC32();
        while (true) {
            long length = in.u32(pos);
            int t0 = in.at(pos + 4);
            if (length < 0 || in.at(pos + 7) < 0) {
                return "truncated PNG (no IEND chunk)";
            }
            if (length > Integer.MAX_VALUE) {
                return "not a valid PNG (chunk length " + length + " at byte " + pos + ")";
            }
            String type = new String(new char[] {(char) t0, (char) in.at(pos + 5), (char) in.at(pos + 6),
                (char) in.at(pos + 7)});
            long end = pos + 12 + length;
            if (end > in.size) {
                return "truncated PNG (no IEND chunk)";
            }
            if (Character.isUpperCase(t0)) {
                crc.reset();
                in.update(crc, pos + 4, 4 + length);
                if (crc.getValue() != in.u32(pos + 8 + length)) {
                    return "corrupt PNG (CRC mismatch in the " + VisibleText.escape(type) + " chunk at byte " + pos + ")";
                }
            }
            if (type.equals("IDAT")) {
                data = true;
            } else if (type.equals("IEND")) {
                return data ? null : "not a valid PNG (no IDAT chunk before IEND)";
            }
            pos = end;
        }
    }

    /**
     * Why a BMP file cannot be used, or null: the file must hold the pixel rows its header
     * describes (offset of the pixels + row stride × height for uncompressed images, + the stated
     * image size for compressed ones), as OpenCV's BMP decoder needs them.
     */
    static String bmpProblem(Bytes in) throws IOException {
        long offset = in.u32(10, true);
        long header = in.u32(14, true);
        if (offset < 0 || header < 0 || in.at(14 + header - 1) < 0) {
            return "truncated BMP (the file ends inside its header)";
        }
        long width;
        long height;
        int bits;
        long compression = 0;
        long imageSize = 0;
        if (header == 12) {                                   // BITMAPCOREHEADER
            width = in.u16(18, true);
            height = in.u16(20, true);
            bits = in.u16(24, true);
        } else {
            width = (int) in.u32(18, true);
            height = Math.abs((int) in.u32(22, true));
            bits = in.u16(28, true);
            compression = in.u32(30, true);
            imageSize = in.u32(34, true);
        }
        if (width <= 0 || height <= 0 || !Set.of(1, 2, 4, 8, 16, 24, 32).contains(bits)) {
            return "not a valid BMP (" + width + "x" + height + " pixels of " + bits + " bits)";
        }
        long needed;
        if (compression == 0 || compression == 3 || compression == 6) {   // BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS
            needed = offset + (width * bits + 31) / 32 * 4 * height;
        } else if (compression == 1 || compression == 2) {
            // RLE: OpenCV decodes a stream that lacks only its closing end-of-line and end-of-bitmap codes
            needed = offset + Math.max(0, imageSize - 4);
        } else {
            needed = offset + imageSize;
        }
        return in.size < needed ? "truncated BMP (its header gives " + needed + " bytes, the file has " + in.size + ")"
                : null;
    }

    /**
     * Why a TIFF file cannot be used, or null: the first image directory (the page OpenCV reads)
     * must lie in the file, and so must every strip or tile it points to. BigTIFF is not checked.
     */
    static String tiffProblem(Bytes in) throws IOException {
        boolean le = in.at(0) == 'I';
        if (in.u16(2, le) == 43) {
            return null;                                        // BigTIFF: 64-bit offsets, left to the decoder
        }
        long ifd = in.u32(4, le);
        int entries = ifd < 0 ? -1 : in.u16(ifd, le);
        // the entries must be there; the next-page pointer after them is not needed for the first page
        if (entries < 0 || in.at(ifd + 2 + 12L * entries - 1) < 0) {
            return "truncated TIFF (the file ends before its image directory does)";
        }
        long[] offsets = null;
        long[] counts = null;
        for (int e = 0; e < entries; e++) {
            long at = ifd + 2 + 12L * e;
            int tag = in.u16(at, le);
            long bytes = TIFF_TYPE_BYTES.getOrDefault(in.u16(at + 2, le), 0) * in.u32(at + 4, le);
            if (bytes > 4 && in.u32(at + 8, le) + bytes > in.size) {
                return "truncated TIFF (the values of tag " + tag + " lie past the end of the file)";
            }
            if (tag == 273 || tag == 324) {
                offsets = tiffValues(in, at, le);
            } else if (tag == 279 || tag == 325) {
                counts = tiffValues(in, at, le);
            }
        }
        if (offsets == null || counts == null || offsets.length != counts.length) {
            return null;                                        // unusual layout: left to the decoder
        }
        for (int i = 0; i < offsets.length; i++) {
            if (offsets[i] < 0 || counts[i] < 0 || offsets[i] + counts[i] > in.size) {
                return "truncated TIFF (strip " + i + " needs bytes up to " + (offsets[i] + counts[i])
                        + ", the file has " + in.size + ")";
            }
        }
        return null;
    }

    /** Bytes per value of each TIFF field type (BYTE, ASCII, SHORT, LONG, RATIONAL, … DOUBLE, IFD). */
    private static final Map<Integer, Integer> TIFF_TYPE_BYTES = Map.ofEntries(
            Map.entry(1, 1), Map.entry(2, 1), Map.entry(3, 2), Map.entry(4, 4),
            Map.entry(5, 8), Map.entry(6, 1), Map.entry(7, 1), Map.entry(8, 2),
            Map.entry(9, 4), Map.entry(10, 8), Map.entry(11, 4), Map.entry(12, 8),
            Map.entry(13, 4));

    /** The SHORT or LONG values of the TIFF directory entry at {@code at} (−1 for values past the end). */
    private static long[] tiffValues(Bytes in, long at, boolean le) throws IOException {
        int type = in.u16(at + 2, le);
        long count = in.u32(at + 4, le);
        int width = type == 3 ? 2 : type == 4 ? 4 : 0;
        if (width == 0 || count < 0 || count > 1 << 20) {
            return null;
        }
        long start = count * width <= 4 ? at + 8 : in.u32(at + 8, le);
        long[] v = new long[(int) count];
        for (int i = 0; i < v.length; i++) {
            v[i] = width == 2 ? in.u16(start + 2L * i, le) : in.u32(start + 4L * i, le);
        }
        return v;
    }

    /** Why a RIFF/WEBP file cannot be used, or null: the file must hold the size its RIFF header gives. */
    static String webpProblem(Bytes in) throws IOException {
        if (in.at(7) < 0) {
            return "truncated WebP (no RIFF header)";
        }
        long riff = in.at(4) | in.at(5) << 8 | in.at(6) << 16 | (long) in.at(7) << 24;
        if (in.size < 8 + riff) {
            return "truncated WebP (its header gives " + (8 + riff) + " bytes, the file has " + in.size + ")";
        }
        return null;
    }
}
