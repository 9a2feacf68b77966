package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as {@code main} runs it, in-process: every user error is one line on stderr naming the command,
 * exit code 2 for usage (a file or value given on the command line) and 1 for runtime (the cluster, the port);
 * {@code --verbose} adds the stack trace. Nothing here reaches a broker: 127.0.0.1:1 refuses every connection.
 */
class CliErrorsTest {
    private static final String NO_BROKER = "127.0.0.1:1";

    @TempDir
    Path dir;

    record Outcome(int code, String err) {
        /** The one line told, after checking it is one line and no stack trace. */
        String oneLine(String command) {
            assertThat(err.strip()).as("stderr").doesNotContain("\n").doesNotContain("\tat ").startsWith(command + ": ");
            return err.strip();
        }
    }

    static Outcome run(String... args) {
        StringWriter err = new StringWriter();
        picocli.CommandLine cli = SagalogCli.commandLine();
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Outcome(code, err.toString());
    }

    @Test
    void shouldTellAMissingTokensFileInOneLineAsAUsageError() {
        Outcome outcome = run("engine", "--bootstrap", NO_BROKER, "--tokens", dir.resolve("missing").toString());

        assertThat(outcome.oneLine("sagalog engine")).contains("no such tokens file");
        assertThat(outcome.code()).isEqualTo(2);
    }

    @Test
    void shouldTellABadTokensFileOfDevBeforeStartingKafka() throws IOException {
        Path tokens = Files.writeString(dir.resolve("tokens"), "abc nosuchrole\n");

        Outcome outcome = run("dev", "--data-dir", dir.resolve("data").toString(), "--port", "0", "--tokens", tokens.toString());

        assertThat(outcome.oneLine("sagalog dev")).contains("line 1");
        assertThat(outcome.code()).isEqualTo(2);
        assertThat(dir.resolve("data").resolve("kafka")).as("Kafka was not started").doesNotExist();
    }

    @Test
    void shouldTellAnInvalidDefinitionFileInOneLine() throws IOException {
        Path definition = Files.writeString(dir.resolve("bad.json"), "{\"name\": \"x\"}");

        Outcome outcome = run("engine", "--bootstrap", NO_BROKER, "--no-auth", "--definition", definition.toString());

        assertThat(outcome.oneLine("sagalog engine")).contains(definition.toString()).contains("not a valid definition");
        assertThat(outcome.code()).isEqualTo(2);
    }

    @Test
    void shouldRefuseADefinitionFileWithAMisspeltFieldNamingItsPath() throws IOException {
        Path definition = Files.writeString(dir.resolve("misspelt.json"), "{\"name\": \"x\", \"steps\": [{\"name\": \"a\", "
                + "\"participant\": \"p\", \"action\": \"do\", \"compensation\": \"undo\", \"retry\": {\"maxAttemps\": 5}}]}");

        Outcome outcome = run("engine", "--bootstrap", NO_BROKER, "--no-auth", "--definition", definition.toString());

        assertThat(outcome.oneLine("sagalog engine")).contains(definition.toString())
                .contains("steps[0].retry.maxAttemps: unknown field (did you mean maxAttempts?)");
        assertThat(outcome.code()).isEqualTo(2);
    }

    @Test
    void shouldTellAMissingKafkaConfigFileInOneLineForIngestAndTopics() {
        String missing = dir.resolve("kafka.properties").toString();

        Outcome ingest = run("ingest", "--bootstrap", NO_BROKER, "--engine-url", "http://127.0.0.1:1", "--no-auth",
                "--kafka-config", missing);
        Outcome topics = run("topics", "describe", "--bootstrap", NO_BROKER, "--kafka-config", missing);

        assertThat(ingest.oneLine("sagalog ingest")).contains("--kafka-config").contains("no such file");
        assertThat(ingest.code()).isEqualTo(2);
        assertThat(topics.oneLine("sagalog topics describe")).contains("--kafka-config");
        assertThat(topics.code()).isEqualTo(2);
    }

    @Test
    void shouldTellABadDurationInOneLineBeforeAskingTheCluster() {
        long t0 = System.nanoTime();
        Outcome outcome = run("engine", "--bootstrap", NO_BROKER, "--no-auth", "--http-idle-timeout", "soon");

        assertThat(outcome.oneLine("sagalog engine")).contains("--http-idle-timeout").contains("soon");
        assertThat(outcome.code()).isEqualTo(2);
        assertThat((System.nanoTime() - t0) / 1e9).as("seconds, without waiting for the cluster").isLessThan(30);
    }

    @Test
    void shouldTellAPortInUseInOneLineAsARuntimeError() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();

            Outcome engine = run("engine", "--bootstrap", NO_BROKER, "--no-auth", "--port", String.valueOf(port));
            Outcome dev = run("dev", "--data-dir", dir.resolve("data").toString(), "--port", String.valueOf(port));

            assertThat(engine.oneLine("sagalog engine")).contains(String.valueOf(port)).contains("in use");
            assertThat(engine.code()).isEqualTo(1);
            assertThat(dev.oneLine("sagalog dev")).contains(String.valueOf(port)).contains("in use");
            assertThat(dev.code()).isEqualTo(1);
            assertThat(dir.resolve("data").resolve("kafka")).as("Kafka was not started").doesNotExist();
        }
    }

    @Test
    void shouldTellAnUnreachableBrokerInOneLineAsARuntimeError() throws IOException {
        // The admin client's own timeout, short, so that the test does not wait the 60 s a real start allows.
        Path config = Files.writeString(dir.resolve("kafka.properties"),
                "default.api.timeout.ms=3000\nrequest.timeout.ms=1000\n");

        Outcome outcome = run("engine", "--bootstrap", NO_BROKER, "--no-auth", "--port", "0",
                "--kafka-config", config.toString());

        assertThat(outcome.oneLine("sagalog engine")).contains(NO_BROKER).contains("check --bootstrap");
        assertThat(outcome.code()).isEqualTo(1);
    }

    @Test
    void shouldTellAnUnknownOptionInOneLineWithWhereToLook() {
        Outcome outcome = run("engine", "--bootstrap", NO_BROKER, "--frobnicate");

        assertThat(outcome.oneLine("sagalog engine")).contains("--frobnicate").contains("sagalog engine --help");
        assertThat(outcome.code()).isEqualTo(2);
    }

    @Test
    void shouldTellABadTimeOfArchiveExportInOneLine() {
        Outcome outcome = run("archive", "export", "--bootstrap", NO_BROKER, "--from", "yesterday",
                "--out", dir.resolve("out.jsonl").toString());

        assertThat(outcome.oneLine("sagalog archive export")).contains("--from").contains("yesterday");
        assertThat(outcome.code()).isEqualTo(2);
    }

    @Test
    void shouldAddTheStackTraceWithVerbose() {
        Outcome plain = run("engine", "--bootstrap", NO_BROKER, "--tokens", dir.resolve("missing").toString());
        Outcome verbose = run("engine", "--verbose", "--bootstrap", NO_BROKER, "--tokens", dir.resolve("missing").toString());

        assertThat(plain.err()).doesNotContain("\tat ");
        assertThat(verbose.err()).contains("no such tokens file").contains("\tat ");
        assertThat(verbose.code()).isEqualTo(2);
    }
}
