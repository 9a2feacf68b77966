package io.sagalog.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Which participant URLs may be registered, with and without --participant-allow. */
class ParticipantUrlsTest {
    private static final int OWN_PORT = 8080;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "http://127.0.0.1:9000/x              | loopback",
            "http://127.1.2.3:9000/x              | loopback",
            "http://localhost:9000/x              | loopback",
            "http://api.localhost:9000/x          | loopback",
            "http://[::1]:9000/x                  | loopback",
            "http://[::ffff:127.0.0.1]:9000/x     | loopback",
            "http://169.254.169.254/latest        | link-local",
            "http://[fe80::1]:9000/x              | link-local",
            "http://0.0.0.0:9000/x                | unspecified",
            "http://metadata.google.internal/x    | metadata",
            "http://2130706433/x                  | not a valid host",
            "http://0x7f.0.0.1/x                  | with a host",
            "http://user:token@hotels.example/x   | credentials in the URL",
            "ftp://hotels.example/x               | http or https"})
    void shouldRefuseByDefault(String url, String why) {
        assertThat(ParticipantUrls.strict().problem("url", url, "127.0.0.1", OWN_PORT))
                .hasValueSatisfying(p -> assertThat(p).startsWith("url: ").contains(why));
    }

    @Test
    void shouldAllowWhatTheAllowListCoversButNeverTheNodeItselfOrCredentials() {
        ParticipantUrls dev = ParticipantUrls.allowing(ParticipantUrls.LOOPBACK);
        ParticipantUrls one = ParticipantUrls.allowing(List.of("127.0.0.1/32"));

        assertThat(dev.problem("url", "http://127.0.0.1:9000/x", "127.0.0.1", OWN_PORT)).isEmpty();
        assertThat(dev.problem("url", "http://localhost:9000/x", "127.0.0.1", OWN_PORT)).isEmpty();
        assertThat(one.problem("url", "http://127.0.0.1:9000/x", "127.0.0.1", OWN_PORT)).isEmpty();
        assertThat(one.problem("url", "http://127.0.0.2:9000/x", "127.0.0.1", OWN_PORT)).isPresent();
        assertThat(one.problem("url", "http://169.254.169.254/", "127.0.0.1", OWN_PORT)).isPresent();
        assertThat(dev.problem("url", "http://127.0.0.1:8080/v1/step-results", "127.0.0.1", OWN_PORT))
                .hasValueSatisfying(p -> assertThat(p).contains("this node's own API"));
        assertThat(dev.problem("url", "http://localhost:8080/", "127.0.0.1", OWN_PORT)).isPresent();
        assertThat(dev.problem("url", "http://a:b@127.0.0.1:9000/x", "127.0.0.1", OWN_PORT))
                .hasValueSatisfying(p -> assertThat(p).contains("credentials"));
        assertThat(ParticipantUrls.strict().problem("url", "https://hotels.internal:8443/x", "127.0.0.1", OWN_PORT)).isEmpty();
        assertThat(ParticipantUrls.strict().problem("url", "http://10.1.2.3:9000/x", "127.0.0.1", OWN_PORT)).isEmpty();
    }

    @Test
    void shouldRefuseAnAllowListEntryThatIsNotACidr() {
        assertThatThrownBy(() -> ParticipantUrls.allowing(List.of("localhost"))).hasMessageContaining("'localhost' is not a CIDR");
        assertThatThrownBy(() -> ParticipantUrls.allowing(List.of("10.0.0.0/33"))).hasMessageContaining("prefix length");
    }
}
