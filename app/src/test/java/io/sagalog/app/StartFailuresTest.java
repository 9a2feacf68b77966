package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

/** Which start failures are told in one line, and in what words. */
class StartFailuresTest {

    @Test
    void shouldTellARefusedLoginInOneLineWithTheClusterAndTheSettingToCheck() {
        var cause = new SaslAuthenticationException("Authentication failed: Invalid username or password");
        String line = StartFailures.oneLine(new IllegalStateException(
                "cannot use the Kafka cluster at k1:9093: " + cause.getMessage(), cause));

        assertThat(line).isEqualTo("cannot use the Kafka cluster at k1:9093: Authentication failed: Invalid username "
                + "or password (check the credentials in --kafka-config)");
    }

    @Test
    void shouldTellAMissingAclAndAnUnansweredClusterButNotABug() {
        assertThat(StartFailures.oneLine(new IllegalStateException("cannot create Sagalog's topics: denied",
                new TopicAuthorizationException("denied")))).contains("denied").contains("ACL").doesNotContain("\n");
        assertThat(StartFailures.oneLine(new IllegalStateException("the Kafka cluster at k1:9092 did not answer "
                + "within 60 s"))).endsWith("(check --bootstrap and --kafka-config)");
        assertThat(StartFailures.oneLine(new NullPointerException("a bug"))).isNull();
    }
}
