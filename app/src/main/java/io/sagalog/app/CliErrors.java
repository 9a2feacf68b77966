package io.sagalog.app;

import io.sagalog.app.config.SettingNames;
import io.sagalog.app.config.SettingSources;
import io.sagalog.http.auth.InvalidTokenFileException;
import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * How every {@code sagalog} command ends on a user error: one line on stderr, {@code <command>: <what is wrong>},
 * exit code 2 for usage (an option, a file or a value given on the command line) and 1 for runtime (the cluster,
 * the port); {@code --verbose} adds the stack trace. An error that is none of these is a bug: its trace is printed
 * in full, for the report.
 */
final class CliErrors {
    private CliErrors() {}

    /** Errors about a value from the environment or a --config file name that source ({@link SettingSources#explain}). */
    static void install(CommandLine cli, SettingSources sources) {
        cli.setParameterExceptionHandler((error, args) -> usage(cli, sources, error, args));
        cli.setExecutionExceptionHandler((error, command, parsed) -> failure(sources, error, command, parsed));
    }

    /** picocli's own usage errors, and {@link ParameterException}s the commands throw. */
    private static int usage(CommandLine root, SettingSources sources, ParameterException error, String[] args) {
        CommandLine command = inTree(root, error.getCommandLine());
        String name = command.getCommandSpec().qualifiedName();
        String line = sources.explain(command.getCommandSpec(), error, flat(error.getMessage()));
        if (error instanceof CommandLine.MissingParameterException missing && SettingNames.configurable(command.getCommandSpec())) {
            line += missing.getMissing().stream().filter(a -> a instanceof CommandLine.Model.OptionSpec)
                    .map(a -> SettingNames.env((CommandLine.Model.OptionSpec) a)).findFirst()
                    .map(env -> " (or set " + env + ", or its key in the --config file)").orElse("");
        }
        tell(command, error, Arrays.asList(args).contains("--verbose"), line + " (see '" + name + " --help')");
        return CommandLine.ExitCode.USAGE;
    }

    private static int failure(SettingSources sources, Exception error, CommandLine command, ParseResult parsed) throws Exception {
        boolean verbose = verbose(parsed);
        if (error instanceof InvalidTokenFileException || error instanceof UsageError) {
            tell(command, error, verbose, sources.explain(command.getCommandSpec(), error, flat(error.getMessage())));
            return CommandLine.ExitCode.USAGE;
        }
        String line = StartFailures.oneLine(error);
        if (line == null) {
            throw error; // unexpected: picocli prints it in full, for a bug report
        }
        tell(command, error, verbose, line);
        return CommandLine.ExitCode.SOFTWARE;
    }

    private static void tell(CommandLine command, Throwable error, boolean verbose, String line) {
        PrintWriter err = command.getErr();
        err.println(command.getCommandSpec().qualifiedName() + ": " + line);
        if (verbose) {
            error.printStackTrace(err);
        }
        err.flush();
    }

    /**
     * The command of {@code root}'s tree that {@code thrower} stands for: an option check may throw with a
     * {@code new CommandLine(command)} of its own, which knows neither the full name nor where stderr goes.
     */
    private static CommandLine inTree(CommandLine root, CommandLine thrower) {
        Object target = thrower.getCommandSpec().userObject();
        if (root.getCommandSpec().userObject() == target) {
            return root;
        }
        for (CommandLine sub : root.getSubcommands().values()) {
            CommandLine found = inTree(sub, thrower);
            if (found != thrower) {
                return found;
            }
        }
        return thrower;
    }

    /** --verbose given, or SAGALOG_VERBOSE=true. */
    private static boolean verbose(ParseResult parsed) {
        return Boolean.TRUE.equals(parsed.commandSpec().findOption("--verbose").getValue());
    }

    /** Several problems (a definition's, a tokens file's) on one line, separated by "; ". */
    static String flat(String text) {
        return String.valueOf(text).strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
