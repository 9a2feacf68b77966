package io.sagalog.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sagalog} command. */
@Command(name = "sagalog", mixinStandardHelpOptions = true, version = "sagalog 0.1.0",
        description = "Event-sourced transaction log and compensation (saga) engine on Kafka.",
        subcommands = {DevCommand.class, EngineCommand.class, io.sagalog.app.bench.BenchCommand.class, CommandLine.HelpCommand.class})
public final class SagalogCli implements Runnable {

    public static void main(String[] args) {
        int code = new CommandLine(new SagalogCli()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
