package io.sagalog.app;

import io.sagalog.bench.BenchCommand;
import io.sagalog.bench.NodeLauncher;
import io.sagalog.bench.OverloadBenchCommand;
import io.sagalog.bench.RecoveryBenchCommand;
import io.sagalog.app.config.SettingSources;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sagalog} command. */
@Command(name = "sagalog", mixinStandardHelpOptions = true, version = "sagalog " + SagalogCli.VERSION,
        description = "Event-sourced transaction log and compensation (saga) engine on Kafka.",
        footer = {"", "Options of dev, engine, ingest, topics and archive may also come from SAGALOG_<NAME> environment "
                + "variables (--max-delivery-delay: SAGALOG_MAX_DELIVERY_DELAY) and a --config FILE of key=value lines; "
                + "a flag wins over the environment, the environment over the file. 'sagalog config print' shows "
                + "what is in effect."},
        subcommands = {DevCommand.class, EngineCommand.class, IngestCommand.class, TopicsCommand.class, ConfigCommand.class,
                BenchCommand.class, OverloadBenchCommand.class, RecoveryBenchCommand.class,
                TrainClassArchiveCommand.class, io.sagalog.app.archive.ArchiveCommand.class, CommandLine.HelpCommand.class})
public final class SagalogCli implements Runnable {
    /** This build's version, as --version and the start log line tell it. */
    static final String VERSION = "0.1.0";

    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "On an error, print its stack trace after the one line that tells it.")
    boolean verbose;

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        // Exit explicitly: a library thread that is not a daemon must not keep a finished command alive (the
        // class-archive training run relies on a clean exit to write its archive).
        System.exit(code);
    }

    /**
     * The command line as {@link #main} runs it: options from flags, the process's environment and a --config file;
     * failures an operator can fix are one line, not a stack trace.
     */
    public static CommandLine commandLine() {
        return commandLine(System.getenv());
    }

    /** The command line with {@code env} in the place of the process's environment (tests, config print). */
    public static CommandLine commandLine(java.util.Map<String, String> env) {
        return commandLine(env, true);
    }

    /** @param checkEnvironment whether to warn of SAGALOG_* variables that are no setting */
    static CommandLine commandLine(java.util.Map<String, String> env, boolean checkEnvironment) {
        SettingSources sources = new SettingSources(env, checkEnvironment);
        CommandLine cli = new Configured(new SagalogCli(), new BenchFactory(new BenchNodes()), sources);
        cli.setDefaultValueProvider(sources);
        // Everything after the command's name is that command's flags, not print's own.
        cli.getSubcommands().get("config").getSubcommands().get("print").setStopAtPositional(true);
        CliErrors.install(cli, sources);
        return cli;
    }

    /** Takes values from the environment and the file only while it parses: --help shows the built-in defaults. */
    private static final class Configured extends CommandLine {
        private final SettingSources sources;

        Configured(Object command, IFactory factory, SettingSources sources) {
            super(command, factory);
            this.sources = sources;
        }

        @Override
        public ParseResult parseArgs(String... args) {
            return sources.resolving(() -> super.parseArgs(args));
        }
    }

    /** Makes the bench's commands with the launcher they start brokers, nodes and processes with; the rest as usual. */
    private record BenchFactory(NodeLauncher launcher) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                return type.getConstructor(NodeLauncher.class).newInstance(launcher);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
