package io.sagalog.app;

import io.sagalog.compensators.Participant;
import io.sagalog.compensators.ParticipantWorker;
import io.sagalog.health.ComponentHealth;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Java SDK worker in a class loader without kafka-clients' compression codecs, as a participant that depends on
 * the SDK alone runs (the SDK leaves the codecs out); this test JVM has them for the broker and Kafka Streams.
 */
public final class CodecLessWorker {
    private static final String CODECS = ".*(zstd-jni|lz4-java|snappy-java).*";

    private CodecLessWorker() {}

    /** The test's class path without the codec jars, over the platform loader (so nothing leaks in from above). */
    static ClassLoader loader() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!entry.isBlank() && !Path.of(entry).getFileName().toString().matches(CODECS)) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        return new java.net.URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    /**
     * Called through {@link #loader()}: runs a worker of the participant until it reports a failure, and returns
     * the health it shows then.
     */
    public static String failureOf(String bootstrap, String participant, long waitMillis) {
        Participant p = Participant.named(participant).action("ok", call -> Map.of("ok", true)).build();
        try (ParticipantWorker worker = ParticipantWorker.start(p, bootstrap)) {
            org.awaitility.Awaitility.await("the worker reports a failure").atMost(Duration.ofMillis(waitMillis))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> worker.health().state() == ComponentHealth.State.RESTARTING);
            return worker.health().lastError();
        }
    }
}
