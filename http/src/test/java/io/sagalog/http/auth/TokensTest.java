package io.sagalog.http.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensTest {
    private static final String VIEW = "view-token-0123456789";
    private static final String OPS = "ops-token-0123456789ab";

    @Test
    void shouldParseFileWithCommentsBlankLinesTabsAndSeveralRoles() {
        Tokens tokens = Tokens.parse(List.of(
                "# tokens for staging",
                "",
                VIEW + "  viewer   # the dashboard",
                "   ",
                OPS + "\toperator,viewer,submitter"), "tokens.txt");

        assertThat(tokens.rolesOf(VIEW)).contains(Set.of(Role.VIEWER));
        assertThat(tokens.rolesOf(OPS)).contains(Set.of(Role.OPERATOR, Role.VIEWER, Role.SUBMITTER));
        assertThat(tokens.firstTokenPerRole())
                .isEqualTo(Map.of(Role.VIEWER, VIEW, Role.OPERATOR, OPS, Role.SUBMITTER, OPS));
    }

    @Test
    void shouldMatchOnlyTheWholeToken() {
        Tokens tokens = Tokens.parse(List.of(VIEW + " viewer"), "t");

        assertThat(tokens.rolesOf(VIEW.substring(1))).isEmpty();
        assertThat(tokens.rolesOf(VIEW + "x")).isEmpty();
        assertThat(tokens.rolesOf("")).isEmpty();
        assertThat(tokens.rolesOf(null)).isEmpty();
    }

    @Test
    void shouldReportEveryBadLineWithItsNumberInOneException() {
        InvalidTokenFileException e = catchThrowableOfType(InvalidTokenFileException.class, () -> Tokens.parse(List.of(
                "# header",
                VIEW + " viewer",
                OPS + " admin",
                "short viewer",
                OPS + "-x",
                VIEW + " operator",
                OPS + "-y viewer operator"), "tokens.txt"));

        assertThat(e.problems()).hasSize(5);
        assertThat(e.problems().get(0)).startsWith("tokens.txt line 3: unknown role 'admin'")
                .contains("viewer, operator, submitter");
        assertThat(e.problems().get(1)).startsWith("tokens.txt line 4: the token is 5 characters")
                .contains("at least 16");
        assertThat(e.problems().get(2)).startsWith("tokens.txt line 5: no roles");
        assertThat(e.problems().get(3)).startsWith("tokens.txt line 6: the token is already listed on line 2");
        assertThat(e.problems().get(4)).startsWith("tokens.txt line 7: 1 extra field");
        assertThat(e).hasMessage(String.join("\n", e.problems())).isInstanceOf(IllegalArgumentException.class);
        assertThat(e.getMessage()).doesNotContain(VIEW, OPS);
    }

    @Test
    void shouldNotEchoATokenWrittenWhereTheRoleBelongs() {
        assertThatThrownBy(() -> Tokens.parse(List.of("operator-and-more " + OPS), "t"))
                .isInstanceOf(InvalidTokenFileException.class)
                .hasMessageContaining("t line 1: unknown role (a 22-character value")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(OPS));
    }

    @Test
    void shouldRejectAFileWithoutTokens() {
        assertThatThrownBy(() -> Tokens.parse(List.of(), "empty.txt"))
                .isInstanceOf(InvalidTokenFileException.class)
                .hasMessageContaining("empty.txt: no tokens: every request would be refused");
        assertThatThrownBy(() -> Tokens.parse(List.of("# only a comment", ""), "c.txt"))
                .hasMessageContaining("c.txt: no tokens");
    }

    @Test
    void shouldExplainAMissingTokensFile(@TempDir Path dir) {
        Path missing = dir.resolve("nope.txt");

        assertThatThrownBy(() -> Tokens.load(missing))
                .isInstanceOf(InvalidTokenFileException.class)
                .hasMessageStartingWith(missing + ": no such tokens file");
    }

    @Test
    void shouldGenerateThreeDistinctTokensOnePerRoleThatRoundTripThroughFileText(@TempDir Path dir)
            throws Exception {
        Tokens tokens = Tokens.generate();
        Map<Role, String> first = tokens.firstTokenPerRole();

        assertThat(first).containsOnlyKeys(Role.values());
        assertThat(Set.copyOf(first.values())).hasSize(3);
        first.forEach((role, token) -> {
            assertThat(token).hasSize(32).matches("[A-Za-z0-9_-]+");
            assertThat(tokens.rolesOf(token)).contains(Set.of(role));
        });

        Path file = java.nio.file.Files.writeString(dir.resolve("tokens.txt"), tokens.toFileText());
        Tokens reread = Tokens.load(file);
        assertThat(tokens.toFileText()).startsWith("#");
        assertThat(reread.firstTokenPerRole()).isEqualTo(first);
        assertThat(reread.toFileText()).isEqualTo(tokens.toFileText());
    }

    @Test
    void shouldNeverShowTokensInToString() {
        Tokens tokens = Tokens.generate();

        assertThat(tokens.toString()).isEqualTo("Tokens[3 tokens]");
        tokens.firstTokenPerRole().values().forEach(t -> assertThat(tokens.toString()).doesNotContain(t));
    }

    @Test
    void shouldParseRoleWireNamesAndNameTheValidOnes() {
        assertThat(Role.parse("operator")).isEqualTo(Role.OPERATOR);
        assertThat(Role.SUBMITTER.wireName()).isEqualTo("submitter");
        assertThatThrownBy(() -> Role.parse("root"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("viewer, operator, submitter");
    }
}
