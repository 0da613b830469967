package org.dml4j.eval;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dml4j.error.DataException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * NumPy's .npy format for float32 matrices (written as version 1.0): the magic string, a
 * little-endian header length, a Python-dict header ({@code descr '<f4'}, C order, shape) padded
 * to a multiple of 64 bytes, then the little-endian data. {@code numpy.load} reads what this
 * writes. Reads version 1 and 2 files: float32/float64 matrices of embeddings and 1-d integer
 * arrays of labels; everything else is refused with a message (never read wrongly, unlike ND4J's
 * own reader, which misreads Fortran-order and truncated files).
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};

    private Npy() {
    }

    /** The 1.0 header for a float32 [rows, cols] C-order array, padded so data starts at a multiple of 64. */
    public static byte[] header(long rows, long cols) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
        int unpadded = MAGIC.length + 2 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String text = dict + " ".repeat(padding) + "\n";
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 2 + text.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putShort((short) text.length()).put(text.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    /** Writes a [rows, cols] matrix as float32 to {@code out}. */
    public static void write(INDArray matrix, OutputStream out) throws IOException {
        long rows = matrix.size(0);
        long cols = matrix.size(1);
        out.write(header(rows, cols));
        INDArray f = matrix.castTo(DataType.FLOAT);
        ByteBuffer row = ByteBuffer.allocate((int) cols * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long r = 0; r < rows; r++) {
            row.clear();
            row.asFloatBuffer().put(f.getRow(r).toFloatVector());
            out.write(row.array());
        }
    }

    /**
     * Reads a float32 (or float64) C-order 2-d .npy file.
     *
     * @return [N, D] in the file's type, float32 or float64 (kept, so that values beyond float32's
     *         range still normalise correctly)
     * @throws DataException naming the file when it is not such an array or is empty (N or D is 0)
     */
    public static INDArray read(Path file) {
        byte[] all = bytes(file);
        Header h = Header.parse(file.toString(), all);
        boolean f64 = h.descr().equals("<f8");
        if (!(h.descr().equals("<f4") || f64)) {
            throw new DataException(file + ": expected a little-endian float32/float64 array, got dtype '"
                    + h.descr() + "'");
        }
        if (h.shape().length != 2) {
            throw new DataException(file + ": expected a 2-d array (N, D), got shape " + h.shapeText());
        }
        long rows = h.shape()[0];
        long cols = h.shape()[1];
        if (rows == 0 || cols == 0) {
            throw new DataException(file + ": an empty array (shape " + h.shapeText() + "): no embeddings to use");
        }
        if (rows * cols > Integer.MAX_VALUE - 8) {
            throw new DataException(file + ": " + rows + "x" + cols + " values are more than one array can hold");
        }
        int width = f64 ? 8 : 4;
        h.requireLength(file, all, rows * cols * width);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).position(h.dataStart());
        if (f64) {
            double[] data = new double[(int) (rows * cols)];
            b.asDoubleBuffer().get(data);
            return Nd4j.create(data, new long[] {rows, cols}, DataType.DOUBLE);
        }
        float[] data = new float[(int) (rows * cols)];
        b.asFloatBuffer().get(data);
        return Nd4j.create(data, new long[] {rows, cols}, DataType.FLOAT);
    }

    /** Bytes of a .npy file that always hold its header (a version-1 header is at most 10 + 65 535). */
    public static final int HEADER_BYTES = 10 + 65_535;

    /**
     * Where a float32 C-order [N, D] array lies in a .npy file, for readers that take its rows in
     * parts (a Spark task reading its own rows).
     *
     * @param rows      N
     * @param cols      D
     * @param dataStart offset of row 0 in the file
     */
    public record Float32Matrix(long rows, long cols, int dataStart) {
    }

    /**
     * The layout of a float32 [N, D] .npy file from its first bytes.
     *
     * @param head the file's first {@link #HEADER_BYTES} bytes (or all of a shorter file)
     * @param file names it in messages
     * @throws DataException as {@link #read}, and for a dtype other than little-endian float32
     */
    public static Float32Matrix float32Matrix(byte[] head, String file) {
        Header h = Header.parse(file, head);
        if (!h.descr().equals("<f4") || h.shape().length != 2 || h.shape()[0] == 0 || h.shape()[1] == 0) {
            throw new DataException(file + ": expected a float32 C-order [N, D] array, got dtype '" + h.descr()
                    + "' and shape " + h.shapeText());
        }
        return new Float32Matrix(h.shape()[0], h.shape()[1], h.dataStart());
    }

    /**
     * Reads a 1-d (N,) or (N, 1) array of integers: any little-endian integer or boolean dtype, or
     * floats holding whole numbers (labels saved from a float array).
     *
     * @throws DataException naming the file for another shape or dtype, and the row for a value
     *                       that is not a whole number within 64-bit range
     */
    public static long[] readIntegers(Path file) {
        byte[] all = bytes(file);
        Header h = Header.parse(file.toString(), all);
        long[] shape = h.shape();
        if (!(shape.length == 1 || (shape.length == 2 && shape[1] == 1))) {
            throw new DataException(file + ": expected a 1-d array of labels (N,) or (N, 1), got shape "
                    + h.shapeText());
        }
        String d = h.descr();
        if (!(d.startsWith("<") || d.startsWith("|")) || !LABEL_DTYPES.contains(d.substring(1))) {
            throw new DataException(file + ": expected integer labels (a little-endian int, uint, bool or float"
                    + " dtype), got dtype '" + d + "'");
        }
        char kind = d.charAt(1);
        int width = d.charAt(2) - '0';
        int n = (int) shape[0];
        h.requireLength(file, all, (long) n * width);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).position(h.dataStart());
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (kind) {
                case 'i' -> width == 1 ? b.get() : width == 2 ? b.getShort() : width == 4 ? b.getInt() : b.getLong();
                case 'u', 'b' -> {
                    long v = width == 1 ? Byte.toUnsignedLong(b.get()) : width == 2 ? Short.toUnsignedLong(b.getShort())
                            : width == 4 ? Integer.toUnsignedLong(b.getInt()) : b.getLong();
                    if (v < 0) {
                        throw new DataException(file + ": row " + i + ": " + Long.toUnsignedString(v)
                                + " is beyond the 64-bit signed range");
                    }
                    yield v;
                }
                default -> {
                    double v = width == 4 ? b.getFloat() : b.getDouble();
                    if (v != Math.rint(v) || Math.abs(v) >= 0x1p63) {
                        throw new DataException(file + ": row " + i + ": " + v + " is not a whole number"
                                + " within 64-bit range");
                    }
                    yield (long) v;
                }
            };
        }
        return out;
    }

    /** Label dtypes after the byte-order character ('<', or '|' where byte order does not apply). */
    private static final Set<String> LABEL_DTYPES = Set.of("i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1",
            "f4", "f8");

    private static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw DataException.reading(file, "the .npy file", e);
        }
    }

    /** The header of a .npy file: dtype descriptor, shape, and where the data starts. */
    private record Header(String descr, long[] shape, int dataStart) {
        private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
        private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*True");
        private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

        static Header parse(String file, byte[] all) {
            if (all.length < 10 || all[0] != MAGIC[0] || all[1] != 'N' || all[5] != 'Y') {
                throw new DataException(file + ": not a .npy file");
            }
            ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            int major = all[6];
            int headerLength = major == 1 ? Short.toUnsignedInt(b.getShort(8)) : b.getInt(8);
            int start = major == 1 ? 10 : 12;
            if (headerLength < 0 || start + headerLength > all.length) {
                throw new DataException(file + ": truncated .npy header");
            }
            String header = new String(all, start, headerLength, StandardCharsets.ISO_8859_1);
            Matcher d = DESCR.matcher(header);
            Matcher s = SHAPE.matcher(header);
            if (!d.find() || !s.find()) {
                throw new DataException(file + ": unreadable .npy header " + header.trim());
            }
            if (FORTRAN.matcher(header).find()) {
                throw new DataException(file + ": a Fortran-order array; save it in C order"
                        + " (numpy.ascontiguousarray)");
            }
            String[] dims = s.group(1).split(",");
            long[] shape;
            try {
                shape = Arrays.stream(dims).map(String::strip).filter(t -> !t.isEmpty())
                        .mapToLong(Long::parseLong).toArray();
            } catch (NumberFormatException e) {
                throw new DataException(file + ": unreadable shape in the .npy header " + header.trim());
            }
            String descr = d.group(1);
            if (descr.startsWith("=")) {
                descr = "<" + descr.substring(1);   // native order: numpy writes '<' on every little-endian machine
            }
            return new Header(descr, shape, start + headerLength);
        }

        String shapeText() {
            return "(" + String.join(", ", Arrays.stream(shape).mapToObj(Long::toString).toList())
                    + (shape.length == 1 ? ",)" : ")");
        }

        void requireLength(Path file, byte[] all, long dataBytes) {
            if (all.length - dataStart != dataBytes) {
                throw new DataException(file + ": header says shape " + shapeText() + " but the file holds "
                        + (all.length - dataStart) + " data bytes, not " + dataBytes);
            }
        }
    }
}
