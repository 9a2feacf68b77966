package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Options from flags, SAGALOG_* environment variables and a --config file, in that order of precedence, as the
 * command line parses them in-process (with a test's environment); nothing here starts Kafka.
 */
class ConfigurationTest {
    private static final String NO_BROKER = "127.0.0.1:1";

    @TempDir
    Path dir;

    record Outcome(int code, String out, String err) {
        String oneLine(String command) {
            assertThat(err.strip()).as("stderr").doesNotContain("\n").doesNotContain("\tat ").startsWith(command + ": ");
            return err.strip();
        }
    }

    static Outcome run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = SagalogCli.commandLine(env);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    /** The engine command as parsed, without running it. */
    static EngineCommand engine(Map<String, String> env, String... args) {
        CommandLine cli = SagalogCli.commandLine(env);
        return (EngineCommand) cli.parseArgs(args).subcommand().commandSpec().userObject();
    }

    private Path file(String name, String... lines) throws IOException {
        return Files.write(dir.resolve(name), List.of(lines));
    }

    @Test
    void shouldTakeAFlagOverTheEnvironmentOverTheFileOverTheDefault() throws IOException {
        Path config = file("engine.conf", "# the team's settings", "bootstrap = kafka-file:9092", "port=9002",
                "max-delivery-delay=2s", "topic-prefix=file.");
        Map<String, String> env = Map.of("SAGALOG_CONFIG", config.toString(), "SAGALOG_PORT", "9001",
                "SAGALOG_TOPIC_PREFIX", "env.");

        EngineCommand engine = engine(env, "engine", "--topic-prefix", "flag.");

        assertThat(engine.options.topicPrefix).as("flag over environment and file").isEqualTo("flag.");
        assertThat(engine.options.port).as("environment over file").isEqualTo(9001);
        assertThat(engine.options.maxDeliveryDelay).as("file over default").isEqualTo("2s");
        assertThat(engine.bootstrap).as("a required option from the file").isEqualTo("kafka-file:9092");
        assertThat(engine.options.httpIdleTimeout).as("default").isEqualTo("30s");
        assertThat(engine(Map.of(), "engine", "--bootstrap", NO_BROKER).options.port).as("nothing set").isEqualTo(8080);
    }

    @Test
    void shouldPrintTheEffectiveConfigurationWithWhereEachValueCameFrom() throws IOException {
        Path config = file("engine.conf", "port=9002", "max-delivery-delay=2s", "topic-prefix=file.");

        Outcome printed = run(Map.of("SAGALOG_PORT", "9001", "SAGALOG_BOOTSTRAP", "kafka-env:9092"),
                "config", "print", "engine", "--config", config.toString(), "--topic-prefix", "flag.");

        assertThat(printed.code()).isZero();
        assertThat(printed.err()).isEmpty();
        assertThat(printed.out()).containsPattern("(?m)^port=9001 +# environment SAGALOG_PORT$")
                .containsPattern("(?m)^bootstrap=kafka-env:9092 +# environment SAGALOG_BOOTSTRAP$")
                .containsPattern("(?m)^max-delivery-delay=2s +# file " + java.util.regex.Pattern.quote(config.toString()) + " line 2$")
                .containsPattern("(?m)^topic-prefix=flag\\. +# flag$")
                .containsPattern("(?m)^http-idle-timeout=30s +# default$")
                .containsPattern("(?m)^# advertised-url is not set$");
    }

    @Test
    void shouldReadThePrintedConfigurationBackAsAConfigFile() throws IOException {
        Outcome printed = run(Map.of(), "config", "print", "ingest", "--bootstrap", "kafka:9092",
                "--engine-url", "http://a:8080,http://b:8080", "--port", "9005");
        Path saved = Files.writeString(dir.resolve("ingest.conf"), printed.out());

        Outcome again = run(Map.of(), "config", "print", "ingest", "--config", saved.toString());

        assertThat(again.code()).isZero();
        assertThat(again.out()).containsPattern("(?m)^port=9005 +# file .* line \\d+$")
                .containsPattern("(?m)^engine-url=http://a:8080,http://b:8080 +# file ");
    }

    @Test
    void shouldShowTheBuiltInDefaultsInHelpWhateverTheEnvironmentSays() {
        Outcome help = run(Map.of("SAGALOG_PORT", "9001", "SAGALOG_DATA_DIR", "/var/lib/x"), "dev", "--help");

        assertThat(help.code()).isZero();
        String text = help.out().replaceAll("\\s+", " "); // picocli wraps long lines
        assertThat(text).contains("(default: 8080)").contains("/.sagalog)").doesNotContain("9001")
                .doesNotContain("/var/lib/x").contains("SAGALOG_<NAME>");
    }

    @Test
    void shouldMaskSecretsWhenPrinting() throws IOException {
        Path kafka = file("kafka.properties", "security.protocol=SASL_SSL",
                "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"s\" password=\"hunter2\";",
                "ssl.truststore.password=swordfish");
        Path tokens = file("tokens", "tok-abcdefghijklmnopqrstuvwxyz operator");
        byte[] secret = new byte[32];
        secret[0] = 42;
        Path callback = Files.writeString(dir.resolve("callback-secret"), java.util.Base64.getEncoder().encodeToString(secret));

        Outcome printed = run(Map.of("SAGALOG_KAFKA_CONFIG", kafka.toString()), "config", "print", "engine",
                "--bootstrap", NO_BROKER, "--tokens", tokens.toString(), "--callback-secret-file", callback.toString());

        assertThat(printed.code()).isZero();
        assertThat(printed.out()).contains("security.protocol=SASL_SSL").contains("sasl.jaas.config=***")
                .contains("ssl.truststore.password=***").contains("fingerprint " + SharedSecret.fingerprint(secret))
                .contains("tokens=" + tokens)
                .doesNotContain("hunter2").doesNotContain("swordfish").doesNotContain("tok-abcdefghijklmnopqrstuvwxyz")
                .doesNotContain(Files.readString(callback));
    }

    @Test
    void shouldTellABadValueFromTheEnvironmentOrTheFileNamingItsSource() throws IOException {
        Path config = file("engine.conf", "bootstrap=" + NO_BROKER, "", "port=abc");

        Outcome fromEnv = run(Map.of("SAGALOG_PORT", "abc"), "engine", "--bootstrap", NO_BROKER, "--no-auth");
        Outcome fromFile = run(Map.of(), "engine", "--config", config.toString(), "--no-auth");
        Outcome enumFromEnv = run(Map.of("SAGALOG_PROCESSING_GUARANTEE", "exactly_once"), "engine", "--bootstrap",
                NO_BROKER, "--no-auth");
        Outcome flag = run(Map.of(), "engine", "--bootstrap", NO_BROKER, "--no-auth", "--port", "abc");

        assertThat(fromEnv.oneLine("sagalog engine")).contains("SAGALOG_PORT=abc (environment): not a whole number");
        assertThat(fromEnv.code()).isEqualTo(2);
        assertThat(fromFile.oneLine("sagalog engine")).contains("port=abc (" + config + " line 3): not a whole number");
        assertThat(fromFile.code()).isEqualTo(2);
        assertThat(enumFromEnv.oneLine("sagalog engine"))
                .contains("SAGALOG_PROCESSING_GUARANTEE=exactly_once (environment): not one of at_least_once, exactly_once_v2");
        assertThat(flag.oneLine("sagalog engine")).as("a flag's error stays picocli's").contains("'--port'")
                .doesNotContain("environment");
    }

    @Test
    void shouldNameTheSourceOfAValueTheCommandRefusesAfterParsing() {
        long t0 = System.nanoTime();
        Outcome outcome = run(Map.of("SAGALOG_HTTP_IDLE_TIMEOUT", "soon"), "engine", "--bootstrap", NO_BROKER, "--no-auth");

        assertThat(outcome.oneLine("sagalog engine"))
                .contains("SAGALOG_HTTP_IDLE_TIMEOUT=soon (environment): --http-idle-timeout must be a duration");
        assertThat(outcome.code()).isEqualTo(2);
        assertThat((System.nanoTime() - t0) / 1e9).as("seconds, without waiting for the cluster").isLessThan(30);
    }

    @Test
    void shouldRefuseAnUnknownKeyInTheFileWithASuggestion() throws IOException {
        Path config = file("engine.conf", "bootstrap=" + NO_BROKER, "max-delivery-delai=2s");
        Path nothingClose = file("other.conf", "frobnicate=yes");

        Outcome typo = run(Map.of(), "engine", "--config", config.toString(), "--no-auth");
        Outcome unknown = run(Map.of(), "ingest", "--config", nothingClose.toString());

        assertThat(typo.oneLine("sagalog engine")).contains(config + " line 2: unknown key 'max-delivery-delai' "
                + "(did you mean max-delivery-delay?)");
        assertThat(typo.code()).isEqualTo(2);
        assertThat(unknown.oneLine("sagalog ingest")).contains("unknown key 'frobnicate'");
        assertThat(unknown.code()).isEqualTo(2);
    }

    @Test
    void shouldAcceptKeysOfOtherCommandsSoThatOneFileServesEngineIngestAndTopics() throws IOException {
        Path config = file("sagalog.conf", "bootstrap=kafka:9092", "engine-url=http://engine:8080", "standby-replicas=2",
                "topic-prefix=shop.");

        Outcome ingest = run(Map.of(), "config", "print", "ingest", "--config", config.toString());

        assertThat(ingest.code()).isZero();
        assertThat(ingest.out()).contains("engine-url=http://engine:8080").contains("topic-prefix=shop.")
                .doesNotContain("standby-replicas");
    }

    @Test
    void shouldTellAFileThatIsNotKeyValueOrMissingInOneLine() throws IOException {
        Path notKeyValue = file("bad.conf", "port 8080");
        Path twice = file("twice.conf", "port=1", "port=2");

        Outcome bad = run(Map.of(), "engine", "--config", notKeyValue.toString());
        Outcome missing = run(Map.of(), "engine", "--config", dir.resolve("nope.conf").toString());
        Outcome repeated = run(Map.of(), "engine", "--config", twice.toString());

        assertThat(bad.oneLine("sagalog engine")).contains(notKeyValue + " line 1: 'port 8080' is not key=value");
        assertThat(missing.oneLine("sagalog engine")).contains("nope.conf: no such file");
        assertThat(repeated.oneLine("sagalog engine")).contains("line 1: 'port' is given again on line 2");
        assertThat(List.of(bad.code(), missing.code(), repeated.code())).containsOnly(2);
    }

    @Test
    void shouldWarnOfAnUnknownSagalogVariableButNotOfTheLaunchersOrKubernetesOwn() {
        // One misspelt setting (the positive control); the launcher's variables and Kubernetes' service links.
        Map<String, String> env = Map.of("SAGALOG_MAX_DELIVERY_DELAI", "2s", "SAGALOG_JAVA_OPTS", "-Xmx1g",
                "SAGALOG_CLASS_ARCHIVE", "off", "SAGALOG_SERVICE_HOST", "10.0.0.7", "SAGALOG_PORT_8080_TCP_ADDR", "10.0.0.7",
                "SAGALOG_ENGINE_SERVICE_PORT_HTTP", "8080");

        Outcome outcome = run(env, "config", "print", "engine", "--bootstrap", NO_BROKER);

        assertThat(outcome.code()).as("a warning, not an error").isZero();
        assertThat(outcome.err().strip()).isEqualTo("sagalog: warning: SAGALOG_MAX_DELIVERY_DELAI is not "
                + "a Sagalog setting: ignored (did you mean SAGALOG_MAX_DELIVERY_DELAY?)");
    }

    @Test
    void shouldIgnoreAKubernetesServiceLinkInThePlaceOfThePort() {
        Outcome outcome = run(Map.of("SAGALOG_PORT", "tcp://10.0.0.7:8080"), "config", "print", "engine",
                "--bootstrap", NO_BROKER);

        assertThat(outcome.code()).isZero();
        assertThat(outcome.err()).contains("SAGALOG_PORT=tcp://10.0.0.7:8080 looks like a Kubernetes service link");
        assertThat(outcome.out()).containsPattern("(?m)^port=8080 +# default$");
    }

    @Test
    void shouldTakeListsAndSwitchesFromTheEnvironmentAndTheFile() throws IOException {
        Path config = file("engine.conf", "participant-allow=10.0.0.0/8", "participant-allow=192.168.0.0/16");

        EngineCommand engine = engine(Map.of("SAGALOG_CONFIG", config.toString(), "SAGALOG_BOOTSTRAP", NO_BROKER,
                "SAGALOG_NO_AUTH", "true", "SAGALOG_DEFINITION", "a.json,b.json"), "engine");

        assertThat(engine.options.participantAllow).containsExactly("10.0.0.0/8", "192.168.0.0/16");
        assertThat(engine.noAuth).isTrue();
        assertThat(engine.definitionFiles).containsExactly(Path.of("a.json"), Path.of("b.json"));
    }

    @Test
    void shouldTellAMissingRequiredOptionWithItsVariable() {
        Outcome outcome = run(Map.of(), "engine", "--no-auth");
        Outcome printed = run(Map.of(), "config", "print", "engine");

        assertThat(outcome.oneLine("sagalog engine")).contains("--bootstrap").contains("SAGALOG_BOOTSTRAP");
        assertThat(outcome.code()).isEqualTo(2);
        assertThat(printed.out()).contains("# bootstrap is not set (required");
        assertThat(printed.code()).isEqualTo(2);
    }

    @Test
    void shouldConfigureTopicsAndArchiveExportLikeTheNodes() throws IOException {
        Path config = file("topics.conf", "topic-prefix=shop.", "partitions=12");

        Outcome topics = run(Map.of(), "topics", "describe", "--config", config.toString());
        Outcome archive = run(Map.of("SAGALOG_FROM", "yesterday", "SAGALOG_BOOTSTRAP", NO_BROKER), "archive", "export",
                "--out", dir.resolve("out.jsonl").toString());

        assertThat(topics.code()).isZero();
        assertThat(topics.out()).containsPattern("shop\\.control +partitions 12 ");
        assertThat(archive.oneLine("sagalog archive export")).contains("SAGALOG_FROM=yesterday (environment): --from: "
                + "'yesterday' is not a time");
        assertThat(archive.code()).isEqualTo(2);
    }
}
