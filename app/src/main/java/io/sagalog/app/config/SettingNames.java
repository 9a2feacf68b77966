package io.sagalog.app.config;

import io.sagalog.engine.NearestName;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * How an option is named outside the command line: {@code --max-delivery-delay} is {@code max-delivery-delay} in a
 * {@code --config} file and {@code SAGALOG_MAX_DELIVERY_DELAY} in the environment. Only the commands that take
 * {@code --config} (and the root's own options) are configurable so: the benchmarks keep to their command line, so
 * that a report's arguments say everything that shaped the run.
 */
public final class SettingNames {
    /** What every Sagalog environment variable starts with. */
    public static final String ENV_PREFIX = "SAGALOG_";
    /** The option naming the file; it cannot be set in a file itself. */
    public static final String CONFIG_OPTION = "--config";

    private SettingNames() {}

    /** The option's name in a {@code --config} file: its longest name without the dashes. */
    public static String key(OptionSpec option) {
        return option.longestName().replaceFirst("^-+", "");
    }

    /** The option's environment variable. */
    public static String env(OptionSpec option) {
        return envOf(key(option));
    }

    static String envOf(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** Whether the options of {@code command} are taken from the environment and the file. */
    public static boolean configurable(CommandSpec command) {
        return command.parent() == null || command.findOption(CONFIG_OPTION) != null;
    }

    /** Whether {@code option} may come from the environment or a file: not --help, --version, or a short-only flag. */
    public static boolean settable(OptionSpec option) {
        return !option.usageHelp() && !option.versionHelp() && option.longestName().startsWith("--");
    }

    /** Every settable option of every configurable command under {@code root}, by file key (first declaration wins). */
    public static Map<String, OptionSpec> all(CommandSpec root) {
        Map<String, OptionSpec> all = new LinkedHashMap<>();
        collect(root, all);
        return all;
    }

    private static void collect(CommandSpec command, Map<String, OptionSpec> all) {
        if (configurable(command)) {
            command.options().stream().filter(SettingNames::settable).forEach(o -> all.putIfAbsent(key(o), o));
        }
        command.subcommands().values().forEach(sub -> collect(sub.getCommandSpec(), all));
    }

    /** The known name closest to a misspelt one, if one is close enough to be what was meant. */
    public static Optional<String> closest(String wrong, Collection<String> known) {
        return NearestName.closest(wrong, known);
    }
}
