package io.sagalog.ingest;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses submits while the engine is too far behind its input: {@link #refresh} (called periodically, off the event
 * loop) measures the lag, {@link #refusal} only reads the last measurement.
 */
public final class LagAdmission implements Admission {
    private static final Logger log = LoggerFactory.getLogger(LagAdmission.class);
    private final LongSupplier lag;
    private final long maxLag;
    private volatile long lastLag;
    private volatile String refusal;

    /** @param lag records the engine has not read yet (e.g. the sum of its consumer's records-lag) */
    public LagAdmission(LongSupplier lag, long maxLag) {
        this.lag = lag;
        this.maxLag = maxLag;
    }

    /** Measures again. */
    public void refresh() {
        long now;
        try {
            now = lag.getAsLong();
        } catch (RuntimeException e) {
            log.debug("could not measure the engine's lag: {}", e.toString());
            return;
        }
        boolean wasRefusing = refusal != null;
        lastLag = now;
        if (now > maxLag) {
            refusal = "the engine is " + now + " records behind its input (more than --max-engine-lag " + maxLag
                    + "); nothing was recorded; retry later";
            if (!wasRefusing) {
                log.warn("refusing submits: the engine is {} records behind (bound {})", now, maxLag);
            }
        } else {
            refusal = null;
            if (wasRefusing) {
                log.info("taking submits again: the engine is {} records behind (bound {})", now, maxLag);
            }
        }
    }

    public long lastLag() {
        return lastLag;
    }

    @Override
    public String refusal() {
        return refusal;
    }
}
