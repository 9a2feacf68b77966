package io.sagalog.app;

import io.sagalog.bench.BenchCommand;
import io.sagalog.bench.NodeLauncher;
import io.sagalog.bench.OverloadBenchCommand;
import io.sagalog.bench.RecoveryBenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sagalog} command. */
@Command(name = "sagalog", mixinStandardHelpOptions = true, version = "sagalog " + SagalogCli.VERSION,
        description = "Event-sourced transaction log and compensation (saga) engine on Kafka.",
        subcommands = {DevCommand.class, EngineCommand.class, IngestCommand.class, TopicsCommand.class,
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

    /** The command line as {@link #main} runs it: failures an operator can fix are one line, not a stack trace. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SagalogCli(), new BenchFactory(new BenchNodes()));
        CliErrors.install(cli);
        return cli;
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
