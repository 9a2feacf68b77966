package io.sagalog.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RatiosTest {
    static MeasuredBaseline producer(int bytes, double perSecond) {
        return new MeasuredBaseline(MeasuredBaseline.Kind.PRODUCER, null, bytes, new BaselineResult(
                "producer acks=all " + bytes + " B", perSecond, "records/s", null, null, perSecond * bytes / 1e6, "n"));
    }

    static MeasuredBaseline vertx(int bytes, double perSecond) {
        return new MeasuredBaseline(MeasuredBaseline.Kind.VERTX_APPEND, null, bytes, new BaselineResult(
                "vertx append " + bytes + " B", perSecond, "req/s", 2.0, 9.0, perSecond * bytes / 1e6, "n"));
    }

    static MeasuredBaseline streams(String guarantee, int bytes, double perSecond) {
        return new MeasuredBaseline(MeasuredBaseline.Kind.STREAMS, guarantee, bytes, new BaselineResult(
                "streams pass-through " + guarantee + " " + bytes + " B", perSecond, "records/s", null, null,
                perSecond * bytes / 1e6, "n"));
    }

    static final List<MeasuredBaseline> BASELINES = List.of(producer(1024, 13_000), vertx(1024, 820),
            streams("at_least_once", 1024, 4100), streams("exactly_once_v2", 1024, 2050), producer(11264, 3000));

    static BenchResult result(String workload, String guarantee, double txPerSecond) {
        return new BenchResult(workload, "closed", guarantee, null, 64, 20, txPerSecond,
                txPerSecond * Workload.named(workload).participantCallsPerTransaction(), 50, 80, 120, 300, 0, 0,
                14.0, 9000.0, Map.of(), 300.0);
    }

    @Test
    void ratiosPairLikeWithLike() {
        List<Ratios.Ratio> r = Ratios.of(410, 1024, "at_least_once", BASELINES);
        assertThat(r).extracting(x -> x.baseline().display())
                .containsExactly("producer", "Vert.x append", "streams pass-through at_least_once");
        assertThat(r.get(0).ratio()).isCloseTo(410 / 13_000.0, offset(1e-12));
        assertThat(r.get(1).ratio()).isCloseTo(0.5, offset(1e-12));
        assertThat(r.get(2).ratio()).isCloseTo(0.1, offset(1e-12));

        assertThat(Ratios.of(100, 1024, "exactly_once_v2", BASELINES)).extracting(x -> x.baseline().display())
                .containsExactly("producer", "Vert.x append", "streams pass-through exactly_once_v2");
        assertThat(Ratios.of(100, 11264, "at_least_once", BASELINES)).singleElement()
                .satisfies(x -> assertThat(x.ratio()).isCloseTo(100 / 3000.0, offset(1e-12)));
        assertThat(Ratios.of(100, 2048, "at_least_once", BASELINES)).isEmpty();
    }

    @Test
    void aBaselineWithoutThroughputGivesNoRatio() {
        assertThat(Ratios.of(100, 1024, "at_least_once", List.of(producer(1024, 0)))).isEmpty();
    }

    @Test
    void ratiosHaveTwoSignificantDigits() {
        assertThat(Ratios.format(410 / 13_000.0)).isEqualTo("0.032");
        assertThat(Ratios.format(0.5)).isEqualTo("0.5");
        assertThat(Ratios.format(1.234)).isEqualTo("1.2");
        assertThat(Ratios.format(12.6)).isEqualTo("13");
        assertThat(Ratios.format(123.0)).isEqualTo("120");
        assertThat(Ratios.format(0)).isEqualTo("0");
        assertThat(Ratios.format(Double.NaN)).isEqualTo("-");
    }

    @Test
    void aRunGetsATxLineAndAStepsLine() {
        List<String> lines = Ratios.lines(result("S3", "at_least_once", 410), BASELINES);
        assertThat(lines).containsExactly(
                "S3 closed 64 clients at_least_once: 410 tx/s = 0.032 x producer records/s, 0.5 x Vert.x append "
                        + "req/s, 0.1 x streams pass-through at_least_once records/s",
                "                                    1230 steps/s = 0.095 x producer records/s, 1.5 x Vert.x append "
                        + "req/s, 0.3 x streams pass-through at_least_once records/s");
        assertThat(Ratios.lines(result("S3-11KB", "at_least_once", 300), BASELINES)).first().asString()
                .isEqualTo("S3-11KB closed 64 clients at_least_once: 300 tx/s = 0.1 x producer records/s");
        assertThat(Ratios.lines(result("S3", "at_least_once", 410), List.of())).isEmpty();
    }

    @Test
    void onlyTheStreamsBaselineHasAGuarantee() {
        assertThatThrownBy(() -> new MeasuredBaseline(MeasuredBaseline.Kind.PRODUCER, "at_least_once", 1024, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MeasuredBaseline(MeasuredBaseline.Kind.STREAMS, null, 1024, null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
