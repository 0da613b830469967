package org.dml4j.cli;

import picocli.CommandLine.Option;

/** {@code --verbose} for commands outside the pipeline four (which have it in {@link CommonOptions}). */
final class VerboseOption {
    @Option(names = "--verbose", arity = "0..1", fallbackValue = "True", defaultValue = "False",
            converter = PyBool.Converter.class, paramLabel = "BOOL",
            description = "Print stack traces with errors. Default: ${DEFAULT-VALUE}.")
    PyBool verbose;
}
