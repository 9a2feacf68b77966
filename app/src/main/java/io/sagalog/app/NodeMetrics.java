package io.sagalog.app;

import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.sagalog.dispatcher.HttpDispatcher;
import io.sagalog.engine.SagaEngine;
import io.sagalog.health.ComponentHealth;
import io.sagalog.http.ControlLog;
import io.sagalog.ingest.KafkaControlLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * A node's own meters in its Micrometer registry (beside {@link io.sagalog.console.EngineMetrics}, which counts the
 * engine's decisions), and the binders of the libraries it runs: Kafka's clients and Streams, resilience4j.
 */
final class NodeMetrics {
    private NodeMetrics() {}

    private static final List<String> BREAKER_STATES = List.of("CLOSED", "OPEN", "HALF_OPEN", "FORCED_OPEN");

    /** Background loops restart themselves; {@code sagalog_component_restarts_total} counts it per loop. */
    static void countRestarts(ComponentHealth health, MeterRegistry meters) {
        health.onComponent(component -> FunctionCounter.builder("sagalog.component.restarts", health,
                        h -> h.restarts(component))
                .description("Restarts of a background loop after an unexpected failure").tag("component", component)
                .register(meters));
    }

    /** {@code sagalog_build_info}: always 1, its labels say which Sagalog and which Java runtime this node runs. */
    static void buildInfo(MeterRegistry meters) {
        Gauge.builder("sagalog.build.info", () -> 1)
                .description("Always 1; the labels name the Sagalog version and the Java version this node runs")
                .tag("version", SagalogCli.VERSION).tag("java_version", System.getProperty("java.version"))
                .register(meters);
    }

    /**
     * Kafka's own metrics through Micrometer's binders: the engine's Streams instance (null on a front end) and the
     * control log's producer. Close what this returns when the clients close: each binder polls for new metrics.
     */
    static AutoCloseable bindKafka(MeterRegistry meters, KafkaStreams streams, ControlLog controlLog) {
        List<AutoCloseable> binders = new ArrayList<>();
        if (streams != null) {
            KafkaStreamsMetrics engine = new KafkaStreamsMetrics(streams);
            engine.bindTo(meters);
            binders.add(engine);
        }
        if (controlLog instanceof KafkaControlLog kafka) {
            KafkaClientMetrics producer = new KafkaClientMetrics(kafka.producer());
            producer.bindTo(meters);
            binders.add(producer);
        }
        return () -> Closeables.closeAll(binders.toArray(AutoCloseable[]::new));
    }

    /**
     * The engine node's gauges: whether the engine runs, the cluster's colour as this instance sees it, topics weaker
     * than asked, and each HTTP participant's breaker, in-flight calls and queue. Returns what to run before each
     * scrape: the participants' rows follow the dispatcher's lanes as participants come and go, the dispatcher's
     * breakers are bound to resilience4j's own metrics once it runs, and the cluster's colour appears once known.
     */
    static Runnable engine(MeterRegistry meters, SagaEngine engine, Supplier<HttpDispatcher> dispatcher,
                           IntSupplier clusterHealth, int topicProblems) {
        Gauge.builder("sagalog_engine_running", engine, e -> e.state() == KafkaStreams.State.RUNNING ? 1 : 0)
                .description("1 when the engine is RUNNING").register(meters);
        Gauge.builder("sagalog_topic_problems", () -> topicProblems)
                .description("Sagalog topics found at start weaker than asked (fewer replicas, a lower "
                        + "min.insync.replicas, a shorter journal retention; /health/cluster names them)")
                .register(meters);
        MultiGauge circuit = MultiGauge.builder("sagalog_participant_circuit_state")
                .description("1 for the circuit breaker state each HTTP participant is in").register(meters);
        MultiGauge inFlight = MultiGauge.builder("sagalog_participant_in_flight")
                .description("HTTP calls in flight per participant").register(meters);
        MultiGauge queued = MultiGauge.builder("sagalog_participant_queued")
                .description("HTTP calls waiting for a free slot (bulkhead) per participant").register(meters);
        AtomicBoolean clusterBound = new AtomicBoolean();
        AtomicBoolean breakersBound = new AtomicBoolean();
        return () -> {
            if (clusterHealth.getAsInt() >= 0 && clusterBound.compareAndSet(false, true)) {
                Gauge.builder("sagalog_cluster_health", clusterHealth, IntSupplier::getAsInt).strongReference(true)
                        .description("GET /health/cluster as a number: 0 GREEN, 1 YELLOW, 2 RED (worked out every 10 s)")
                        .register(meters);
            }
            HttpDispatcher d = dispatcher.get();
            if (d == null) {
                return;
            }
            if (breakersBound.compareAndSet(false, true)) {
                TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(d.breakers()).bindTo(meters);
            }
            List<MultiGauge.Row<?>> states = new ArrayList<>();
            List<MultiGauge.Row<?>> calls = new ArrayList<>();
            List<MultiGauge.Row<?>> waiting = new ArrayList<>();
            for (String participant : d.status().keySet()) {
                for (String state : BREAKER_STATES) {
                    states.add(MultiGauge.Row.of(Tags.of("participant", participant, "state", state), d,
                            x -> state.equals(status(x, participant).get("breaker")) ? 1 : 0));
                }
                calls.add(MultiGauge.Row.of(Tags.of("participant", participant), d,
                        x -> number(status(x, participant).get("inFlight"))));
                waiting.add(MultiGauge.Row.of(Tags.of("participant", participant), d,
                        x -> number(status(x, participant).get("queued"))));
            }
            // Without overwriting: rows already there keep their gauge, only those of participants gone are removed.
            circuit.register(states, false);
            inFlight.register(calls, false);
            queued.register(waiting, false);
        };
    }

    private static Map<String, Object> status(HttpDispatcher dispatcher, String participant) {
        return dispatcher.status().getOrDefault(participant, Map.of());
    }

    private static double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
