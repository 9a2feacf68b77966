package io.sagalog.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LoadDriverTest {
    private static final long START = 1_000_000_000_000L;
    private final FakeTicker ticker = new FakeTicker(START);

    @Test
    void intendedStartsAreComputedFromTheIndexSoTheyNeverDrift() {
        assertThat(LoadDriver.intendedStart(START, 3.0, 0)).isEqualTo(START);
        assertThat(LoadDriver.intendedStart(START, 3.0, 1)).isEqualTo(START + 333_333_333);
        assertThat(LoadDriver.intendedStart(START, 3.0, 2)).isEqualTo(START + 666_666_667);
        assertThat(LoadDriver.intendedStart(START, 3.0, 3)).isEqualTo(START + 1_000_000_000);
        assertThat(LoadDriver.intendedStart(START, 7.0, 7_000_000)).isEqualTo(START + 1_000_000_000_000_000L);
        assertThat(LoadDriver.intendedStart(START, 2500.0, 1)).isEqualTo(START + 400_000);
    }

    @Test
    void openLoopIssuesAtTheIntendedTimesWithoutWaitingForCompletions() throws Exception {
        List<Long> sentAt = new ArrayList<>();
        List<Long> sequences = new ArrayList<>();
        LoadDriver.Run run = LoadDriver.openLoop(4, Duration.ZERO, Duration.ofSeconds(1), seq -> {
            sentAt.add(ticker.nanoTime() - START);
            sequences.add(seq);
            return ticker.after(Duration.ofSeconds(3)); // much slower than the interval: must not hold sends back
        }, ticker, ProgressListener.none());

        assertThat(sentAt).containsExactly(0L, 250_000_000L, 500_000_000L, 750_000_000L);
        assertThat(sequences).containsExactly(0L, 1L, 2L, 3L);
        assertThat(run.mode()).isEqualTo("open");
        assertThat(run.issued()).isEqualTo(4);
        assertThat(run.completed()).isEqualTo(4); // within the default drain
        assertThat(run.incomplete()).isZero();
        assertThat(run.throughputPerSecond()).isEqualTo(4.0);
        assertThat(run.correctedMs(50)).isBetween(2999.0, 3003.0);
    }

    @Test
    void aStalledSenderShowsInCorrectedLatencyButHidesFromUncorrected() throws Exception {
        // 100/s for 10 s; operation 500 blocks the sending thread for 1 s (a blocking client, a GC pause). The 99
        // requests due meanwhile go out late, in a burst, and each is answered in 1 ms after it was sent.
        LoadDriver.Run run = LoadDriver.openLoop(100, Duration.ZERO, Duration.ofSeconds(10), seq -> {
            if (seq == 500) {
                ticker.advance(Duration.ofSeconds(1));
            }
            return ticker.after(Duration.ofMillis(1));
        }, ticker, ProgressListener.none());

        assertThat(run.completed()).isEqualTo(1000);
        assertThat(run.failed()).isZero();
        assertThat(run.correctedMs(99)).isGreaterThan(500);
        assertThat(run.corrected().getMaxValue() / 1000.0).isBetween(1000.0, 1002.0);
        assertThat(run.uncorrectedMs(99)).isLessThan(2);
        assertThat(run.uncorrectedMs(50)).isLessThan(2);
        // The timeline charges the stall to second 5, when the late requests were due.
        LatencyTimeline.Point stalled = run.timeline().seconds().get(5);
        assertThat(stalled.p99Ms()).isGreaterThan(900);
        assertThat(run.timeline().seconds().get(4).p99Ms()).isLessThan(2);
        assertThat(run.timeline().seconds()).hasSize(10);
        assertThat(run.timeline().seconds().stream().mapToLong(LatencyTimeline.Point::count).sum()).isEqualTo(1000);
    }

    @Test
    void closedLoopKeepsExactlyConcurrencyOperationsInFlight() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        List<Integer> inFlightAtStart = new ArrayList<>();
        LoadDriver.Run run = LoadDriver.closedLoop(4, Duration.ofMillis(100), Duration.ofSeconds(1), seq -> {
            inFlightAtStart.add(inFlight.incrementAndGet());
            CompletableFuture<Void> f = new CompletableFuture<>();
            ticker.at(ticker.nanoTime() + 10_000_000, () -> {
                inFlight.decrementAndGet();
                f.complete(null);
            });
            return f;
        }, ticker, ProgressListener.none());

        assertThat(inFlightAtStart.subList(0, 4)).containsExactly(1, 2, 3, 4);
        assertThat(inFlightAtStart.subList(4, inFlightAtStart.size())).isNotEmpty().allMatch(n -> n == 4);
        // Starts at 0, 10, 20 ms... per chain; those at 100..1090 ms are measured: 100 per chain.
        assertThat(run.mode()).isEqualTo("closed");
        assertThat(run.completed()).isEqualTo(400);
        assertThat(run.throughputPerSecond()).isEqualTo(400.0);
        assertThat(run.correctedMs(50)).isBetween(9.9, 10.1);
        assertThat(run.uncorrectedMs(99)).isEqualTo(run.correctedMs(99));
        assertThat(inFlight.get()).isZero(); // drained
    }

    @Test
    void closedLoopSurvivesOperationsThatCompleteSynchronously() throws Exception {
        LoadDriver.Run run = LoadDriver.closedLoop(1, Duration.ZERO, Duration.ofMillis(50), seq -> {
            ticker.advance(Duration.ofNanos(1000));
            return CompletableFuture.completedFuture(null);
        }, ticker, ProgressListener.none());

        assertThat(run.completed()).isEqualTo(50_000); // a recursive chain would have overflowed the stack
    }

    @Test
    void failuresAreCountedWithTheirFirstDistinctMessages() throws Exception {
        LoadDriver.Run run = LoadDriver.openLoop(100, Duration.ZERO, Duration.ofSeconds(1), seq -> {
            if (seq % 10 == 3) {
                return ticker.failAfter(Duration.ofMillis(1), new IOException("boom " + seq % 20));
            }
            if (seq % 10 == 7) {
                throw new IllegalStateException("thrown");
            }
            return ticker.after(Duration.ofMillis(1));
        }, ticker, ProgressListener.none());

        assertThat(run.issued()).isEqualTo(100);
        assertThat(run.failed()).isEqualTo(20);
        assertThat(run.completed()).isEqualTo(80);
        assertThat(run.corrected().getTotalCount()).isEqualTo(80);
        assertThat(run.failureSamples()).containsExactly("IOException: boom 3", "IllegalStateException: thrown",
                "IOException: boom 13");
    }

    @Test
    void onlyTheFirstFewDistinctFailureMessagesAreKept() throws Exception {
        LoadDriver.Run run = LoadDriver.closedLoop(2, Duration.ZERO, Duration.ofSeconds(1),
                seq -> ticker.failAfter(Duration.ofMillis(10), new IllegalStateException("no " + seq)), ticker,
                ProgressListener.none());

        assertThat(run.failed()).isEqualTo(200);
        assertThat(run.completed()).isZero();
        assertThat(run.failureSamples()).hasSize(LoadDriver.FAILURE_SAMPLES);
        assertThat(run.correctedMs(50)).isNaN();
        assertThat(run.timeline().seconds().get(0).count()).isZero();
    }

    @Test
    void warmupIsExcludedInTheOpenLoop() throws Exception {
        // Slow during warmup (intended starts before 1 s), fast after.
        LoadDriver.Run run = LoadDriver.openLoop(100, Duration.ofSeconds(1), Duration.ofSeconds(2),
                seq -> ticker.after(Duration.ofMillis(seq < 100 ? 500 : 2)), ticker, ProgressListener.none());

        assertThat(run.issued()).isEqualTo(200);
        assertThat(run.completed()).isEqualTo(200);
        assertThat(run.measuredSeconds()).isEqualTo(2.0);
        assertThat(run.throughputPerSecond()).isEqualTo(100.0);
        assertThat(run.corrected().getMaxValue() / 1000.0).isLessThan(3);
    }

    @Test
    void warmupIsExcludedInTheClosedLoop() throws Exception {
        LoadDriver.Run run = LoadDriver.closedLoop(2, Duration.ofSeconds(1), Duration.ofSeconds(1),
                seq -> ticker.after(Duration.ofMillis(ticker.nanoTime() - START < 1_000_000_000 ? 300 : 5)), ticker,
                ProgressListener.none());

        // The warmup ops started at 0.9 s end at 1.2 s; from then on each chain does one every 5 ms until 2 s.
        assertThat(run.completed()).isEqualTo(2 * 160);
        assertThat(run.corrected().getMaxValue() / 1000.0).isLessThan(6);
    }

    @Test
    void operationsStillOutstandingAfterTheDrainAreIncompleteWithALowerBoundLatency() throws Exception {
        LoadDriver.Run run = LoadDriver.openLoop(10, Duration.ZERO, Duration.ofSeconds(1), Duration.ofMillis(200),
                seq -> seq == 5 ? new CompletableFuture<>() : ticker.after(Duration.ofMillis(1)), ticker,
                ProgressListener.none());

        assertThat(run.issued()).isEqualTo(10);
        assertThat(run.completed()).isEqualTo(9);
        assertThat(run.incomplete()).isEqualTo(1);
        // Intended at 0.5 s, given up on at 1.2 s: at least 700 ms, in the corrected histogram only.
        assertThat(run.corrected().getTotalCount()).isEqualTo(10);
        assertThat(run.corrected().getMaxValue() / 1000.0).isBetween(695.0, 710.0);
        assertThat(run.uncorrected().getTotalCount()).isEqualTo(9);
        assertThat(run.uncorrectedMs(100)).isLessThan(2);
    }

    @Test
    void progressIsReportedEverySoOftenAndAtTheEndOfEachPhase() throws Exception {
        List<Progress> reports = new ArrayList<>();
        ProgressListener listener = new ProgressListener() {
            @Override
            public Duration every() {
                return Duration.ofSeconds(1);
            }

            @Override
            public void report(Progress progress) {
                reports.add(progress);
            }
        };
        LoadDriver.openLoop(100, Duration.ofMillis(1500), Duration.ofSeconds(2),
                seq -> ticker.after(Duration.ofMillis(seq % 50 == 0 ? 50 : 5)), ticker, listener);

        assertThat(reports).extracting(Progress::phase).containsExactly("warmup", "warmup", "measure", "measure");
        assertThat(reports).extracting(Progress::elapsedSeconds).containsExactly(1.0, 1.5, 1.0, 2.0);
        assertThat(reports.get(0).completed()).isZero();
        assertThat(reports.get(0).ratePerSecond()).isBetween(99.0, 100.0);
        Progress last = reports.get(3);
        assertThat(last.completed()).isBetween(195L, 200L);
        assertThat(last.p99Ms()).isBetween(49.0, 51.0);
        assertThat(last.inFlight()).isBetween(0L, 1L);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ProgressListener.printingTo(out, "eos", Duration.ofSeconds(5)).report(last);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).startsWith("eos: measure").contains("p99").contains("/s");
    }

    @Test
    void rejectsNonsense() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LoadDriver.openLoop(0, Duration.ZERO,
                Duration.ofSeconds(1), seq -> CompletableFuture.completedFuture(null), ticker,
                ProgressListener.none())).isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LoadDriver.closedLoop(0, Duration.ZERO,
                Duration.ofSeconds(1), seq -> (CompletionStage<?>) null, ticker, ProgressListener.none()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
