package org.dml4j.eval;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dml4j.data.DataException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * NumPy's .npy format (version 1.0) for float32 matrices: the magic string, a little-endian header
 * length, a Python-dict header ({@code descr '<f4'}, C order, shape) padded to a multiple of 64
 * bytes, then the little-endian data. {@code numpy.load} reads what this writes.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\((\\d+),\\s*(\\d+)\\s*,?\\)");

    private Npy() {
    }

    /** The 1.0 header for a float32 [rows, cols] C-order array, padded so data starts at a multiple of 64. */
    static byte[] header(long rows, long cols) {
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
     * @throws DataException naming the file when it is not such an array
     */
    public static INDArray read(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        if (all.length < 10 || all[0] != MAGIC[0] || all[1] != 'N' || all[5] != 'Y') {
            throw new DataException(file + ": not a .npy file");
        }
        int major = all[6];
        int headerLength = major == 1 ? Short.toUnsignedInt(b.getShort(8)) : b.getInt(8);
        int dataStart = (major == 1 ? 10 : 12) + headerLength;
        String header = new String(all, major == 1 ? 10 : 12, headerLength, StandardCharsets.US_ASCII);
        boolean f64 = header.contains("'<f8'");
        if (!(header.contains("'<f4'") || f64) || header.contains("'fortran_order': True")) {
            throw new DataException(file + ": expected a little-endian float32/float64 C-order array, header " + header.trim());
        }
        Matcher m = SHAPE.matcher(header);
        if (!m.find()) {
            throw new DataException(file + ": expected a 2-d array (N, D), header " + header.trim());
        }
        int rows = Integer.parseInt(m.group(1));
        int cols = Integer.parseInt(m.group(2));
        int width = f64 ? 8 : 4;
        if (all.length - dataStart != (long) rows * cols * width) {
            throw new DataException(file + ": header says " + rows + "x" + cols + " but the file holds "
                    + (all.length - dataStart) + " data bytes");
        }
        float[] data = new float[rows * cols];
        b.position(dataStart);
        for (int i = 0; i < data.length; i++) {
            data[i] = f64 ? (float) b.getDouble() : b.getFloat();
        }
        return Nd4j.create(data, new long[] {rows, cols}, DataType.FLOAT);
    }
}
