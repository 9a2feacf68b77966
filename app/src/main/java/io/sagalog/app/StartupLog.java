package io.sagalog.app;

import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The two lines an engine node logs about its start: where it is reached, and where the start-up time went. */
final class StartupLog {
    private static final Logger log = LoggerFactory.getLogger(SagalogNode.class);

    private StartupLog() {}

    static void starting(SagalogNode.Options options, int port, String baseUrl) {
        log.info("Sagalog {} engine node starting: HTTP on {}:{}, reached at {}; Kafka {}; application id {}, instance {}",
                SagalogCli.VERSION, options.host(), port, baseUrl, options.engine().kafka().bootstrapServers(),
                options.engine().applicationId(), options.engine().instanceId() == null ? "(dynamic)"
                        : options.engine().instanceId());
    }

    /** Where start-up time goes, for the time-to-recover measurement (docs/recovery.md); times from nanoTime. */
    static void started(long t0, long topicsChecked, long registryReadAt) {
        log.info("node started in {} ms (JVM up {} ms): topics checked {} ms, registry read (engine starting beside "
                + "it) {} ms, engine RUNNING and HTTP up {} ms", ms(System.nanoTime() - t0),
                ManagementFactory.getRuntimeMXBean().getUptime(), ms(topicsChecked - t0),
                ms(registryReadAt - topicsChecked), ms(System.nanoTime() - registryReadAt));
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
