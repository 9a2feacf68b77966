package io.sagalog.engine;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * How long step requests have been waiting before their delivery began, per participant: the recent worst of what
 * the dispatchers and workers report with each result ({@code queuedMillis}). That wait is the engine's own lag plus
 * the backlog of the participant's step topic, and it eats into the attempt's deadline: past it a request is not
 * delivered at all (EXPIRED). Ingest refuses new transactions for a participant whose requests wait too long, so an
 * overload slows transactions down instead of timing them out (DESIGN section 10, "Overload").
 *
 * <p>"Recent" is the mean of the reports of the current and the previous two-second window: one slow delivery (a
 * pause for garbage collection, say) does not refuse submits, a backlog does, since every request behind it waits;
 * a wait is forgotten within two to four seconds once no result reports it again. Written on the stream threads,
 * read on the event loop.
 */
public final class DeliveryDelays implements DecisionObserver {
    static final long WINDOW_MILLIS = 2_000;

    private final Supplier<DefinitionCatalog> definitions;
    private final LongSupplier clock;
    private final Map<String, Window> byParticipant = new ConcurrentHashMap<>();

    public DeliveryDelays(Supplier<DefinitionCatalog> definitions) {
        this(definitions, System::currentTimeMillis);
    }

    DeliveryDelays(Supplier<DefinitionCatalog> definitions, LongSupplier clock) {
        this.definitions = definitions;
        this.clock = clock;
    }

    @Override
    public void decided(TxState before, Input input, Decision decision, Instant now) {
        if (!(input instanceof Input.StepResult result) || result.queuedMillis() < 0 || before == null) {
            return;
        }
        definitions.get().find(before.definition(), before.definitionVersion()).ifPresent(definition -> {
            int index = definition.indexOf(result.step());
            if (index >= 0) {
                record(definition.step(index).participant(), result.queuedMillis());
            }
        });
    }

    /** Notes one request's wait before delivery. */
    public void record(String participant, long queuedMillis) {
        byParticipant.computeIfAbsent(participant, p -> new Window()).record(clock.getAsLong(), queuedMillis);
    }

    /** The mean wait reported for the participant in the last two to four seconds; 0 when none was. */
    public long recentMillis(String participant) {
        Window window = byParticipant.get(participant);
        return window == null ? 0 : window.recent(clock.getAsLong());
    }

    /** The participant among these whose requests recently waited longest, with that wait; null when none waited. */
    public Map.Entry<String, Long> worst(Iterable<String> participants) {
        Map.Entry<String, Long> worst = null;
        for (String participant : participants) {
            long millis = recentMillis(participant);
            if (millis > 0 && (worst == null || millis > worst.getValue())) {
                worst = Map.entry(participant, millis);
            }
        }
        return worst;
    }

    /** Every participant's recent mean wait, by name (for metrics). */
    public Map<String, Long> recent() {
        Map<String, Long> out = new TreeMap<>();
        byParticipant.keySet().forEach(p -> out.put(p, recentMillis(p)));
        return out;
    }

    /** The mean of the current and the previous window together. */
    private static final class Window {
        private long index = Long.MIN_VALUE;
        private long sum;
        private long count;
        private long previousSum;
        private long previousCount;

        synchronized void record(long nowMillis, long millis) {
            roll(nowMillis);
            sum += millis;
            count++;
        }

        synchronized long recent(long nowMillis) {
            roll(nowMillis);
            long n = count + previousCount;
            return n == 0 ? 0 : (sum + previousSum) / n;
        }

        private void roll(long nowMillis) {
            long now = Math.floorDiv(nowMillis, WINDOW_MILLIS);
            if (now == index) {
                return;
            }
            boolean next = now == index + 1;
            previousSum = next ? sum : 0;
            previousCount = next ? count : 0;
            sum = 0;
            count = 0;
            index = now;
        }
    }
}
