package io.sagalog.deploy;

import static io.sagalog.deploy.RenderedChart.NAMESPACE;
import static io.sagalog.deploy.RenderedChart.RELEASE;
import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.sagalog.app.SagalogCli;
import io.sagalog.console.HealthApi;
import io.sagalog.console.MetricsApi;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The Helm chart as Helm renders it (lint and template through helm-java, no network), checked against the real
 * command line (each container's arguments go through {@link SagalogCli}'s picocli parser), the real health and
 * metrics routes, and against itself (selectors, ports, mounts, Secrets and ConfigMaps that arguments refer to).
 */
class HelmChartTest {
    private static final Map<String, String> POD = Map.of("POD_NAME", RELEASE + "-sagalog-engine-1",
            "POD_NAMESPACE", NAMESPACE, "POD_IP", "10.1.2.3");
    private static final List<List<String>> VALUES = List.of(List.of(), List.of("values-strimzi.yaml"),
            List.of("values-secured.yaml"));
    private static Vertx vertx;
    private static Set<String> healthAndMetricsRoutes;

    @BeforeAll
    static void routes() {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        new HealthApi(Map.of()).mount(router);
        new MetricsApi(() -> "").mount(router);
        healthAndMetricsRoutes = Set.copyOf(router.getRoutes().stream().map(Route::getPath).toList());
    }

    @AfterAll
    static void stop() {
        vertx.close();
    }

    @Test
    void shouldPassHelmLintStrict() {
        LintResult lint = RenderedChart.lint();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void shouldRenderEveryObjectAPlatformTeamExpects() {
        RenderedChart chart = RenderedChart.render();
        String f = RELEASE + "-sagalog";
        assertThat(chart.names()).contains("StatefulSet/" + f + "-engine", "Deployment/" + f + "-ingest",
                "HorizontalPodAutoscaler/" + f + "-ingest", "PodDisruptionBudget/" + f + "-engine",
                "PodDisruptionBudget/" + f + "-ingest", "Service/" + f, "Service/" + f + "-engine",
                "Service/" + f + "-engine-headless", "ServiceMonitor/" + f, "Secret/" + f + "-auth");
        assertThat(RenderedChart.render("values-strimzi.yaml").names()).contains("ConfigMap/" + f + "-kafka");
    }

    @Test
    void shouldGiveEachContainerArgumentsTheRealCommandLineAccepts() {
        for (List<String> values : VALUES) {
            RenderedChart chart = RenderedChart.render(values.toArray(String[]::new));
            for (HasMetadata workload : workloads(chart)) {
                for (Container c : RenderedChart.pod(workload).getContainers()) {
                    List<String> args = RenderedChart.args(c, POD);
                    assertThat(args).as(values + " " + c.getName() + ": every $(VAR) is declared").noneMatch(a -> a.contains("$("));
                    ParseResult parsed = parse(args);
                    assertThat(parsed.subcommand().commandSpec().name()).isEqualTo(c.getName());
                }
            }
        }
    }

    @Test
    void shouldNameEachEngineAfterItsPodAndKeepItsStateOnItsVolume() {
        RenderedChart chart = RenderedChart.render();
        StatefulSet engine = chart.engine();
        Container c = RenderedChart.pod(engine).getContainers().get(0);
        ParseResult engineArgs = parse(RenderedChart.args(c, POD)).subcommand();
        assertThat(engineArgs.<String>matchedOptionValue("--instance-id", null)).isEqualTo(POD.get("POD_NAME"));
        URI advertised = URI.create(engineArgs.matchedOptionValue("--advertised-url", ""));
        Service headless = chart.one(Service.class, RELEASE + "-sagalog-engine-headless");
        assertThat(advertised.getHost()).isEqualTo(POD.get("POD_NAME") + "." + headless.getMetadata().getName() + "."
                + NAMESPACE + ".svc");
        assertThat(engine.getSpec().getServiceName()).isEqualTo(headless.getMetadata().getName());
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(headless.getSpec().getPublishNotReadyAddresses()).as("reachable while restoring").isTrue();
        assertThat(advertised.getPort()).isEqualTo(port(c));

        // The state directory is the volume claimed per instance.
        String dataDir = engineArgs.matchedOptionValue("--data-dir", Path.of("")).toString();
        assertThat(engine.getSpec().getVolumeClaimTemplates()).extracting(pvc -> pvc.getMetadata().getName()).containsExactly("state");
        assertThat(c.getVolumeMounts()).anyMatch(m -> m.getName().equals("state") && m.getMountPath().equals(dataDir));
        assertThat(engineArgs.<Integer>matchedOptionValue("--standby-replicas", 0)).isEqualTo(1);

        // Stopping cleanly takes the HTTP request timeout (in-flight requests) and a commit: at least 30 s.
        assertThat(RenderedChart.pod(engine).getTerminationGracePeriodSeconds()).isGreaterThanOrEqualTo(30L);
        Probe startup = c.getStartupProbe();
        assertThat(startup.getPeriodSeconds() * startup.getFailureThreshold()).as("seconds a restore may take")
                .isGreaterThanOrEqualTo(300);
        assertThat(RenderedChart.pod(engine).getAffinity().getPodAntiAffinity()).isNotNull();
        assertThat(chart.one(PodDisruptionBudget.class, RELEASE + "-sagalog-engine").getSpec().getMaxUnavailable()
                .getIntVal()).isEqualTo(1);
    }

    @Test
    void shouldPointIngestAtTheEngineService() {
        RenderedChart chart = RenderedChart.render();
        Container c = RenderedChart.pod(chart.ingest().orElseThrow()).getContainers().get(0);
        ParseResult ingest = parse(RenderedChart.args(c, POD)).subcommand();
        URI engineUrl = URI.create(ingest.<List<String>>matchedOptionValue("--engine-url", List.of()).get(0));
        Service engineService = chart.one(Service.class, RELEASE + "-sagalog-engine");
        assertThat(engineUrl.getHost()).isEqualTo(engineService.getMetadata().getName());
        assertThat(engineService.getSpec().getPorts()).anyMatch(p -> p.getPort() == engineUrl.getPort()
                && p.getTargetPort().getStrVal().equals("http"));
        assertThat(URI.create(ingest.matchedOptionValue("--advertised-url", "")).getHost()).isEqualTo(POD.get("POD_IP"));
        assertThat(ingest.hasMatchedOption("--data-dir")).isFalse();
    }

    @Test
    void shouldProbeTheRealHealthRoutesOnTheHttpPort() {
        for (List<String> values : VALUES) {
            for (HasMetadata workload : workloads(RenderedChart.render(values.toArray(String[]::new)))) {
                for (Container c : RenderedChart.pod(workload).getContainers()) {
                    List<Probe> probes = Stream.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe()).toList();
                    assertThat(probes).as(c.getName() + " has startup, liveness and readiness probes").doesNotContainNull();
                    for (Probe p : probes) {
                        assertThat(healthAndMetricsRoutes).as(c.getName() + " probe path").contains(p.getHttpGet().getPath());
                        assertThat(containerPort(c, p.getHttpGet().getPort().getStrVal())).isEqualTo(port(c));
                    }
                    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
                    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/live");
                }
            }
        }
    }

    @Test
    void shouldSelectItsOwnPodsEverywhere() {
        RenderedChart chart = RenderedChart.render(List.of(), Map.of("ingest.autoscaling.requestRate.enabled", "true"));
        Map<String, Map<String, String>> podLabels = new HashMap<>();
        for (HasMetadata w : workloads(chart)) {
            podLabels.put(w.getMetadata().getName(), w instanceof StatefulSet s ? s.getSpec().getTemplate().getMetadata().getLabels()
                    : chart.ingest().orElseThrow().getSpec().getTemplate().getMetadata().getLabels());
        }
        for (PodDisruptionBudget pdb : chart.all(PodDisruptionBudget.class)) {
            assertThat(podLabels.get(pdb.getMetadata().getName()).entrySet())
                    .containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet());
        }
        for (Service s : chart.all(Service.class)) {
            assertThat(podLabels.values()).as(s.getMetadata().getName() + " selects pods")
                    .anyMatch(labels -> labels.entrySet().containsAll(s.getSpec().getSelector().entrySet()));
        }
        HorizontalPodAutoscaler hpa = chart.one(HorizontalPodAutoscaler.class, RELEASE + "-sagalog-ingest");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(chart.ingest().orElseThrow().getMetadata().getName());
        assertThat(hpa.getSpec().getMetrics()).extracting(m -> m.getType()).containsExactly("Resource", "External");

        // The ServiceMonitor scrapes the ingest Service and the engine's headless one, each once, on a named port.
        GenericKubernetesResource monitor = (GenericKubernetesResource) chart.ofKind("ServiceMonitor").get(0);
        @SuppressWarnings("unchecked")
        Map<String, String> match = (Map<String, String>) ((Map<String, Object>) ((Map<String, Object>) monitor
                .getAdditionalProperties().get("spec")).get("selector")).get("matchLabels");
        assertThat(chart.all(Service.class).stream().filter(s -> s.getMetadata().getLabels().entrySet()
                .containsAll(match.entrySet())).map(s -> s.getMetadata().getName()))
                .containsExactlyInAnyOrder(RELEASE + "-sagalog", RELEASE + "-sagalog-engine-headless");
    }

    @Test
    void shouldMountTheSecretAndKafkaConfigTheArgumentsName() throws Exception {
        for (List<String> values : VALUES) {
            RenderedChart chart = RenderedChart.render(values.toArray(String[]::new));
            for (HasMetadata workload : workloads(chart)) {
                PodSpec pod = RenderedChart.pod(workload);
                Container c = pod.getContainers().get(0);
                ParseResult args = parse(RenderedChart.args(c, POD)).subcommand();
                for (String option : List.of("--tokens", "--callback-secret-file", "--kafka-config")) {
                    if (!args.hasMatchedOption(option)) {
                        continue;
                    }
                    Path file = args.matchedOptionValue(option, Path.of(""));
                    VolumeMount mount = c.getVolumeMounts().stream()
                            .filter(m -> file.getParent().toString().equals(m.getMountPath())).findFirst()
                            .orElseThrow(() -> new AssertionError(option + " " + file + " is on no mounted volume"));
                    Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
                    String key = file.getFileName().toString();
                    if (volume.getSecret() != null && values.isEmpty()) {
                        Secret secret = chart.one(Secret.class, volume.getSecret().getSecretName());
                        assertThat(secret.getData()).as(option).containsKey(key);
                    } else if (volume.getConfigMap() != null) {
                        ConfigMap map = chart.one(ConfigMap.class, volume.getConfigMap().getName());
                        assertThat(map.getData()).containsKey(key);
                        Path local = Files.createTempFile("client", ".properties");
                        Files.writeString(local, map.getData().get(key));
                        // The real loader takes it (a file it refused would stop the node at start).
                        io.sagalog.schemas.KafkaClients.load("kafka:9092", local);
                        Properties p = new Properties();
                        p.load(new java.io.StringReader(map.getData().get(key)));
                        assertThat(p.stringPropertyNames()).noneMatch(n -> n.contains("password") && !p.getProperty(n).startsWith("${"));
                    }
                }
            }
        }
    }

    @Test
    void shouldMakeAUsableCallbackSecretAndTokenFile() throws Exception {
        Secret secret = RenderedChart.render().one(Secret.class, RELEASE + "-sagalog-auth");
        String callback = new String(Base64.getDecoder().decode(secret.getData().get("callback-secret")), StandardCharsets.UTF_8);
        assertThat(Base64.getDecoder().decode(callback.trim())).hasSizeGreaterThanOrEqualTo(32);
        Path tokens = Files.createTempFile("tokens", "");
        Files.write(tokens, Base64.getDecoder().decode(secret.getData().get("tokens")));
        assertThat(io.sagalog.http.auth.Tokens.load(tokens)).isNotNull();

        Secret given = RenderedChart.render(List.of(), Map.of("auth.tokens[0].token", "a-submitter-token-of-some-length",
                "auth.tokens[0].roles[0]", "submitter")).one(Secret.class, RELEASE + "-sagalog-auth");
        assertThat(new String(Base64.getDecoder().decode(given.getData().get("tokens")), StandardCharsets.UTF_8).trim())
                .isEqualTo("a-submitter-token-of-some-length submitter");
    }

    private static List<HasMetadata> workloads(RenderedChart chart) {
        List<HasMetadata> all = new ArrayList<>();
        all.add(chart.engine());
        chart.ingest().ifPresent(all::add);
        return all;
    }

    private static ParseResult parse(List<String> args) {
        try {
            return SagalogCli.commandLine().parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new AssertionError("sagalog " + String.join(" ", args) + ": " + e.getMessage(), e);
        }
    }

    private static int port(Container c) {
        return parse(RenderedChart.args(c, POD)).subcommand().matchedOptionValue("--port", -1);
    }

    private static int containerPort(Container c, String name) {
        return c.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort)
                .findFirst().orElseThrow(() -> new AssertionError(c.getName() + " has no port named " + name));
    }
}
