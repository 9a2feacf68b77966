package io.sagalog.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The alerting rules are valid and each fires on what it should and not on a near miss ({@code promtool test rules}). */
class PrometheusRulesTest {
    private static final Path DIR = Path.of("prometheus").toAbsolutePath();

    @Test
    void shouldBeValidRules() throws Exception {
        Promtool.Result check = Promtool.run(DIR, null, "check", "rules", "sagalog-rules.yaml");
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 9 rules found");
    }

    @Test
    void shouldPassTheRuleUnitTests() throws Exception {
        Promtool.Result test = Promtool.run(DIR.resolve("tests"), null, "test", "rules", "sagalog-rules-test.yaml");
        assertThat(test.exitCode()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }
}
