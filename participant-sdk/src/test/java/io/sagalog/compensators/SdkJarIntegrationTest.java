package io.sagalog.compensators;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.Phase;
import io.sagalog.schemas.avro.StepRequest;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The packaged SDK jar with exactly the jars a participant's build resolves for it, and nothing else (no schemas jar,
 * no codecs, no commons-compress): it decodes a step request, writes a java.time value, and encodes the request back,
 * as a worker does. Runs after {@code package}, on the jar itself.
 */
class SdkJarIntegrationTest {
    @Test
    void shouldWorkWithItsOwnJarAndItsRuntimeJarsAlone() throws Exception {
        List<URL> urls = new ArrayList<>();
        urls.add(sdkJar().toUri().toURL());
        String classpath = Files.readString(Path.of("target", "sdk-runtime-classpath.txt")).trim();
        for (String jar : classpath.split(java.io.File.pathSeparator)) {
            urls.add(Path.of(jar).toUri().toURL());
        }
        StepRequest request = StepRequest.newBuilder().setTxId("tx-1").setDefinition("trip").setStep("hotels")
                .setParticipant("hotels").setPhase(Phase.ACTION).setHandler("reserve").setAttempt(1)
                .setIdempotencyKey("tx-1:hotels:action").setInput("{}").setContext("{}").setDeadlineMillis(1).build();
        byte[] bytes = Topics.steps("hotels").serde().encode(request);

        // The platform loader as parent: the test's own classpath (schemas jar, JUnit) is not visible.
        try (URLClassLoader sdk = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            Class<?> topics = Class.forName("io.sagalog.schemas.Topics", true, sdk);
            assertThat(topics.getClassLoader()).as("the schemas come from the SDK jar").isSameAs(sdk);
            Object topic = topics.getMethod("steps", String.class).invoke(null, "hotels");
            Object serde = topic.getClass().getMethod("serde").invoke(topic);
            Object decoded = serde.getClass().getMethod("decode", byte[].class).invoke(serde, (Object) bytes);
            assertThat(decoded.getClass().getMethod("getTxId").invoke(decoded)).isEqualTo("tx-1");
            Object reencoded = serde.getClass().getMethod("encode", Class.forName("org.apache.avro.specific.SpecificRecord", false, sdk)).invoke(serde, decoded);
            assertThat((byte[]) reencoded).isEqualTo(bytes);

            Class<?> worker = Class.forName("io.sagalog.compensators.ParticipantWorker", true, sdk);
            Object mapper = worker.getMethod("defaultObjectMapper").invoke(null);
            Object json = mapper.getClass().getMethod("writeValueAsString", Object.class)
                    .invoke(mapper, Instant.parse("2026-12-24T15:00:00Z"));
            assertThat(json).isEqualTo("\"2026-12-24T15:00:00Z\"");
            // ...through the JavaTimeModule inside the SDK jar, under its relocated name, never the original one
            // (which a participant's own jackson-datatype-jsr310, of any version, may bring).
            assertThat(Class.forName("io.sagalog.compensators.internal.jsr310.JavaTimeModule", false, sdk)
                    .getClassLoader()).isSameAs(sdk);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Class.forName(
                            "com.fasterxml.jackson.datatype.jsr310.JavaTimeModule", false, sdk))
                    .isInstanceOf(ClassNotFoundException.class);

            assertThat(Class.forName("io.sagalog.health.SupervisedLoop", false, sdk).getClassLoader()).isSameAs(sdk);
        }
    }

    @Test
    void shouldPublishAPomListingExactlyTheJarsAParticipantResolves() throws Exception {
        String pom = Files.readString(Path.of("dependency-reduced-pom.xml"));
        List<String> published = new ArrayList<>();
        java.util.regex.Matcher dependency = java.util.regex.Pattern.compile(
                "<dependency>\\s*<groupId>[^<]+</groupId>\\s*<artifactId>([^<]+)</artifactId>(.*?)</dependency>",
                java.util.regex.Pattern.DOTALL).matcher(pom);
        while (dependency.find()) {
            String scope = dependency.group(2).replaceAll("(?s).*<scope>([^<]+)</scope>.*", "$1");
            if (!dependency.group(2).contains("<scope>") || scope.equals("compile") || scope.equals("runtime")) {
                published.add(dependency.group(1));
            }
        }

        assertThat(published).as("the compile and runtime dependencies of the published pom")
                .contains("kafka-clients", "avro", "jackson-databind", "slf4j-api")
                .doesNotContain("jackson-datatype-jsr310", "sagalog-schemas");
        assertThat(SdkClasspathTest.runtimeJars()).hasSizeLessThanOrEqualTo(SdkClasspathTest.MAX_JARS);
    }

    private static Path sdkJar() throws Exception {
        try (var files = Files.list(Path.of("target"))) {
            List<Path> jars = files.filter(p -> p.getFileName().toString().matches("sagalog-participant-sdk-[^-]+.*\\.jar"))
                    .filter(p -> !p.getFileName().toString().endsWith("-tests.jar")).toList();
            assertThat(jars).as("the packaged SDK jar in target/: " + Arrays.toString(jars.toArray())).hasSize(1);
            return jars.get(0);
        }
    }
}
