package org.dml4j.data;

import java.util.Locale;

/**
 * Text from input files and flags as error messages show it: characters a terminal does not show
 * (controls, tabs and carriage returns, byte-order marks and other format characters, non-breaking
 * and other unusual spaces, U+FFFD from undecodable bytes, lone surrogates) are written as escapes
 * such as {@code \uFEFF} or {@code \r}, so that "got '0'" can never hide why '0' was refused.
 */
public final class VisibleText {
    private VisibleText() {
    }

    /** {@code text} between single quotes, with invisible characters escaped. */
    public static String quote(String text) {
        return "'" + escape(text) + "'";
    }

    /** {@code text} with invisible characters escaped; visible text (any script) is unchanged. */
    public static String escape(String text) {
        if (text.codePoints().noneMatch(VisibleText::invisible)) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length() + 8);
        text.codePoints().forEach(cp -> {
            if (!invisible(cp)) {
                b.appendCodePoint(cp);
            } else if (cp == '\t') {
                b.append("\\t");
            } else if (cp == '\n') {
                b.append("\\n");
            } else if (cp == '\r') {
                b.append("\\r");
            } else if (cp <= 0xFFFF) {
                b.append(String.format(Locale.ROOT, "\\u%04X", cp));
            } else {
                b.append(String.format(Locale.ROOT, "\\u{%X}", cp));
            }
        });
        return b.toString();
    }

    private static boolean invisible(int cp) {
        if (cp == ' ') {
            return false;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR,
                 Character.PARAGRAPH_SEPARATOR, Character.SURROGATE, Character.UNASSIGNED,
                 Character.PRIVATE_USE -> true;
            default -> cp == 0xFFFD;
        };
    }
}
