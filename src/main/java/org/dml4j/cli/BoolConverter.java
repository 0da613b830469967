package org.dml4j.cli;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Booleans as the original parses them (Python's strtobool, any case): y, yes, t, true, on, 1 are
 * true; n, no, f, false, off, 0 are false; anything else is an error naming the flag.
 */
final class BoolConverter implements ITypeConverter<Boolean> {
    @Override
    public Boolean convert(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "y", "yes", "t", "true", "on", "1" -> Boolean.TRUE;
            case "n", "no", "f", "false", "off", "0" -> Boolean.FALSE;
            default -> throw new TypeConversionException("'" + value
                    + "' is not a boolean; use true/false, yes/no, t/f, on/off or 1/0");
        };
    }
}
