package io.sagalog.app.config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * Option values from outside the command line, in picocli's place for defaults: an option not given as a flag takes
 * its {@code SAGALOG_*} environment variable, else its key in the {@code --config} file, else its built-in default.
 * Picocli asks after it parsed the flags, so the file named by {@code --config} (or {@code SAGALOG_CONFIG}) is known.
 *
 * <p>Answers only while the command line is parsed ({@link #resolving}): {@code --help} shows the built-in defaults
 * (the documentation), {@code sagalog config print} the effective values and where each came from.
 */
public final class SettingSources implements CommandLine.IDefaultValueProvider {
    /** Variables the {@code sagalog} launcher and the container image read themselves. */
    private static final List<String> LAUNCHER = List.of("SAGALOG_JAVA_OPTS", "SAGALOG_CLASS_ARCHIVE");
    /**
     * What Kubernetes sets for a Service named {@code sagalog...} in every pod of its namespace (service links), e.g.
     * {@code SAGALOG_SERVICE_HOST}, {@code SAGALOG_PORT=tcp://10.0.0.7:8080}, {@code SAGALOG_PORT_8080_TCP_ADDR}.
     */
    private static final Pattern SERVICE_LINK_NAME = Pattern.compile(
            "SAGALOG(_[A-Z0-9_]+)?_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_\\d+_(TCP|UDP|SCTP)(_(ADDR|PORT|PROTO))?)?)");
    private static final Pattern SERVICE_LINK_VALUE = Pattern.compile("(tcp|udp|sctp)://\\S+:\\d+");

    private final Map<String, String> env;
    private final Map<ArgSpec, Origin> origins = new IdentityHashMap<>();
    private final Map<Path, ConfigFile> files = new HashMap<>();
    private boolean resolving;
    private boolean environmentChecked;

    /** @param checkEnvironment whether to warn of SAGALOG_* variables that are no setting (once) */
    public SettingSources(Map<String, String> env, boolean checkEnvironment) {
        this.env = Map.copyOf(env);
        this.environmentChecked = !checkEnvironment;
    }

    /** The environment this reads (the process's, or a test's). */
    public Map<String, String> environment() {
        return env;
    }

    /** Runs a parse of the command line, during which this answers. */
    public <T> T resolving(Callable<T> parse) {
        resolving = true;
        try {
            return parse.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            resolving = false;
        }
    }

    /**
     * The one line telling {@code error}, naming the environment variable or file line its value came from: a value
     * picocli could not convert ({@code SAGALOG_PORT=abc (environment): not a whole number}), or a command's own
     * complaint about an option ({@code --x must be ...}) whose value was not a flag.
     */
    public String explain(CommandSpec command, Throwable error, String line) {
        if (error instanceof ParameterException p && p.getArgSpec() instanceof OptionSpec option
                && origins.containsKey(option) && !(error instanceof CommandLine.MissingParameterException)) {
            return origins.get(option).setting() + ": " + reason(option, line);
        }
        for (Map.Entry<ArgSpec, Origin> e : origins.entrySet()) {
            if (e.getKey() instanceof OptionSpec option && e.getKey().command() == command
                    && Pattern.compile(Pattern.quote(option.longestName()) + "\\b(?!-)").matcher(line).lookingAt()) {
                return e.getValue().setting() + ": " + line;
            }
        }
        return line;
    }

    private static String reason(OptionSpec option, String picocliMessage) {
        Class<?> type = option.auxiliaryTypes()[0];
        if (type.isEnum()) {
            return "not one of " + String.join(", ", option.completionCandidates());
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class
                || type == short.class || type == Short.class) {
            return "not a whole number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "not true or false";
        }
        return picocliMessage.replaceFirst("^Invalid value for option '[^']*': ", "");
    }

    /** Where {@code option} got its value, if from the environment or a file. */
    public Optional<Origin> origin(ArgSpec option) {
        return Optional.ofNullable(origins.get(option));
    }

    @Override
    public String defaultValue(ArgSpec arg) throws ParameterException {
        if (!resolving || !(arg instanceof OptionSpec option) || !SettingNames.settable(option)
                || !SettingNames.configurable(arg.command())) {
            return null;
        }
        checkEnvironment(arg.command());
        String name = SettingNames.env(option);
        String value = env.get(name);
        if (value != null && !serviceLink(arg.command(), option, name, value)) {
            origins.put(arg, new Origin.Environment(name, value));
            return value;
        }
        if (SettingNames.CONFIG_OPTION.equals(option.longestName())) {
            return null;
        }
        ConfigFile file = file(arg.command());
        List<ConfigFile.Line> lines = file == null ? null : file.entries().get(SettingNames.key(option));
        if (lines == null) {
            return null;
        }
        String joined = lines.stream().map(ConfigFile.Line::value).collect(Collectors.joining(","));
        origins.put(arg, new Origin.File(file.path(), lines.get(0).number(), SettingNames.key(option), joined));
        return joined;
    }

    /**
     * A Kubernetes service link in an option's place ({@code SAGALOG_PORT=tcp://10.0.0.7:8080} where a Service is
     * named {@code sagalog}) is not meant for it: ignored, with a warning.
     */
    private boolean serviceLink(CommandSpec command, OptionSpec option, String name, String value) {
        if (!SERVICE_LINK_VALUE.matcher(value).matches() || option.type() == String.class) {
            return false;
        }
        warn(command, name + "=" + value + " looks like a Kubernetes service link, not a value of "
                + option.longestName() + ": ignored (pass " + option.longestName() + " or set enableServiceLinks: false)");
        return true;
    }

    /** The file of {@code --config} (or SAGALOG_CONFIG), read and checked against every option on first use. */
    private ConfigFile file(CommandSpec command) throws ParameterException {
        OptionSpec config = command.findOption(SettingNames.CONFIG_OPTION);
        if (config == null) {
            return null; // the root's own options: flags and the environment only
        }
        Object given = config.getValue();
        String named = given != null ? given.toString() : env.get(SettingNames.env(config));
        if (named == null) {
            return null;
        }
        Path path = Path.of(named);
        ConfigFile file = files.get(path);
        if (file == null) {
            try {
                file = ConfigFile.read(path);
            } catch (ConfigFile.Unreadable e) {
                throw new ParameterException(command.commandLine(), e.getMessage());
            }
            check(command, file);
            files.put(path, file);
        }
        return file;
    }

    private static void check(CommandSpec command, ConfigFile file) throws ParameterException {
        Map<String, OptionSpec> known = SettingNames.all(command.root());
        for (List<ConfigFile.Line> lines : file.entries().values()) {
            ConfigFile.Line line = lines.get(0);
            String at = file.path() + " line " + line.number() + ": ";
            OptionSpec option = known.get(line.key());
            if (option == null || SettingNames.CONFIG_OPTION.equals(option.longestName())) {
                String hint = option != null ? "a config file cannot name another"
                        : SettingNames.closest(line.key(), known.keySet()).map(k -> "did you mean " + k + "?")
                        .orElse("keys are the long option names without the dashes, e.g. port; see --help");
                throw new ParameterException(command.commandLine(), at + "unknown key '" + line.key() + "' (" + hint + ")");
            }
            if (lines.size() > 1 && !option.isMultiValue()) {
                throw new ParameterException(command.commandLine(), at + "'" + line.key() + "' is given again on line "
                        + lines.get(1).number() + "; it takes one value");
            }
        }
    }

    /** Once per command line: a warning for each SAGALOG_* variable that is no setting (a misspelt one, say). */
    private void checkEnvironment(CommandSpec command) {
        if (environmentChecked) {
            return;
        }
        environmentChecked = true;
        Map<String, OptionSpec> known = SettingNames.all(command.root());
        List<String> names = known.keySet().stream().map(SettingNames::envOf).toList();
        env.keySet().stream().filter(n -> n.startsWith(SettingNames.ENV_PREFIX)).sorted()
                .filter(n -> !names.contains(n) && !LAUNCHER.contains(n) && !SERVICE_LINK_NAME.matcher(n).matches())
                .forEach(n -> warn(command, n + " is not a Sagalog setting: ignored"
                        + SettingNames.closest(n, names).map(k -> " (did you mean " + k + "?)").orElse("")));
    }

    private static void warn(CommandSpec command, String line) {
        CommandLine cli = command.commandLine();
        cli.getErr().println(command.root().qualifiedName() + ": warning: " + line);
        cli.getErr().flush();
    }
}
