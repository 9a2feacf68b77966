package io.sagalog.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The served definition schema is the one enforced: a field it does not declare is refused with its path and a
 * suggestion, its example passes both a real JSON Schema 2020-12 validator and the parser, and what the validator
 * refuses, registration refuses too.
 */
class DefinitionSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema VALIDATOR = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
            .getSchema(DefinitionSchema.text(), InputFormat.JSON);
    private static final String STEP = "{\"name\":\"a\",\"participant\":\"p\",\"action\":\"x\",\"compensation\":\"y\"%s}";

    @Test
    void shouldRefuseAMisspeltRetryFieldNamingItsPathAndTheFieldMeant() {
        String json = "{\"name\":\"d\",\"steps\":[" + STEP.formatted(",\"retry\":{\"maxAttemps\":5}") + "]}";

        assertThatThrownBy(() -> DefinitionSchema.parse(json, 1)).isInstanceOfSatisfying(InvalidDefinitionException.class,
                e -> assertThat(e.problems()).containsExactly(
                        "steps[0].retry.maxAttemps: unknown field (did you mean maxAttempts?)"));
        assertThat(VALIDATOR.validate(json, InputFormat.JSON)).as("the served schema refuses it too").isNotEmpty();
    }

    @Test
    void shouldReportUnknownFieldsAndBrokenRulesEachOnce() {
        String json = "{\"name\":\"d\",\"dedline\":\"5m\",\"retention\":{\"COMPLETE\":\"1d\"},\"steps\":["
                + STEP.formatted(",\"kind\":\"pivot\",\"timout\":\"1s\"") + "," + STEP.formatted(",\"colour\":\"red\"")
                + "]}";

        assertThatThrownBy(() -> DefinitionSchema.parse(json, 1)).isInstanceOfSatisfying(InvalidDefinitionException.class,
                e -> assertThat(e.problems()).containsExactlyInAnyOrder(
                        "dedline: unknown field (did you mean deadline?)",
                        "retention.COMPLETE: unknown field (did you mean COMPLETED?)",
                        "steps[0].timout: unknown field (did you mean timeout?)",
                        "steps[1].colour: unknown field; the fields here are name, participant, action, compensation, "
                                + "kind, timeout, retry",
                        "steps[1] (a): the step name is used twice",
                        "steps[1] (a): a compensatable step after the pivot a could never be compensated; make it retriable"));
    }

    @Test
    void shouldAcceptTheSchemasExampleTheDemoAndWhatTheRegistryWritesBack() throws Exception {
        JsonNode example = JSON.readTree(DefinitionSchema.text()).path("examples").get(0);
        Definition parsed = DefinitionSchema.parse(example.toString(), 1);
        String written = DefinitionJson.write(parsed); // GET /v1/definitions/{name} shows this, version included

        for (String json : List.of(example.toString(), written)) {
            assertThat(VALIDATOR.validate(json, InputFormat.JSON)).as(json).isEmpty();
            assertThat(DefinitionSchema.parse(json, 1)).isNotNull();
        }
        assertThat(parsed.steps()).hasSize(3);
    }

    /** Broken the way the schema describes: the validator and registration both refuse, registration naming the field. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "name not text          | `{\"name\":5,\"steps\":[{\"name\":\"a\",\"participant\":\"p\",\"action\":\"x\",\"compensation\":\"y\"}]}` | name",
            "name with a space      | `{\"name\":\"a b\",\"steps\":[{\"name\":\"a\",\"participant\":\"p\",\"action\":\"x\",\"compensation\":\"y\"}]}` | name",
            "no steps               | `{\"name\":\"d\",\"steps\":[]}` | steps",
            "steps not an array     | `{\"name\":\"d\",\"steps\":{}}` | steps",
            "step without an action | `{\"name\":\"d\",\"steps\":[{\"name\":\"a\",\"participant\":\"p\",\"compensation\":\"y\"}]}` | steps[0] (a).action",
            "unknown kind           | `{\"name\":\"d\",\"steps\":[{\"name\":\"a\",\"participant\":\"p\",\"action\":\"x\",\"compensation\":\"y\",\"kind\":\"undo\"}]}` | steps[0] (a).kind",
            "maxAttempts as text    | `{\"name\":\"d\",\"steps\":[{\"name\":\"a\",\"participant\":\"p\",\"action\":\"x\",\"compensation\":\"y\",\"retry\":{\"maxAttempts\":\"5\"}}]}` | steps[0] (a).retry.maxAttempts",
            "maxAttempts too high   | `{\"name\":\"d\",\"steps\":[{\"name\":\"a\",\"participant\":\"p\",\"action\":\"x\",\"compensation\":\"y\",\"retry\":{\"maxAttempts\":1000}}]}` | steps[0] (a).retry.maxAttempts",
            "jitter above 1         | `{\"name\":\"d\",\"steps\":[{\"name\":\"a\",\"participant\":\"p\",\"action\":\"x\",\"compensation\":\"y\",\"retry\":{\"jitter\":2}}]}` | steps[0] (a).retry.jitter",
            "multiplier below 1     | `{\"name\":\"d\",\"steps\":[{\"name\":\"a\",\"participant\":\"p\",\"action\":\"x\",\"compensation\":\"y\",\"retry\":{\"multiplier\":0.5}}]}` | steps[0] (a).retry.multiplier",
            "timeout as a boolean   | `{\"name\":\"d\",\"steps\":[{\"name\":\"a\",\"participant\":\"p\",\"action\":\"x\",\"compensation\":\"y\",\"timeout\":true}]}` | steps[0] (a).timeout",
            "negative deadline      | `{\"name\":\"d\",\"deadline\":-5,\"steps\":[{\"name\":\"a\",\"participant\":\"p\",\"action\":\"x\",\"compensation\":\"y\"}]}` | deadline",
            "retention not object   | `{\"name\":\"d\",\"retention\":\"1d\",\"steps\":[{\"name\":\"a\",\"participant\":\"p\",\"action\":\"x\",\"compensation\":\"y\"}]}` | retention"})
    void shouldRefuseWhatTheSchemaRefuses(String broken, String json, String path) {
        assertThat(VALIDATOR.validate(json, InputFormat.JSON)).as("the schema refuses it").isNotEmpty();
        assertThatThrownBy(() -> DefinitionSchema.parse(json, 1)).isInstanceOfSatisfying(InvalidDefinitionException.class,
                e -> assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith(path + ":")));
    }

    @Test
    void shouldSuggestOnlyNearNames() {
        assertThat(NearestName.distance("maxattemps", "maxattempts")).isEqualTo(1);
        assertThat(NearestName.distance("", "abc")).isEqualTo(3);
        assertThat(DefinitionSchema.pathOf("steps[2] (pay).retry.jitter: must be a number")).isEqualTo("steps[2].retry.jitter");
    }
}
