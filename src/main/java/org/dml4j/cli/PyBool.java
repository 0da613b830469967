package org.dml4j.cli;

import java.util.Locale;
import org.dml4j.data.VisibleText;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A boolean flag value parsed as the original parses it (Python's strtobool, any case): y, yes,
 * t, true, on, 1 are true; n, no, f, false, off, 0 are false; anything else, the empty string
 * included, is an error naming the flag. Shown as Python shows it: True / False.
 * (A wrapper rather than {@code Boolean}, because picocli treats an empty value of a boolean
 * option as a toggle instead of an error.)
 */
record PyBool(boolean value) {
    @Override
    public String toString() {
        return value ? "True" : "False";
    }

    /** picocli converter for {@link PyBool} options. */
    static final class Converter implements ITypeConverter<PyBool> {
        @Override
        public PyBool convert(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "y", "yes", "t", "true", "on", "1" -> new PyBool(true);
                case "n", "no", "f", "false", "off", "0" -> new PyBool(false);
                default -> throw new TypeConversionException(VisibleText.quote(text)
                        + " is not a boolean; use true/false, yes/no, t/f, on/off or 1/0");
            };
        }
    }
}
