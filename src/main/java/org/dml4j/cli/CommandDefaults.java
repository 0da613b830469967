package org.dml4j.cli;

import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Default values keyed by option name, so options shared through a mixin can have the defaults
 * each original script gave them. Holds the defaults every command shares.
 */
class CommandDefaults implements IDefaultValueProvider {
    private final Map<String, String> defaults = new HashMap<>();

    CommandDefaults(Map<String, String> specific) {
        defaults.put("--data_dir", "data/Stanford_Online_Products");
        defaults.put("--seed", "0");
        defaults.put("--num_workers", Integer.toString(Runtime.getRuntime().availableProcessors()));
        defaults.put("--verbose", "False");
        defaults.put("--check_images", "True");
        defaults.put("--skip_bad_images", "False");
        defaults.putAll(specific);
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        return arg instanceof OptionSpec o ? defaults.get(o.names()[0]) : null;
    }
}
