package io.sagalog.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sagalog} command. */
@Command(name = "sagalog", mixinStandardHelpOptions = true, version = "sagalog 0.1.0",
        description = "Event-sourced transaction log and compensation (saga) engine on Kafka.",
        subcommands = {DevCommand.class, EngineCommand.class, io.sagalog.app.bench.BenchCommand.class,
                io.sagalog.app.bench.OverloadBenchCommand.class,
                TrainClassArchiveCommand.class, CommandLine.HelpCommand.class})
public final class SagalogCli implements Runnable {

    public static void main(String[] args) {
        int code = new CommandLine(new SagalogCli()).execute(args);
        // Exit explicitly: a library thread that is not a daemon must not keep a finished command alive (the
        // class-archive training run relies on a clean exit to write its archive).
        System.exit(code);
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
