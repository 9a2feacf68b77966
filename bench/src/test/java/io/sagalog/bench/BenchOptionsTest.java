package io.sagalog.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line as users type it, through picocli, into {@link BenchOptions}. */
class BenchOptionsTest {
    private static BenchOptions parse(String... args) {
        BenchCommand command = new BenchCommand(null);
        new CommandLine(command).parseArgs(args);
        return command.options();
    }

    @Test
    void defaults() {
        BenchOptions o = parse();
        assertThat(o.workloads()).containsExactly(Workload.S3);
        assertThat(o.modes()).containsExactly("closed");
        assertThat(o.rates()).containsExactly(500.0);
        assertThat(o.clients()).containsExactly(16);
        assertThat(o.guarantees()).containsExactly("at_least_once");
        assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(20));
        assertThat(o.baselines()).isTrue();
        assertThat(o.out()).isNull();
        assertThat(o.bootstrap()).isNull();
        assertThat(o.dataDir()).isNull();
        assertThat(o.configurations()).containsExactly(Configuration.closed(Workload.S3, 16, "at_least_once"));
    }

    @Test
    void theFirstDocumentedRun() {
        BenchOptions o = parse("--workload", "S3", "--mode", "both", "--rate", "250,500", "--clients", "64",
                "--warmup", "20s", "--duration", "20s", "--out", "/tmp/bench-out");
        assertThat(o.out()).isEqualTo(Path.of("/tmp/bench-out"));
        assertThat(o.configurations()).containsExactly(
                Configuration.closed(Workload.S3, 64, "at_least_once"),
                Configuration.open(Workload.S3, 250, "at_least_once"),
                Configuration.open(Workload.S3, 500, "at_least_once"));
        assertThat(o.configurations()).extracting(Configuration::label).containsExactly(
                "S3 closed 64 clients at_least_once", "S3 open 250/s at_least_once", "S3 open 500/s at_least_once");
        // Baselines are capped at 10 s each.
        assertThat(o.baselineWarmup()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.baselineDuration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.inputSizes()).containsExactly(1024);
        assertThat(o.openLoopConnections(250)).isEqualTo(250);
        assertThat(o.openLoopConnections(20)).isEqualTo(64);
    }

    @Test
    void theSecondDocumentedRun() {
        BenchOptions o = parse("--workload", "S3-comp,S3-11KB,S10", "--mode", "closed", "--clients", "64",
                "--warmup", "15s", "--duration", "15s", "--no-baselines", "--out", "/tmp/bench-out");
        assertThat(o.baselines()).isFalse();
        assertThat(o.configurations()).extracting(Configuration::label).containsExactly(
                "S3-comp closed 64 clients at_least_once", "S3-11KB closed 64 clients at_least_once",
                "S10 closed 64 clients at_least_once");
        assertThat(o.inputSizes()).containsExactly(1024, 11 * 1024);
    }

    @Test
    void guaranteesSitSideBySideWithinEachLoad() {
        BenchOptions o = parse("--workload", "S3,S10", "--mode", "both", "--rate", "100", "--clients", "8,32",
                "--guarantee", "both");
        assertThat(o.configurations()).extracting(Configuration::label).containsExactly(
                "S3 closed 8 clients at_least_once", "S3 closed 8 clients exactly_once_v2",
                "S3 closed 32 clients at_least_once", "S3 closed 32 clients exactly_once_v2",
                "S3 open 100/s at_least_once", "S3 open 100/s exactly_once_v2",
                "S10 closed 8 clients at_least_once", "S10 closed 8 clients exactly_once_v2",
                "S10 closed 32 clients at_least_once", "S10 closed 32 clients exactly_once_v2",
                "S10 open 100/s at_least_once", "S10 open 100/s exactly_once_v2");
    }

    @Test
    void baselinesAreOnUnlessTurnedOff() {
        assertThat(parse("--baselines").baselines()).isTrue();
        assertThat(parse("--no-baselines").baselines()).isFalse();
    }

    @Test
    void quickIsAShortPresetThatExplicitOptionsOverride() {
        BenchOptions quick = parse("--quick");
        assertThat(quick.warmup()).isEqualTo(Duration.ofSeconds(5));
        assertThat(quick.duration()).isEqualTo(Duration.ofSeconds(10));
        BenchOptions longer = parse("--quick", "--duration", "30s", "--warmup", "1s");
        assertThat(longer.duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(longer.warmup()).isEqualTo(Duration.ofSeconds(1));
        assertThat(parse("--warmup", "0s").warmup()).isZero();
    }

    @Test
    void stepsIsAnAliasForTheWorkload() {
        assertThat(parse("--steps", "10").workloads()).containsExactly(Workload.S10);
        assertThat(parse("--steps", "3").workloads()).containsExactly(Workload.S3);
        assertThatThrownBy(() -> parse("--steps", "4")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("S3, S3-comp, S3-11KB, S10");
        assertThatThrownBy(() -> parse("--steps", "3", "--workload", "S3"))
                .hasMessageContaining("either --workload or --steps");
    }

    @Test
    void listsAreTrimmedAndLoadsMayRepeatToShowDrift() {
        BenchOptions o = parse("--rate", " 250, 500 ,250", "--clients", "64,16,64", "--guarantee",
                "exactly_once_v2,both", "--mode", "OPEN", "--workload", "s10,S10");
        assertThat(o.rates()).containsExactly(250.0, 500.0, 250.0);
        assertThat(o.clients()).containsExactly(64, 16, 64);
        assertThat(o.guarantees()).containsExactly("exactly_once_v2", "at_least_once", "exactly_once_v2");
        assertThat(o.modes()).containsExactly("open");
        assertThat(o.workloads()).containsExactly(Workload.S10);
        assertThat(parse("--rate", "12.5", "--mode", "open").configurations()).extracting(Configuration::label)
                .containsExactly("S3 open 12.5/s at_least_once");
    }

    @Test
    void theReadmesAlternatingGuaranteesStillMeasureFourTimes() {
        BenchOptions o = parse("--guarantee", "at_least_once,exactly_once_v2,at_least_once,exactly_once_v2",
                "--clients", "16", "--duration", "15s", "--warmup", "5s");
        assertThat(o.configurations()).extracting(Configuration::guarantee).containsExactly("at_least_once",
                "exactly_once_v2", "at_least_once", "exactly_once_v2");
        assertThat(parse("--guarantee", "both").guarantees()).containsExactly("at_least_once", "exactly_once_v2");
    }

    @Test
    void errorsSayWhatIsWrongAndWhatIsValid() {
        assertThatThrownBy(() -> parse("--workload", "S3,S4")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown workload 'S4'; valid workloads: S3, S3-comp, S3-11KB, S10");
        assertThatThrownBy(() -> parse("--mode", "half")).hasMessageContaining("closed, open or both");
        assertThatThrownBy(() -> parse("--rate", "fast")).hasMessageContaining("--rate: 'fast' is not a number");
        assertThatThrownBy(() -> parse("--rate", "0")).hasMessageContaining("not a positive rate");
        assertThatThrownBy(() -> parse("--rate", ",")).hasMessageContaining("--rate needs at least one value");
        assertThatThrownBy(() -> parse("--clients", "0")).hasMessageContaining("--clients");
        assertThatThrownBy(() -> parse("--clients", "many")).hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> parse("--guarantee", "exactly_once")).hasMessageContaining(
                "unknown processing guarantee 'exactly_once'; use at_least_once, exactly_once_v2 or both");
        assertThatThrownBy(() -> parse("--duration", "0s")).hasMessageContaining("--duration must be positive");
        assertThatThrownBy(() -> parse("--warmup", "soon")).hasMessageContaining("--warmup: 'soon' is not a duration");
    }

    @Test
    void anOpenLoopHasARateAndAClosedLoopClients() {
        assertThatThrownBy(() -> new Configuration(Workload.S3, "closed", 5.0, null, "at_least_once"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Configuration(Workload.S3, "open", null, 5, "at_least_once"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Configuration.open(Workload.S3_COMP, 250, "exactly_once_v2").applicationIdPrefix())
                .isEqualTo("bench-s3-comp-open-250-exactly-once-v2");
        assertThat(Configuration.closed(Workload.S10, 64, "at_least_once").applicationIdPrefix())
                .isEqualTo("bench-s10-closed-64-at-least-once");
    }

    @Test
    void theCommandLineIsPrintedAsTyped() {
        assertThat(BenchCommand.commandLine(List.of("bench", "--workload", "S3", "--rate", "250,500")))
                .isEqualTo("sagalog bench --workload S3 --rate 250,500");
        assertThat(BenchCommand.commandLine(List.of("--out", "/tmp/my dir"))).isEqualTo("sagalog bench --out '/tmp/my dir'");
        assertThat(BenchCommand.commandLine(List.of())).isEqualTo("sagalog bench");
    }

    @Test
    void prefillComparesEmptyAndFullStoresSideBySideWithinEachLoad() {
        BenchOptions o = parse("--workload", "S3", "--mode", "open", "--rate", "500", "--prefill", "0,1_000_000,0");

        assertThat(o.configurations()).extracting(Configuration::label).containsExactly(
                "S3 open 500/s at_least_once", "S3 open 500/s +1,000,000 finished at_least_once",
                "S3 open 500/s at_least_once");
        assertThat(o.configurations().get(1).applicationIdPrefix()).isEqualTo("bench-s3-open-500-at-least-once-pf1000000");
        assertThat(parse().prefills()).containsExactly(0L);
        assertThatThrownBy(() -> parse("--prefill", "a lot")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--prefill", "whole number");
        assertThatThrownBy(() -> parse("--prefill", "-5")).hasMessageContaining("negative");
    }
}
