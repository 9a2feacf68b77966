package io.sagalog.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs the baselines once, before any Sagalog configuration, on the same broker: a durable producer, a Vert.x
 * endpoint that answers after a Kafka append, and a Kafka Streams pass-through with one RocksDB put per record
 * under each processing guarantee being measured, all at each input size of the chosen workloads. Running them
 * first means no Sagalog engine, participant or backlog competes with them; they create their own topics and
 * remove them again, so they leave nothing behind for the configurations that follow.
 *
 * <p>A baseline that fails is reported and skipped: Sagalog's own figures stand without it, only its ratio is
 * missing.
 */
final class BaselineSuite {
    private BaselineSuite() {
    }

    /** A baseline to run, and how to run it. */
    private interface Body {
        BaselineResult run(ProgressListener progress) throws Exception;
    }

    static List<MeasuredBaseline> run(String servers, BenchOptions options, PrintStream out)
            throws InterruptedException {
        Duration warmup = options.baselineWarmup();
        Duration measure = options.baselineDuration();
        int clients = options.maxClients();
        out.printf("%nBaselines: %d s warmup and %d s measured each%n", warmup.toSeconds(), measure.toSeconds());
        List<MeasuredBaseline> results = new ArrayList<>();
        for (int bytes : options.inputSizes()) {
            add(results, out, MeasuredBaseline.Kind.PRODUCER, null, bytes,
                    p -> ProducerBaseline.run(servers, bytes, warmup, measure, p));
            add(results, out, MeasuredBaseline.Kind.VERTX_APPEND, null, bytes,
                    p -> VertxAppendBaseline.run(servers, clients, bytes, warmup, measure, p));
            for (String guarantee : options.guarantees()) {
                add(results, out, MeasuredBaseline.Kind.STREAMS, guarantee, bytes,
                        p -> StreamsPassThroughBaseline.run(servers, guarantee, bytes, warmup, measure, p));
            }
        }
        return results;
    }

    private static void add(List<MeasuredBaseline> results, PrintStream out, MeasuredBaseline.Kind kind,
                            String guarantee, int bytes, Body body) throws InterruptedException {
        String label = "baseline " + kind.display() + (guarantee == null ? "" : " " + guarantee) + " " + bytes + " B";
        out.printf("%s: starting...%n", label);
        try {
            BaselineResult r = body.run(ProgressListener.printingTo(out, label, BenchRun.PROGRESS_EVERY));
            results.add(new MeasuredBaseline(kind, guarantee, bytes, r));
            out.printf(Locale.ROOT, "%s: %.0f %s%n", label, r.throughputPerSecond(), r.unit());
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            out.printf("%s failed, left out: %s%n", label, e);
        }
    }
}
