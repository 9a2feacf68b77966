package io.sagalog.dispatcher;

import io.sagalog.engine.CallbackTokens;
import io.sagalog.engine.GroupMembership;
import io.sagalog.health.ComponentHealth;
import io.sagalog.health.ConsumerFactory;
import io.sagalog.health.SupervisedLoop;
import io.sagalog.engine.registry.ParticipantInfo;
import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.StepRequest;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls HTTP participants on the engine's behalf. It consumes the step topics of every participant registered
 * with {@code transport: http}, POSTs each request to the participant's URL (protocol in DESIGN section 8), and
 * appends the answer to the control log. Calls are non-blocking (Vert.x WebClient); each participant has its own
 * circuit breaker and concurrency limit. Dispatchers keep no state: every instance of a deployment runs one in the
 * deployment's group ({@link Group}), and a dead instance's step partitions move to the others within the session
 * timeout ({@link GroupMembership}).
 */
public final class HttpDispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpDispatcher.class);

    private final Supplier<Map<String, ParticipantInfo>> participants;
    /** The name of the dispatcher loop in health and metrics. */
    public static final String COMPONENT = "dispatcher";

    /** The consumer group of one deployment, and this instance's static member id (null: dynamic membership). */
    public record Group(String id, String instanceId) {
        /** {@code <application-id>-http-dispatcher}; the member id follows the engine's {@code --instance-id}. */
        public static Group of(String applicationId, String engineInstanceId) {
            return new Group(GroupMembership.dispatcherGroup(applicationId),
                    GroupMembership.dispatcherInstance(engineInstanceId));
        }
    }

    private final io.sagalog.schemas.KafkaClients kafka;
    /** The deployment's topic names (--topic-prefix). */
    private final io.sagalog.schemas.TopicNames names;
    private final Group group;
    /** Set by {@link #close}: only the last session leaves the group (see {@link #openSession}). */
    private volatile boolean closing;
    private final ConsumerFactory consumers;
    private final ComponentHealth health;
    /** The current session's consumer; used by the loop's thread only. */
    private Consumer<String, byte[]> consumer;
    private final ResultReporter reporter;
    private final Lanes lanes;
    private volatile SupervisedLoop loop;
    private Set<String> subscribed = Set.of();

    private HttpDispatcher(Vertx vertx, io.sagalog.schemas.KafkaClients kafka, io.sagalog.schemas.TopicNames names,
                           Group group, Supplier<Map<String, ParticipantInfo>> participants, CallbackTokens tokens,
                           String callbackUrl, ComponentHealth health, ConsumerFactory consumers) {
        this.participants = participants;
        this.kafka = kafka;
        this.names = names;
        this.group = group;
        this.health = health;
        this.consumers = consumers;
        this.lanes = new Lanes(vertx, tokens, callbackUrl);
        this.reporter = new ResultReporter(kafka, names.control().name());
    }

    /**
     * @param group the deployment's dispatcher group and this instance's static member id
     * @param participants the current registry snapshot; the dispatcher follows HTTP participants as they come and go
     * @param callbackUrl where asynchronous participants report results, e.g. {@code http://host:8080/v1/step-results}
     * @param health where the dispatcher's loop reports as {@value #COMPONENT}; it restarts itself when it fails
     * @param consumers creates the loop's consumer, again after each failure
     */
    public static HttpDispatcher start(Vertx vertx, String bootstrap, Group group,
                                       Supplier<Map<String, ParticipantInfo>> participants, CallbackTokens tokens,
                                       String callbackUrl, ComponentHealth health, ConsumerFactory consumers) {
        return start(vertx, io.sagalog.schemas.KafkaClients.of(bootstrap), io.sagalog.schemas.TopicNames.DEFAULT, group,
                participants, tokens, callbackUrl, health, consumers);
    }

    /**
     * @param kafka the cluster and the client settings (security) the dispatcher's consumer and producer use
     * @param names the deployment's topic names (--topic-prefix)
     */
    public static HttpDispatcher start(Vertx vertx, io.sagalog.schemas.KafkaClients kafka,
                                       io.sagalog.schemas.TopicNames names, Group group,
                                       Supplier<Map<String, ParticipantInfo>> participants, CallbackTokens tokens,
                                       String callbackUrl, ComponentHealth health, ConsumerFactory consumers) {
        HttpDispatcher d = new HttpDispatcher(vertx, kafka, names, group, participants, tokens, callbackUrl, health,
                consumers);
        d.loop = SupervisedLoop.start(COMPONENT, health, d::openSession);
        return d;
    }

    /** Per participant: breaker state, calls in flight, calls queued; for metrics and the console. */
    public Map<String, Map<String, Object>> status() {
        return lanes.status();
    }

    /** The participants' circuit breakers, for resilience4j-micrometer (each named {@code participant-<name>}). */
    public io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry breakers() {
        return lanes.breakers();
    }

    /**
     * A fresh consumer, subscribed on the first step. A restarted session starts from the committed offsets, which
     * stop at the first request still unanswered, so requests in flight when the last one failed are sent again (with
     * the same idempotency key) and none is lost; their earlier answers, if they come, are ignored by the engine.
     */
    private SupervisedLoop.Session openSession() {
        Consumer<String, byte[]> fresh = consumers.create(COMPONENT, consumerConfig(kafka, group));
        consumer = fresh;
        subscribed = Set.of();
        inFlight.clear();
        return new SupervisedLoop.Session() {
            @Override
            public void step() throws InterruptedException {
                pollOnce();
            }

            @Override
            public void wakeup() {
                fresh.wakeup();
            }

            @Override
            public void close() {
                try {
                    commitFinished(true);
                } catch (RuntimeException e) {
                    log.warn("could not commit the dispatcher's last offsets: {}", e.toString());
                }
                inFlight.clear();
                // A static member that closes stays in the group until its session times out: right for a session
                // the loop restarts (the new consumer takes the same member id back without a rebalance), wrong for
                // a dispatcher that stops, whose partitions would go unserved for that long. It leaves explicitly.
                fresh.close(CloseOptions.timeout(Duration.ofSeconds(5)).withGroupMembershipOperation(closing
                        ? CloseOptions.GroupMembershipOperation.LEAVE_GROUP
                        : CloseOptions.GroupMembershipOperation.DEFAULT));
            }
        };
    }

    /** The loop's consumer settings: the deployment's group, static membership where the engine has it. */
    static Properties consumerConfig(String bootstrap, Group group) {
        return consumerConfig(io.sagalog.schemas.KafkaClients.of(bootstrap), group);
    }

    /** The client settings (security) from {@code kafka}, the group and the dispatcher's own settings over them. */
    static Properties consumerConfig(io.sagalog.schemas.KafkaClients kafka, Group group) {
        Properties c = kafka.properties();
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group.id());
        if (group.instanceId() != null) {
            c.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, group.instanceId());
        }
        GroupMembership.applyTimeouts(c, "");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        c.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 5_000);
        return c;
    }

    /**
     * One round: polls without waiting for answers: each request goes to its participant's lane at once, so a slow
     * participant never holds up another. Offsets are committed per partition up to the first request still in flight,
     * so a crash re-sends unanswered requests and never loses one. Too many requests in flight pause the partitions.
     */
    private void pollOnce() throws InterruptedException {
        followRegistry();
        if (subscribed.isEmpty()) {
            Thread.sleep(200);
            return;
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
            StepRequest request = decode(record);
            ParticipantLane lane = request == null ? null : lanes.of(request.getParticipant()).orElse(null);
            // The record's time is the engine's decision time: the wait until the lane takes the request includes the
            // engine's lag and this topic's backlog, which is what eats into the attempt's deadline.
            long decidedAt = record.timestamp();
            // The attempt's span, from the engine: the participant's work and the result belong to it.
            io.sagalog.tracing.TraceParent trace = io.sagalog.tracing.TraceParent.from(record.headers()).orElse(null);
            java.util.concurrent.atomic.AtomicLong startedAt = new java.util.concurrent.atomic.AtomicLong(-1);
            CompletableFuture<?> done = lane == null
                    ? CompletableFuture.completedFuture(null) // unreadable, or no longer an HTTP participant
                    : lane.submit(request, startedAt, trace).thenCompose(answer -> answer.later()
                            ? CompletableFuture.completedFuture(null)
                            : reporter.report(request, answer, startedAt.get() < 0 ? null : Math.max(0, startedAt.get() - decidedAt),
                                    trace));
            inFlight.add(new TopicPartition(record.topic(), record.partition()), record.offset(), request, done);
        }
        commitFinished(false);
        applyBackpressure();
    }

    private final InFlightRequests inFlight = new InFlightRequests();
    private static final int MAX_IN_FLIGHT = 2_000;

    /** Commits, per partition, the offsets whose requests and all before them are answered. */
    private void commitFinished(boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> commit = inFlight.takeFinished();
        if (!commit.isEmpty()) {
            if (sync) {
                consumer.commitSync(commit, Duration.ofSeconds(5));
            } else {
                consumer.commitAsync(commit, (offsets, error) -> {
                    if (error != null) {
                        log.debug("offset commit failed ({}); a later one covers it", error.toString());
                    }
                });
            }
        }
    }

    private void applyBackpressure() {
        if (inFlight.size() > MAX_IN_FLIGHT) {
            consumer.pause(consumer.assignment());
        } else if (!consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
        }
    }

    /** Subscribes to the step topics of the HTTP participants currently registered. */
    private void followRegistry() {
        Set<String> topics = new TreeSet<>();
        for (ParticipantInfo p : lanes.follow(participants.get())) {
            topics.add(names.steps(p.name()).name());
        }
        if (!topics.equals(subscribed)) {
            if (topics.isEmpty()) {
                commitFinished(true);
                inFlight.clear();
                consumer.unsubscribe();
            } else {
                consumer.subscribe(topics, new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {
                        // Commit what is answered; what is still in flight is sent again by the next owner. A commit
                        // that fails here must not end the loop: the next owner then re-sends a little more.
                        try {
                            commitFinished(true);
                        } catch (org.apache.kafka.common.errors.WakeupException
                                 | org.apache.kafka.common.errors.InterruptException e) {
                            throw e; // closing
                        } catch (RuntimeException e) {
                            log.warn("could not commit the offsets of revoked partitions {} ({}); their unanswered "
                                    + "requests are sent again", partitions, e.toString());
                        }
                        inFlight.forget(partitions);
                    }

                    @Override
                    public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {}
                });
            }
            subscribed = Set.copyOf(topics);
            log.info("HTTP dispatcher follows {}", topics);
        }
    }

    private static StepRequest decode(ConsumerRecord<String, byte[]> record) {
        try {
            return Topics.steps("any").serde().decode(record.value());
        } catch (RuntimeException e) {
            log.error("skipping an unreadable step request at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return null;
        }
    }

    @Override
    public void close() {
        closing = true;
        SupervisedLoop l = loop;
        if (l != null) {
            l.close(Duration.ofSeconds(15));
        }
        reporter.close();
        lanes.close();
    }
}
