package io.sagalog.logging;

import org.slf4j.MDC;

/**
 * txId, definition and step of the transaction a log line is about, in the MDC while it is written: a JSON line
 * ({@code --log-format json}) carries them as fields, a text line after the message, so one transaction's lines are
 * found by a filter instead of by reading messages. Opened around the logging call only (try-with-resources), on
 * the thread that logs: Vert.x and Kafka threads serve many transactions in turn, so the keys must not outlive it.
 */
public final class TransactionMdc implements AutoCloseable {
    public static final String TX_ID = "txId";
    public static final String DEFINITION = "definition";
    public static final String STEP = "step";
    private static final String[] KEYS = {TX_ID, DEFINITION, STEP};

    private final String[] before = new String[KEYS.length];

    private TransactionMdc(String... values) {
        for (int i = 0; i < KEYS.length; i++) {
            before[i] = MDC.get(KEYS[i]);
            if (values[i] != null) {
                MDC.put(KEYS[i], values[i]);
            }
        }
    }

    /** Puts the keys given (a null one is left as it is) until {@link #close}. */
    public static TransactionMdc of(Object txId, String definition, String step) {
        return new TransactionMdc(txId == null ? null : txId.toString(), definition, step);
    }

    /** Restores what the keys held before, so that nested uses do not clear the outer one's. */
    @Override
    public void close() {
        for (int i = 0; i < KEYS.length; i++) {
            if (before[i] == null) {
                MDC.remove(KEYS[i]);
            } else {
                MDC.put(KEYS[i], before[i]);
            }
        }
    }
}
