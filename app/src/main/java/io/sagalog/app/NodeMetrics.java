package io.sagalog.app;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sagalog.dispatcher.HttpDispatcher;
import io.sagalog.console.MetricsApi;
import io.sagalog.engine.SagaEngine;
import io.sagalog.health.ComponentHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.apache.kafka.streams.KafkaStreams;

/** The metrics a node reads when scraped, beside the ones its Micrometer registry keeps. */
final class NodeMetrics {
    private NodeMetrics() {}

    /** Background loops restart themselves; {@code sagalog_component_restarts_total} counts it per loop. */
    static void countRestarts(ComponentHealth health, MeterRegistry meters) {
        health.onComponent(component -> FunctionCounter.builder("sagalog.component.restarts", health,
                        h -> h.restarts(component))
                .description("Restarts of a background loop after an unexpected failure").tag("component", component)
                .register(meters));
    }

    /**
     * Whether the engine runs, the cluster's colour as this instance sees it, topics weaker than asked,
     * and each HTTP participant's breaker, in-flight calls and queue.
     */
    static List<MetricsApi.Sample> engine(SagaEngine engine, HttpDispatcher dispatcher, IntSupplier clusterHealth,
                                          int topicProblems) {
        List<MetricsApi.Sample> samples = new ArrayList<>();
        samples.add(new MetricsApi.Sample("sagalog_engine_running", "1 when the engine is RUNNING", Map.of(),
                engine.state() == KafkaStreams.State.RUNNING ? 1 : 0));
        int colour = clusterHealth.getAsInt();
        if (colour >= 0) {
            samples.add(new MetricsApi.Sample("sagalog_cluster_health", "GET /health/cluster as a number: 0 GREEN, "
                    + "1 YELLOW, 2 RED (worked out every 10 s)", Map.of(), colour));
        }
        samples.add(new MetricsApi.Sample("sagalog_topic_problems", "Sagalog topics found at start weaker than asked "
                + "(fewer replicas, a lower min.insync.replicas, a shorter journal retention; /health/cluster names them)",
                Map.of(), topicProblems));
        if (dispatcher != null) {
            dispatcher.status().forEach((participant, s) -> {
                for (String state : List.of("CLOSED", "OPEN", "HALF_OPEN", "FORCED_OPEN")) {
                    samples.add(new MetricsApi.Sample("sagalog_participant_circuit_state",
                            "1 for the circuit breaker state each HTTP participant is in",
                            Map.of("participant", participant, "state", state), state.equals(s.get("breaker")) ? 1 : 0));
                }
                samples.add(new MetricsApi.Sample("sagalog_participant_in_flight", "HTTP calls in flight per participant",
                        Map.of("participant", participant), ((Number) s.get("inFlight")).doubleValue()));
                samples.add(new MetricsApi.Sample("sagalog_participant_queued",
                        "HTTP calls waiting for a free slot (bulkhead) per participant",
                        Map.of("participant", participant), ((Number) s.get("queued")).doubleValue()));
            });
        }
        return samples;
    }
}
