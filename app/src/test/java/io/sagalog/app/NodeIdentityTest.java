package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * How a node tells others where it is and which secrets it keeps, without a broker: a node bound to all interfaces
 * needs --advertised-url (a one-line usage error, exit code 2, before anything starts), secret files are mode 600
 * from their creation, and {@code sagalog engine} without --definition brings no demo.
 */
class NodeIdentityTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"engine, 0.0.0.0", "engine, ::", "dev, 0.0.0.0", "dev, ::"})
    void aNodeBoundToAllInterfacesWithoutAnAdvertisedUrlIsAUsageError(String command, String host) {
        Run run = run(command, "--host=" + host);

        assertThat(run.code).isEqualTo(2);
        assertThat(run.err.strip()).doesNotContain("\n").contains("--host " + host).contains("--advertised-url");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://node-a:8443", "http://node-a:8080/sagalog", "node-a:8080", "http://0.0.0.0:8080"})
    void anAdvertisedUrlThatIsNotThisNodesPlainHttpAddressIsAUsageError(String url) {
        Run run = run("engine", "--host=0.0.0.0", "--advertised-url=" + url);

        assertThat(run.code).isEqualTo(2);
        assertThat(run.err.strip()).doesNotContain("\n").contains("--advertised-url");
    }

    @Test
    void callbacksAndForwardingUseTheAdvertisedAddressNotTheBoundOne() {
        NodeAddress advertised = NodeAddress.of("0.0.0.0", 8080, "http://node-a.internal:9000/");
        assertThat(advertised.callbackUrl()).isEqualTo("http://node-a.internal:9000/v1/step-results");
        assertThat(advertised.applicationServer()).isEqualTo("node-a.internal:9000");

        NodeAddress bound = NodeAddress.of("10.1.2.3", 8080, null);
        assertThat(bound.callbackUrl()).isEqualTo("http://10.1.2.3:8080/v1/step-results");
        assertThat(NodeAddress.of("0.0.0.0", 8080, "http://node-a").applicationServer()).isEqualTo("node-a:80");
    }

    @Test
    void theCallbackSecretFileIsCreatedReadableByItsOwnerOnly() throws Exception {
        Path file = dir.resolve("engine").resolve("callback-secret");

        byte[] secret = NodeOptions.callbackSecret(file);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(NodeOptions.callbackSecret(file)).as("read back on the next start").isEqualTo(secret);
    }

    @Test
    void theGeneratedDevTokensFileIsCreatedReadableByItsOwnerOnly() throws Exception {
        DevCommand dev = new DevCommand();
        new CommandLine(dev).parseArgs("--data-dir=" + dir.resolve("dev"));

        dev.devTokens();

        Path tokens = dir.resolve("dev").resolve("tokens");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokens))).isEqualTo("rw-------");
    }

    @Test
    void theEngineWithoutDefinitionFilesStartsWithNone() throws Exception {
        EngineCommand engine = new EngineCommand();
        new CommandLine(engine).parseArgs("--bootstrap=127.0.0.1:1", "--no-auth");

        assertThat(engine.loadDefinitions()).isEmpty();
    }

    @Test
    void secretFingerprintsTellSecretsApartAndShowNothingOfThem() {
        byte[] one = SagalogNode.Options.randomSecret();
        byte[] two = SagalogNode.Options.randomSecret();

        assertThat(SharedSecret.fingerprint(one)).matches("[0-9a-f]{16}").isEqualTo(SharedSecret.fingerprint(one.clone()))
                .isNotEqualTo(SharedSecret.fingerprint(two));
    }

    private record Run(int code, String err) {}

    /** Runs the command in this JVM against a port nothing listens on: a refusal must come before any connection. */
    private Run run(String command, String... args) {
        StringWriter err = new StringWriter();
        Object target = command.equals("dev") ? new DevCommand() : new EngineCommand();
        CommandLine cli = new CommandLine(target).setErr(new PrintWriter(err, true));
        String[] all = command.equals("dev")
                ? concat(args, "--data-dir=" + dir.resolve("dev"))
                : concat(args, "--bootstrap=127.0.0.1:1", "--no-auth", "--data-dir=" + dir.resolve("engine"));
        int code = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> cli.execute(all));
        return new Run(code, err.toString());
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
