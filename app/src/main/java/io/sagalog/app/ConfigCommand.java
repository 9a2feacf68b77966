package io.sagalog.app;

import io.sagalog.app.config.Origin;
import io.sagalog.app.config.SettingNames;
import io.sagalog.app.config.SettingSources;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/** {@code sagalog config print}: the configuration a command would run with, and where each value came from. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "The configuration of the commands: flags, SAGALOG_* environment variables and --config files.",
        subcommands = ConfigCommand.Print.class)
public final class ConfigCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "print", mixinStandardHelpOptions = true,
            description = "Print the options COMMAND would run with, one key=value a line (a --config file can hold "
                    + "the output), each with where its value came from: flag, environment, file or default. "
                    + "Options after COMMAND count as its flags: sagalog config print engine --config engine.conf "
                    + "--port 9000. Secrets are masked; nothing is started.")
    static final class Print implements Callable<Integer> {
        static final List<String> COMMANDS = List.of("dev", "engine", "ingest");
        /** Option names whose values would be secrets themselves (a path to a file of secrets is not one). */
        private static final Pattern SECRET = Pattern.compile("(?i).*(token|password|secret|jaas|sasl|credential).*");

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", arity = "0..1", paramLabel = "COMMAND", defaultValue = "engine",
                description = "dev, engine or ingest (default: ${DEFAULT-VALUE}).")
        String command;

        @Parameters(index = "1..*", paramLabel = "OPTION", description = "Flags as COMMAND would be given them.")
        List<String> flags = new ArrayList<>();

        @Override
        public Integer call() {
            if (!COMMANDS.contains(command)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "'" + command + "' is not one of " + String.join(", ", COMMANDS));
            }
            SettingSources outer = spec.root().defaultValueProvider() instanceof SettingSources s ? s
                    : new SettingSources(System.getenv(), false);
            // The environment's unknown variables were told already, while this command's line was parsed.
            CommandLine fresh = SagalogCli.commandLine(outer.environment(), false);
            fresh.setErr(spec.commandLine().getErr());
            SettingSources sources = (SettingSources) fresh.getDefaultValueProvider();
            List<String> args = new ArrayList<>(List.of(command));
            args.addAll(flags);
            ParseResult parsed;
            Collection<?> missing = List.of();
            try {
                parsed = fresh.parseArgs(args.toArray(String[]::new)).subcommand();
            } catch (CommandLine.MissingParameterException e) {
                missing = e.getMissing(); // shown as such: the configuration is incomplete, and this says what lacks
                parsed = e.getCommandLine().getParseResult();
            } catch (CommandLine.ParameterException e) {
                throw new UsageError(sources.explain(e.getCommandLine().getCommandSpec(), e, CliErrors.flat(e.getMessage())));
            }
            CommandSpec target = fresh.getSubcommands().get(command).getCommandSpec();
            PrintWriter out = spec.commandLine().getOut();
            out.println("# sagalog " + command + ": flag > environment (SAGALOG_*) > --config file > default");
            List<OptionSpec> options = target.options().stream().filter(SettingNames::settable)
                    .sorted(Comparator.comparing(SettingNames::key)).toList();
            for (OptionSpec option : options) {
                String where = parsed != null && parsed.hasMatchedOption(option) ? "flag"
                        : sources.origin(option).map(Origin::where).orElse("default");
                String value = shown(option);
                if (value == null) {
                    out.println("# " + SettingNames.key(option) + " is not set"
                            + (missing.contains(option) ? " (required: pass --" + SettingNames.key(option) + ", set "
                            + SettingNames.env(option) + " or " + SettingNames.key(option) + "= in the file)" : ""));
                } else {
                    // A file cannot name another: the file's own name is shown as a comment, so the output reads back.
                    String comment = SettingNames.CONFIG_OPTION.equals(option.longestName()) ? "# " : "";
                    out.println(pad(comment + SettingNames.key(option) + "=" + value) + " # " + where + details(option));
                }
            }
            out.flush();
            return missing.isEmpty() ? 0 : CommandLine.ExitCode.USAGE;
        }

        private static String shown(OptionSpec option) {
            Object value = option.getValue();
            if (value == null || value instanceof Collection<?> c && c.isEmpty()) {
                return null;
            }
            if (SECRET.matcher(SettingNames.key(option)).matches() && !"FILE".equals(option.paramLabel())) {
                return "***";
            }
            return value instanceof Collection<?> c ? String.join(",", c.stream().map(String::valueOf).toList())
                    : String.valueOf(value);
        }

        /** What a file of settings holds, without its secrets: Kafka client settings masked, a secret's fingerprint. */
        private static String details(OptionSpec option) {
            if (!(option.getValue() instanceof Path file) || !Files.isReadable(file)) {
                return "";
            }
            try {
                return switch (SettingNames.key(option)) {
                    case "kafka-config" -> "; " + io.sagalog.schemas.KafkaClients.load("-", file).maskedSettings();
                    case "callback-secret-file" -> "; fingerprint " + SharedSecret.fingerprint(
                            Base64.getDecoder().decode(Files.readString(file).trim()));
                    default -> "";
                };
            } catch (java.io.IOException | IllegalArgumentException e) {
                return "; cannot be read: " + e.getMessage();
            }
        }

        private static String pad(String setting) {
            return setting.length() >= 40 ? setting : setting + " ".repeat(40 - setting.length());
        }
    }
}
