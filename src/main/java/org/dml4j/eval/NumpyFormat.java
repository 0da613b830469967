package org.dml4j.eval;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Formats a few floats as numpy (default print options: precision 8, floatmode 'maxprec') prints a
 * float32 array, which the original's infer lines used (numpy's arrayprint.FloatingFormat):
 * <ul>
 * <li>fixed notation, {@code [0.1234 0.     1.02  ]}: each value's shortest round-trip digits,
 * at most 8 decimals, fractions padded to a common width, integer parts right-aligned;</li>
 * <li>scientific notation, {@code [1.0e-05 5.0e-01]}, when the largest non-zero magnitude is
 * ≥ 1e8, the smallest is &lt; 1e-4, or their ratio exceeds 1000: one mantissa width and exponent
 * width for all;</li>
 * <li>{@code nan}, {@code inf}, {@code -inf} right-aligned to the common width.</li>
 * </ul>
 */
final class NumpyFormat {
    private static final int PRECISION = 8;

    private NumpyFormat() {
    }

    static String array(float[] values) {
        boolean exp = scientific(values);
        int n = values.length;
        String[] ints = new String[n];
        String[] fracs = new String[n];
        String[] exps = new String[n];
        int intWidth = 0;
        int fracWidth = 0;
        int expWidth = 0;
        boolean nonFinite = false;
        boolean negativeInfinity = false;
        for (int i = 0; i < n; i++) {
            float v = values[i];
            if (!Float.isFinite(v)) {
                nonFinite = true;
                negativeInfinity |= v == Float.NEGATIVE_INFINITY;
                continue;
            }
            String s;
            if (exp) {
                BigDecimal d = shortest(v);
                int exponent = d.signum() == 0 ? 0 : d.precision() - d.scale() - 1;
                s = plain(d.movePointLeft(exponent), v);
                exps[i] = (exponent < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
                expWidth = Math.max(expWidth, exps[i].length() - 1);
            } else {
                s = plain(shortest(v).setScale(PRECISION, RoundingMode.HALF_EVEN), v);
            }
            int dot = s.indexOf('.');
            ints[i] = dot < 0 ? s : s.substring(0, dot);
            fracs[i] = dot < 0 ? "" : s.substring(dot + 1);
            intWidth = Math.max(intWidth, ints[i].length());
            fracWidth = Math.max(fracWidth, fracs[i].length());
        }
        // numpy: pad_right covers the fraction (and the exponent), pad_left grows to fit nan/-inf
        int padRight = fracWidth + (exp ? expWidth + 2 : 0);
        int padLeft = nonFinite ? Math.max(intWidth, 3 + (negativeInfinity ? 1 : 0) - (padRight + 1)) : intWidth;
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ");
            float v = values[i];
            if (!Float.isFinite(v)) {
                String word = Float.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
                sb.append(" ".repeat(padLeft + padRight + 1 - word.length())).append(word);
                continue;
            }
            if (exp) {
                // numpy pads every mantissa to the longest with further digits of the value itself
                int exponent = Integer.parseInt(exps[i]);
                String m = plain(new BigDecimal(v).movePointLeft(exponent)
                        .round(new MathContext(1 + fracWidth, RoundingMode.HALF_EVEN)), v);
                int dot = m.indexOf('.');
                String frac = dot < 0 ? "" : m.substring(dot + 1);
                sb.append(" ".repeat(padLeft - ints[i].length())).append(ints[i]).append('.').append(frac)
                        .append("0".repeat(fracWidth - frac.length())).append('e').append(exps[i].charAt(0))
                        .append("0".repeat(expWidth + 1 - exps[i].length())).append(exps[i].substring(1));
            } else {
                sb.append(" ".repeat(padLeft - ints[i].length())).append(ints[i]).append('.').append(fracs[i])
                        .append(" ".repeat(fracWidth - fracs[i].length()));
            }
        }
        return sb.append(']').toString();
    }

    /** numpy's choice of scientific notation for the finite non-zero magnitudes. */
    private static boolean scientific(float[] values) {
        double max = 0;
        double min = Double.POSITIVE_INFINITY;
        for (float v : values) {
            if (Float.isFinite(v) && v != 0) {
                max = Math.max(max, Math.abs(v));
                min = Math.min(min, Math.abs(v));
            }
        }
        return max > 0 && (max >= 1e8 || min < 1e-4 || max / min > 1000);
    }

    /** The fewest significant digits that read back as exactly {@code v} (numpy's "unique" digits). */
    static BigDecimal shortest(float v) {
        BigDecimal exact = new BigDecimal(v);
        if (v == 0) {
            return BigDecimal.ZERO;
        }
        for (int digits = 1; digits < 9; digits++) {
            BigDecimal d = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
            if (Float.parseFloat(d.toString()) == v) {
                return d;
            }
        }
        return exact.round(new MathContext(9, RoundingMode.HALF_EVEN));
    }

    /** {@code d} without trailing zeros or exponent; "-0" for negative zero. */
    private static String plain(BigDecimal d, float v) {
        String s = d.stripTrailingZeros().toPlainString();
        return s.equals("0") && Float.floatToIntBits(v) < 0 ? "-0" : s;
    }
}
