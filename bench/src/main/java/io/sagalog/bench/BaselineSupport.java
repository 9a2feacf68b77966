package io.sagalog.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the baselines share: unique names, creating and deleting their own topics, and counting a rate over a
 * warmup and a measured window. Each baseline creates what it uses under a fresh name and removes it afterwards,
 * so it can run on the bench's broker between bench configurations without leaving data behind that would skew
 * the next measurement (or a {@link KafkaFootprint} taken around it).
 */
final class BaselineSupport {
    private BaselineSupport() {
    }

    /** A short random suffix for topic names, application ids and group ids. */
    static String uniqueSuffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    static Admin admin(String bootstrapServers) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "bench-baseline-admin-" + uniqueSuffix()));
    }

    /**
     * Creates the topics and waits until every partition has taken a write. Producing at full speed into a
     * partition whose leader is not quite ready can wedge an idempotent producer: its first batch is refused
     * (NOT_LEADER_OR_FOLLOWER), a later in-flight batch is accepted by the then-ready leader, and the retried first
     * batch is rejected as out of sequence forever after. One acknowledged record per partition, from a plain
     * producer with a single batch in flight, avoids that; the priming record carries the key {@code prime}.
     */
    static void createTopics(Admin admin, String bootstrapServers, Collection<String> topics, int partitions)
            throws InterruptedException {
        try {
            admin.createTopics(topics.stream().map(t -> new NewTopic(t, partitions, (short) 1)).toList())
                    .all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topics " + topics + ": " + e.getCause(), e);
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out creating topics " + topics, e);
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-baseline-primer-" + uniqueSuffix());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        try (KafkaProducer<byte[], byte[]> primer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            byte[] key = "prime".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            for (String topic : topics) {
                for (int partition = 0; partition < partitions; partition++) {
                    primer.send(new ProducerRecord<>(topic, partition, key, new byte[0])).get(60, TimeUnit.SECONDS);
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("topics " + topics + " do not take writes: " + e, e);
        }
    }

    /** Best effort: a baseline's result stands even if cleaning up after it fails. */
    static void deleteTopics(Admin admin, Collection<String> topics) {
        try {
            admin.deleteTopics(topics).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] payload(int bytes) {
        byte[] value = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            value[i] = (byte) ('a' + i % 26);
        }
        return value;
    }

    static byte[] longKey(long n) {
        byte[] key = new byte[8];
        for (int i = 7; i >= 0; i--) {
            key[i] = (byte) n;
            n >>>= 8;
        }
        return key;
    }

    /** How many things a counter gained in the measured window, and the window's actual length. */
    record Counted(long count, double seconds, long failed) {
        double perSecond() {
            return count / seconds;
        }
    }

    /**
     * Sleeps through warmup and the measured window while something else drives load, reading {@code count} at
     * the window's edges and reporting progress; the rate is over the actual time between the two readings.
     */
    static Counted countWindow(LongSupplier count, LongSupplier failed, LongSupplier inFlight, Duration warmup,
                               Duration measure, ProgressListener progress) throws InterruptedException {
        Ticker ticker = Ticker.system();
        long every = progress.every().toNanos();
        long start = ticker.nanoTime();
        long windowStart = start;
        long atWindowStart = count.getAsLong();
        long failedAtWindowStart = failed.getAsLong();
        long windowEnd = start;
        long atWindowEnd = atWindowStart;
        for (String phase : List.of(Progress.WARMUP, Progress.MEASURE)) {
            boolean measured = phase.equals(Progress.MEASURE);
            Duration length = measured ? measure : warmup;
            if (length.isZero() || length.isNegative()) {
                continue;
            }
            long phaseStart = ticker.nanoTime();
            long phaseEnd = phaseStart + length.toNanos();
            long lastCount = count.getAsLong();
            long lastTime = phaseStart;
            if (measured) {
                windowStart = phaseStart;
                atWindowStart = lastCount;
                failedAtWindowStart = failed.getAsLong();
            }
            for (long k = 1; ; k++) {
                long at = every > 0 ? Math.min(phaseStart + k * every, phaseEnd) : phaseEnd;
                ticker.sleepUntil(at);
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException("baseline interrupted");
                }
                long now = ticker.nanoTime();
                long c = count.getAsLong();
                if (every > 0) {
                    progress.report(new Progress(phase, (at - phaseStart) / 1e9, measured ? c - atWindowStart : 0,
                            measured ? failed.getAsLong() - failedAtWindowStart : 0, inFlight.getAsLong(),
                            (c - lastCount) / Math.max(1e-9, (now - lastTime) / 1e9), Double.NaN));
                }
                lastCount = c;
                lastTime = now;
                if (at >= phaseEnd) {
                    if (measured) {
                        windowEnd = now;
                        atWindowEnd = c;
                    }
                    break;
                }
            }
        }
        return new Counted(atWindowEnd - atWindowStart, Math.max(1e-9, (windowEnd - windowStart) / 1e9),
                failed.getAsLong() - failedAtWindowStart);
    }
}
