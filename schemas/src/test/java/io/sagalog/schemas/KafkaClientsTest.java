package io.sagalog.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientsTest {

    @Test
    void shouldGiveEveryClientTheOperatorsSettingsUnderItsOwn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\nsasl.mechanism = PLAIN\nacks=1\nclient.rack=az-1\n");
        KafkaClients clients = KafkaClients.load("k1:9093", file);

        Map<String, Object> config = clients.config(Map.of("acks", "all"));

        assertThat(config).containsEntry("bootstrap.servers", "k1:9093").containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN").containsEntry("acks", "all"); // the client's own wins
        assertThat(clients.rack()).contains("az-1");
        assertThat(clients.properties().getProperty("security.protocol")).isEqualTo("SASL_SSL");
    }

    @Test
    void shouldRefuseSettingsThatBelongToOneClient() {
        assertThatThrownBy(() -> new KafkaClients("k1:9092", Map.of("bootstrap.servers", "other:9092")))
                .hasMessageContaining("bootstrap.servers").hasMessageContaining("--bootstrap");
        assertThatThrownBy(() -> new KafkaClients("k1:9092", Map.of("group.id", "mine")))
                .hasMessageContaining("group.id");
    }

    @Test
    void shouldNeverShowSecrets() {
        KafkaClients clients = new KafkaClients("k1:9092", Map.of("sasl.jaas.config", "... password=\"hunter2\";",
                "ssl.keystore.password", "hunter3", "security.protocol", "SASL_SSL"));

        assertThat(clients.toString()).doesNotContain("hunter2").doesNotContain("hunter3").contains("SASL_SSL");
    }
}
