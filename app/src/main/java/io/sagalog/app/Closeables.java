package io.sagalog.app;

/** Closing a node's parts in order, each whatever the others did. */
final class Closeables {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Closeables.class);

    private Closeables() {}

    /** Closes each part in the order given; null parts (not started yet) are skipped, a failing close is logged. */
    static void closeAll(AutoCloseable... parts) {
        for (AutoCloseable part : parts) {
            if (part == null) {
                continue;
            }
            try {
                part.close();
            } catch (Exception e) {
                log.warn("closing {}: {}", part.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
