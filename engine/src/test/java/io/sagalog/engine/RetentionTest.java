package io.sagalog.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How long finished transactions are kept, decided by the pure decider (no Kafka). */
class RetentionTest {

    private static Scenario completed(Definition definition) {
        Scenario s = new Scenario(definition).request();
        for (StepState step : s.state.steps()) {
            s.succeed(step.name());
        }
        assertThat(s.state.status()).isEqualTo(TxStatus.COMPLETED);
        return s;
    }

    private static Input.TimerFired fired(Timer.Kind kind, Instant due) {
        return new Input.TimerFired(Scenario.TX, new Timer(due, kind, null, 0, null));
    }

    private static Input.OperatorCommand action(String id, OperatorAction action) {
        return new Input.OperatorCommand(Scenario.TX, id, action, null, null, "legal asked", "token:abc123", false);
    }

    @Test
    void completedTransactionExpiresAfterRetention() {
        Scenario s = completed(Scenario.tripBooking());
        Instant finished = s.now;
        assertThat(s.state.expiresAt()).as("the default --retain-completed").isEqualTo(finished.plus(Duration.ofDays(7)));
        assertThat(s.state.timers()).as("the expiry is not one of the timers in flight").isEmpty();

        s.after(Duration.ofDays(7)).apply(fired(Timer.Kind.EXPIRE, s.state.expiresAt()));
        assertThat(s.last.retirement()).as("archived first").isEqualTo(Decision.Retirement.ARCHIVE);
        assertThat(s.last.journal()).isEmpty();

        s.apply(fired(Timer.Kind.EVICT, s.state.expiresAt()));
        assertThat(s.last.retirement()).isEqualTo(Decision.Retirement.EVICT);
        assertThat(s.eventTypes()).endsWith("TxCompleted", "TxExpired");
    }

    @Test
    void eachOutcomeHasItsOwnRetentionAndADefinitionMayOverrideIt() {
        Retention flags = new Retention(Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(3));
        Scenario s = completed(Scenario.tripBooking());
        s.decider = s.decider.withRetention(flags);
        Scenario rolledBack = new Scenario(Scenario.tripBooking());
        rolledBack.decider = rolledBack.decider.withRetention(flags);
        rolledBack.request().fail("flights", Outcome.FAILED_PERMANENT);
        assertThat(rolledBack.state.status()).isEqualTo(TxStatus.ROLLED_BACK);
        assertThat(rolledBack.state.expiresAt()).isEqualTo(rolledBack.now.plus(Duration.ofHours(2)));

        Definition ownRetention = Scenario.definition("""
                {"name": "trip-booking", "retention": {"COMPLETED": "1d", "RESOLVED": "90d"}, "steps": [
                  {"name": "flights", "participant": "flights", "action": "reserve", "compensation": "cancel"}]}""");
        Scenario own = new Scenario(ownRetention);
        own.decider = own.decider.withRetention(flags);
        own.request().succeed("flights");
        assertThat(own.state.expiresAt()).isEqualTo(own.now.plus(Duration.ofDays(1)));
    }

    @Test
    void parkedNeverExpires() {
        Scenario s = new Scenario(Scenario.tripBooking()).request();
        s.engineError(new Input.StepResult(Scenario.TX, "flights", 1, Phase.ACTION, Outcome.SUCCEEDED, "{}", null),
                new IllegalStateException("boom"));
        assertThat(s.state.status()).isEqualTo(TxStatus.PARKED);
        assertThat(s.state.expiresAt()).isNull();

        s.after(Duration.ofDays(400)).apply(fired(Timer.Kind.EXPIRE, s.now));
        assertThat(s.last.retirement()).isEqualTo(Decision.Retirement.NONE);
        assertThat(s.state.status()).isEqualTo(TxStatus.PARKED);
        // Positive control: resolved, the same transaction does get an expiry.
        s.apply(action("close", OperatorAction.RESOLVE));
        assertThat(s.state.expiresAt()).isEqualTo(s.now.plus(Duration.ofDays(30)));
    }

    @Test
    void inFlightNeverExpires() {
        Scenario s = new Scenario(Scenario.tripBooking()).request();
        assertThat(s.state.expiresAt()).isNull();
        s.apply(fired(Timer.Kind.EXPIRE, s.now));
        assertThat(s.last.retirement()).isEqualTo(Decision.Retirement.NONE);
        assertThat(s.state.status()).isEqualTo(TxStatus.RUNNING);
    }

    @Test
    void heldTransactionOutlivesRetention() {
        Scenario s = completed(Scenario.tripBooking());
        Instant due = s.state.expiresAt();
        s.apply(action("hold-1", OperatorAction.HOLD));
        assertThat(s.state.held()).isTrue();
        assertThat(s.state.expiresAt()).isNull();
        assertThat(s.eventTypes()).endsWith("OperatorActed");

        s.after(Duration.ofDays(30)).apply(fired(Timer.Kind.EXPIRE, due));
        assertThat(s.last.retirement()).as("the expiry set before the hold is stale").isEqualTo(Decision.Retirement.NONE);
        s.apply(fired(Timer.Kind.EVICT, due));
        assertThat(s.last.retirement()).isEqualTo(Decision.Retirement.NONE);

        s.apply(action("release-1", OperatorAction.RELEASE));
        assertThat(s.state.held()).isFalse();
        assertThat(s.state.expiresAt()).as("the retention starts again at the release").isEqualTo(s.now.plus(Duration.ofDays(7)));
        s.after(Duration.ofDays(7)).apply(fired(Timer.Kind.EXPIRE, s.state.expiresAt()));
        assertThat(s.last.retirement()).isEqualTo(Decision.Retirement.ARCHIVE);
    }

    @Test
    void holdAndReleaseAreIdempotentAndRefusedWhenTheyDoNotFit() {
        Scenario s = completed(Scenario.tripBooking());
        s.apply(action("hold-1", OperatorAction.HOLD)).apply(action("hold-1", OperatorAction.HOLD));
        assertThat(s.eventTypes()).endsWith("OperatorActed", "OperatorActionIgnored");
        s.apply(action("hold-2", OperatorAction.HOLD));
        assertThat(s.journal.get(s.journal.size() - 1).event()).isInstanceOfSatisfying(
                JournalEvent.OperatorActionRefused.class, r -> assertThat(r.reason()).contains("on hold already"));
        s.apply(action("release-1", OperatorAction.RELEASE)).apply(action("release-2", OperatorAction.RELEASE));
        assertThat(s.journal.get(s.journal.size() - 1).event()).isInstanceOfSatisfying(
                JournalEvent.OperatorActionRefused.class, r -> assertThat(r.reason()).contains("not on hold"));
        // Other actions still do not fit a finished transaction.
        s.apply(action("retry-1", OperatorAction.RETRY));
        assertThat(s.journal.get(s.journal.size() - 1).event()).isInstanceOf(JournalEvent.OperatorActionRefused.class);
        assertThat(s.state.status()).isEqualTo(TxStatus.COMPLETED);
    }

    @Test
    void holdCarriesExpectedSeqLikeEveryAction() {
        Scenario s = completed(Scenario.tripBooking());
        long seen = OperatorActions.currentSeq(s.state);
        s.apply(new Input.OperatorCommand(Scenario.TX, "hold-old", OperatorAction.HOLD, null, null, "audit",
                "token:abc123", false, seen - 1));
        assertThat(s.state.held()).isFalse();
        assertThat(s.journal.get(s.journal.size() - 1).event()).isInstanceOf(JournalEvent.OperatorActionRefused.class);
        s.apply(new Input.OperatorCommand(Scenario.TX, "hold-now", OperatorAction.HOLD, null, null, "audit",
                "token:abc123", false, OperatorActions.currentSeq(s.state)));
        assertThat(s.state.held()).isTrue();
    }

    @Test
    void aHoldOnATransactionInFlightKeepsItOnceFinished() {
        Scenario s = new Scenario(Scenario.tripBooking()).request();
        s.apply(action("hold-early", OperatorAction.HOLD));
        for (StepState step : s.state.steps()) {
            s.succeed(step.name());
        }
        assertThat(s.state.status()).isEqualTo(TxStatus.COMPLETED);
        assertThat(s.state.expiresAt()).isNull();
    }

    @Test
    void lateResultAfterExpiryDoesNotResurrect() {
        ExpiredTransaction gone = new ExpiredTransaction(Scenario.TX, "trip-booking", TxStatus.COMPLETED,
                Instant.parse("2026-01-08T00:00:00Z"), 12);
        Decision d = new Decider(DefinitionCatalog.of(java.util.List.of(Scenario.tripBooking()))).afterExpiry(gone,
                new Input.StepResult(Scenario.TX, "flights", 1, Phase.ACTION, Outcome.SUCCEEDED, "{}", null),
                Instant.parse("2026-01-09T00:00:00Z"));
        assertThat(d.state()).isNull();
        assertThat(d.commands()).isEmpty();
        assertThat(d.journal()).singleElement().satisfies(e -> {
            assertThat(e.seq()).as("the history's numbering goes on").isEqualTo(12);
            assertThat(e.event()).isInstanceOf(JournalEvent.InputAfterExpiry.class);
        });
    }

    @Test
    void aDefinitionsRetentionIsValidatedWithThePathOfEachProblem() {
        assertThatThrownBy(() -> DefinitionParser.parse("""
                {"name": "t", "retention": {"PARKED": "1d", "COMPLETED": "soon", "ROLLED_BACK": "0s"}, "steps": [
                  {"name": "a", "participant": "p", "action": "x", "compensation": "y"}]}""", 1))
                .isInstanceOfSatisfying(InvalidDefinitionException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).startsWith("retention.PARKED: not a final status"))
                        .anySatisfy(p -> assertThat(p).startsWith("retention.COMPLETED:"))
                        .anySatisfy(p -> assertThat(p).startsWith("retention.ROLLED_BACK:").contains("out of range")));
        assertThatThrownBy(() -> DefinitionParser.parse("""
                {"name": "t", "retention": "7d", "steps": [{"name": "a", "participant": "p", "action": "x",
                  "compensation": "y"}]}""", 1))
                .isInstanceOfSatisfying(InvalidDefinitionException.class, e -> assertThat(e.problems())
                        .singleElement().satisfies(p -> assertThat(p).startsWith("retention: must be an object")));
    }

    @Test
    void aDefinitionsRetentionReadsBackFromItsJson() throws Exception {
        Definition d = Scenario.definition("""
                {"name": "t", "retention": {"COMPLETED": "1d", "ROLLED_BACK": "90d", "RESOLVED": "90d"}, "steps": [
                  {"name": "a", "participant": "p", "action": "x", "compensation": "y"}]}""");
        assertThat(d.retention()).containsEntry(TxStatus.COMPLETED, Duration.ofDays(1))
                .containsEntry(TxStatus.ROLLED_BACK, Duration.ofDays(90));
        assertThat(DefinitionParser.parse(DefinitionJson.write(d), 1)).isEqualTo(d);
    }
}
