package io.sagalog.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sagalog} command. */
@Command(name = "sagalog", mixinStandardHelpOptions = true, version = "sagalog 0.1.0",
        description = "Event-sourced transaction log and compensation (saga) engine on Kafka.",
        subcommands = {DevCommand.class, EngineCommand.class, TopicsCommand.class,
                io.sagalog.app.bench.BenchCommand.class, io.sagalog.app.bench.OverloadBenchCommand.class,
                TrainClassArchiveCommand.class, CommandLine.HelpCommand.class})
public final class SagalogCli implements Runnable {

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        // Exit explicitly: a library thread that is not a daemon must not keep a finished command alive (the
        // class-archive training run relies on a clean exit to write its archive).
        System.exit(code);
    }

    /** The command line as {@link #main} runs it: failures an operator can fix are one line, not a stack trace. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SagalogCli());
        cli.setExecutionExceptionHandler((error, commandLine, parseResult) -> {
            String line = StartFailures.oneLine(error);
            if (line == null) {
                throw error; // unexpected: picocli prints it in full, for a bug report
            }
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + line);
            commandLine.getErr().flush();
            return 1;
        });
        return cli;
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
