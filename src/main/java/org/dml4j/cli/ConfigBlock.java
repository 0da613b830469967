package org.dml4j.cli;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The configuration block every command prints at start (docs/ORIGINAL.md §2.1): a title line, one
 * {@code name: value} line per option sorted by name, values as Python's {@code str()} shows
 * them, and a line of 48 dashes.
 */
final class ConfigBlock {
    private ConfigBlock() {
    }

    static void print(CommandSpec spec, PrintWriter out) {
        out.println("-----------  Configuration Arguments -----------");
        spec.options().stream()
                .filter(o -> !o.usageHelp() && !o.versionHelp())
                .sorted(Comparator.comparing(ConfigBlock::name))
                .forEach(o -> out.println(name(o) + ": " + pythonStr(o.getValue())));
        out.println("-".repeat(48));
        out.flush();
    }

    /** The option's name as the original spells it: its first name without dashes. */
    static String name(OptionSpec option) {
        return option.names()[0].replaceFirst("^-+", "");
    }

    /** Python's {@code str()} of a flag value: None, 0.01, 1e-05, 80.0 ({@link PyBool} prints True/False). */
    static String pythonStr(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof Double d) {
            return pythonFloat(d);
        }
        return value.toString();
    }

    /** Python's repr of a float: shortest digits, fixed notation for 1e-4 ≤ |x| < 1e16. */
    static String pythonFloat(double x) {
        if (Double.isNaN(x)) {
            return "nan";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        if (x == 0) {
            return (1 / x < 0) ? "-0.0" : "0.0";
        }
        BigDecimal d = new BigDecimal(Double.toString(Math.abs(x))).stripTrailingZeros();
        String digits = d.unscaledValue().toString();
        int exponent = digits.length() - d.scale() - 1;
        String sign = x < 0 ? "-" : "";
        if (exponent >= -4 && exponent < 16) {
            String plain = d.toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
    }
}
