package org.dml4j.eval;

import java.math.BigDecimal;

/**
 * Formats a few floats as numpy prints a float32 array in fixed notation, which the original's
 * infer lines used: {@code [0.1234 0.     1.02  ]} — at most 8 decimals, trailing zeros dropped,
 * fractions padded to a common width, integer parts right-aligned.
 */
final class NumpyFormat {
    private NumpyFormat() {
    }

    static String array(float[] values) {
        String[] ints = new String[values.length];
        String[] fracs = new String[values.length];
        int intWidth = 0;
        int fracWidth = 0;
        for (int i = 0; i < values.length; i++) {
            String s = new BigDecimal(Float.toString(values[i])).setScale(8, java.math.RoundingMode.HALF_EVEN)
                    .stripTrailingZeros().toPlainString();
            if (s.equals("0") && (Float.floatToIntBits(values[i]) < 0)) {
                s = "-0";
            }
            int dot = s.indexOf('.');
            ints[i] = dot < 0 ? s : s.substring(0, dot);
            fracs[i] = dot < 0 ? "" : s.substring(dot + 1);
            intWidth = Math.max(intWidth, ints[i].length());
            fracWidth = Math.max(fracWidth, fracs[i].length());
        }
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            sb.append(i == 0 ? "" : " ")
                    .append(" ".repeat(intWidth - ints[i].length())).append(ints[i]).append('.')
                    .append(fracs[i]).append(" ".repeat(fracWidth - fracs[i].length()));
        }
        return sb.append(']').toString();
    }
}
