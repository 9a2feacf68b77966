package io.sagalog.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagalog.app.SagalogCli;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParseResult;

/**
 * deploy/compose/docker-compose.yaml without Docker (none runs here; {@code docker compose config} validates it where
 * one does): 3 brokers, 2 engines and 2 ingest front ends whose commands the real command line accepts, engines
 * with their own instance ids, advertised URLs and volumes, front ends pointing at both engines.
 */
class ComposeFileTest {
    private static final JsonNode COMPOSE = read();

    private static JsonNode read() {
        try {
            // SnakeYAML resolves the file's merge keys (<<: *kafka), as Compose does; Jackson's YAML reader does not.
            Object yaml = new org.yaml.snakeyaml.Yaml().load(java.nio.file.Files.readString(Path.of("compose", "docker-compose.yaml")));
            return new ObjectMapper().valueToTree(yaml);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void shouldRunThreeBrokersTwoEnginesAndTwoFrontEnds() {
        Map<String, String> roles = new TreeMap<>();
        COMPOSE.path("services").fields().forEachRemaining(s -> {
            JsonNode command = s.getValue().path("command");
            String image = s.getValue().path("image").asText();
            roles.put(s.getKey(), image.startsWith("apache/kafka") ? "kafka"
                    : command.isArray() && command.size() > 0 ? command.get(0).asText() : "other");
        });
        assertThat(roles.values().stream().filter("kafka"::equals)).hasSize(3);
        assertThat(roles.values().stream().filter("engine"::equals)).hasSize(2);
        assertThat(roles.values().stream().filter("ingest"::equals)).hasSize(2);
    }

    @Test
    void shouldGiveEverySagalogServiceACommandTheRealCommandLineAccepts() {
        List<String> instanceIds = new ArrayList<>();
        COMPOSE.path("services").fields().forEachRemaining(s -> {
            JsonNode command = s.getValue().path("command");
            if (!command.isArray() || !List.of("engine", "ingest").contains(command.get(0).asText())) {
                return;
            }
            List<String> args = new ArrayList<>();
            command.forEach(a -> args.add(a.asText()));
            ParseResult parsed = SagalogCli.commandLine().parseArgs(args.toArray(String[]::new)).subcommand();
            assertThat(parsed.<String>matchedOptionValue("--advertised-url", "")).as(s.getKey())
                    .isEqualTo("http://" + s.getKey() + ":8080");
            if (command.get(0).asText().equals("engine")) {
                instanceIds.add(parsed.matchedOptionValue("--instance-id", ""));
                assertThat(s.getValue().path("volumes").toString()).contains(s.getKey() + ":/var/lib/sagalog");
            } else {
                assertThat(parsed.<List<String>>matchedOptionValue("--engine-url", List.of()))
                        .containsExactly("http://engine-1:8080", "http://engine-2:8080");
            }
        });
        assertThat(instanceIds).containsExactlyInAnyOrder("engine-1", "engine-2");
    }
}
