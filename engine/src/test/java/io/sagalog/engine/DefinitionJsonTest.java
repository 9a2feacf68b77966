package io.sagalog.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DefinitionJsonTest {
    @Test
    void shouldWriteJsonThatReadsBackToTheSameDefinition() throws Exception {
        Definition original = DefinitionParser.parse("""
                {"name": "x", "deadline": "5m", "steps": [
                  {"name": "a", "participant": "p", "action": "do", "compensation": "undo", "timeout": "250ms",
                   "retry": {"maxAttempts": 4, "initialBackoff": "50ms", "multiplier": 1.5, "maxBackoff": "2s", "jitter": 0.1}},
                  {"name": "b", "participant": "q", "action": "pay", "kind": "pivot"},
                  {"name": "c", "participant": "r", "action": "mail", "kind": "retriable"}
                ]}""", 3);

        Definition copy = DefinitionParser.parse(DefinitionJson.write(original), 3);

        assertThat(copy).isEqualTo(original);
        assertThat(DefinitionJson.sameContent(copy, DefinitionParser.parse(DefinitionJson.write(original), 9))).isTrue();
    }
}
