package io.sagalog.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagalog.compensators.Participant;
import io.sagalog.compensators.PermanentFailure;
import io.sagalog.compensators.StepCall;
import io.sagalog.engine.Definition;
import io.sagalog.engine.StepDefinition;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WorkloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void namesAreTheContractsAndMatchIgnoringCase() {
        assertThat(Workload.values()).extracting(Workload::label)
                .containsExactly("S3", "S3-comp", "S3-11KB", "S10");
        assertThat(Workload.named("s3-COMP")).isEqualTo(Workload.S3_COMP);
        assertThat(Workload.named(" S3-11kb ")).isEqualTo(Workload.S3_11KB);
        assertThat(Workload.parseList("S10,S3, s3-comp,S3")).containsExactly(Workload.S10, Workload.S3,
                Workload.S3_COMP);
    }

    @Test
    void anUnknownNameIsRefusedWithTheValidOnes() {
        assertThatThrownBy(() -> Workload.named("S4"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown workload 'S4'; valid workloads: S3, S3-comp, S3-11KB, S10");
        assertThatThrownBy(() -> Workload.parseList("S3,nope"))
                .hasMessageContaining("'nope'").hasMessageContaining("S3, S3-comp, S3-11KB, S10");
        assertThatThrownBy(() -> Workload.parseList(" , ")).hasMessageContaining("no workload given");
    }

    @Test
    void stepsPickTheWorkloadWithThatManySteps() {
        assertThat(Workload.withSteps(3)).isEqualTo(Workload.S3);
        assertThat(Workload.withSteps(10)).isEqualTo(Workload.S10);
        assertThatThrownBy(() -> Workload.withSteps(5)).hasMessageContaining("--steps 5")
                .hasMessageContaining("S3, S3-comp, S3-11KB, S10");
    }

    @Test
    void shapes() {
        assertThat(Workload.S3.steps()).isEqualTo(3);
        assertThat(Workload.S3_COMP.steps()).isEqualTo(3);
        assertThat(Workload.S3_11KB.steps()).isEqualTo(3);
        assertThat(Workload.S10.steps()).isEqualTo(10);
        assertThat(Workload.S3.inputBytes()).isEqualTo(1024);
        assertThat(Workload.S3_COMP.inputBytes()).isEqualTo(1024);
        assertThat(Workload.S3_11KB.inputBytes()).isEqualTo(11 * 1024);
        assertThat(Workload.S10.inputBytes()).isEqualTo(1024);
    }

    @ParameterizedTest
    @EnumSource(Workload.class)
    void inputsAreExactlyTheWorkloadsSizeOfValidJson(Workload w) throws Exception {
        for (long seq : new long[] {0, 1, 4, 9, 99, 12_345, 9_999_999_999L, Long.MAX_VALUE}) {
            String input = w.input(seq);
            assertThat(input.getBytes(StandardCharsets.UTF_8)).hasSize(w.inputBytes());
            JsonNode node = JSON.readTree(input);
            assertThat(node.get("seq").asLong()).isEqualTo(seq);
            assertThat(node.get("fail").asBoolean()).isEqualTo(w.fails(seq));
            assertThat(JSON.writeValueAsString(node)).isEqualTo(input); // as ingest stores it: already compact
        }
    }

    @ParameterizedTest
    @EnumSource(Workload.class)
    void theRequestBodyNamesTheDefinitionAndCarriesTheInput(Workload w) throws Exception {
        JsonNode body = JSON.readTree(w.requestBody(7));
        assertThat(body.get("definition").asText()).isEqualTo(w.definitionName());
        assertThat(JSON.writeValueAsString(body.get("input"))).isEqualTo(w.input(7));
    }

    @Test
    void exactlyEveryFifthTransactionOfS3CompFailsAndNoneOfTheOthers() {
        int failing = 0;
        for (long seq = 0; seq < 1000; seq++) {
            if (Workload.S3_COMP.fails(seq)) {
                failing++;
                assertThat(seq % 5).isEqualTo(4);
                assertThat(Workload.S3_COMP.expectedStatus(seq)).isEqualTo("ROLLED_BACK");
            } else {
                assertThat(Workload.S3_COMP.expectedStatus(seq)).isEqualTo("COMPLETED");
            }
            for (Workload w : List.of(Workload.S3, Workload.S3_11KB, Workload.S10)) {
                assertThat(w.fails(seq)).isFalse();
                assertThat(w.expectedStatus(seq)).isEqualTo("COMPLETED");
            }
        }
        assertThat(failing).isEqualTo(200);
        assertThat(Workload.S3_COMP.failingFraction()).isEqualTo(0.2);
        assertThat(Workload.S3.failingFraction()).isZero();
    }

    @Test
    void participantCallsPerTransactionCountCompensations() {
        assertThat(Workload.S3.participantCallsPerTransaction()).isEqualTo(3.0);
        assertThat(Workload.S3_11KB.participantCallsPerTransaction()).isEqualTo(3.0);
        assertThat(Workload.S10.participantCallsPerTransaction()).isEqualTo(10.0);
        // 80% make 3 actions; 20% make 3 actions (the third rejected) and 2 compensations.
        assertThat(Workload.S3_COMP.participantCallsPerTransaction()).isCloseTo(3.4, org.assertj.core.data.Offset.offset(1e-9));
    }

    @ParameterizedTest
    @EnumSource(Workload.class)
    void definitionsHaveOneParticipantPerStepWithCompensations(Workload w) {
        Definition d = w.definition();
        assertThat(d.name()).isEqualTo(w.definitionName());
        assertThat(d.steps()).hasSize(w.steps());
        for (int i = 0; i < w.steps(); i++) {
            StepDefinition s = d.step(i);
            assertThat(s.participant()).isEqualTo(w.participantName(i + 1));
            assertThat(s.action()).isEqualTo("do");
            assertThat(s.compensation()).isEqualTo("undo");
        }
        assertThat(w.participants()).extracting(Participant::name)
                .containsExactlyElementsOf(d.steps().stream().map(StepDefinition::participant).toList());
    }

    @Test
    void everyWorkloadHasItsOwnDefinitionAndParticipants() {
        Set<String> definitions = new HashSet<>();
        Set<String> participants = new HashSet<>();
        for (Workload w : Workload.values()) {
            assertThat(definitions.add(w.definitionName())).isTrue();
            for (int i = 1; i <= w.steps(); i++) {
                assertThat(participants.add(w.participantName(i))).as(w.participantName(i)).isTrue();
            }
        }
        assertThat(Workload.S3_COMP.definitionName()).isEqualTo("bench-s3-comp");
        assertThat(Workload.S3_COMP.participantName(3)).isEqualTo("bench-s3-comp-p3");
    }

    @Test
    void onlyS3CompsLastStepRejectsTheTransactionsMeantToFail() throws Exception {
        List<Participant> comp = Workload.S3_COMP.participants();
        StepCall failing = call(Workload.S3_COMP, 4);
        StepCall passing = call(Workload.S3_COMP, 3);
        assertThatThrownBy(() -> comp.get(2).action("do").orElseThrow().handle(failing))
                .isInstanceOf(PermanentFailure.class);
        assertThat(comp.get(2).action("do").orElseThrow().handle(passing)).isEqualTo(java.util.Map.of());
        assertThat(comp.get(0).action("do").orElseThrow().handle(failing)).isEqualTo(java.util.Map.of());
        assertThat(comp.get(1).action("do").orElseThrow().handle(failing)).isEqualTo(java.util.Map.of());
        comp.get(0).compensation("undo").orElseThrow().compensate(failing);

        // S3's participants never fail, whatever the input says.
        StepCall s3AskedToFail = new StepCall("tx", "bench-s3", "step3", "do", 1, "tx:step3:do",
                JSON.readTree("{\"fail\":true}"), JSON.createObjectNode(), Instant.now());
        assertThat(Workload.S3.participants().get(2).action("do").orElseThrow().handle(s3AskedToFail))
                .isEqualTo(java.util.Map.of());
    }

    private static StepCall call(Workload w, long seq) throws Exception {
        return new StepCall("tx-" + seq, w.definitionName(), "step3", "do", 1, "tx-" + seq + ":step3:do",
                JSON.readTree(w.input(seq)), JSON.createObjectNode(), Instant.now());
    }
}
