package io.sagalog.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class CallbackTokensTest {
    private final CallbackTokens tokens = new CallbackTokens("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));

    @Test
    void shouldReadBackWhatItIssued() {
        String token = tokens.issue("tx-1", "hotels", Phase.COMPENSATION, 3);

        assertThat(tokens.verify(token)).contains(new CallbackTokens.Claims("tx-1", "hotels", Phase.COMPENSATION, 3));
    }

    @Test
    void shouldRefuseAnAlteredOrForgedToken() {
        String token = tokens.issue("tx-1", "hotels", Phase.ACTION, 1);
        String otherAttempt = Base64.getUrlEncoder().withoutPadding()
                .encodeToString("tx-1|hotels|ACTION|2".getBytes(StandardCharsets.UTF_8)) + token.substring(token.indexOf('.'));
        CallbackTokens otherSecret = new CallbackTokens("another-secret-of-thirty-two-bytes!".getBytes(StandardCharsets.UTF_8));

        assertThat(tokens.verify(otherAttempt)).as("same signature, other attempt").isEmpty();
        assertThat(tokens.verify(otherSecret.issue("tx-1", "hotels", Phase.ACTION, 1))).as("signed elsewhere").isEmpty();
        assertThat(tokens.verify(token.substring(0, token.length() - 2))).isEmpty();
        assertThat(tokens.verify("not-a-token")).isEmpty();
        assertThat(tokens.verify(null)).isEmpty();
    }

    @Test
    void shouldRefuseAShortSecret() {
        assertThatThrownBy(() -> new CallbackTokens(new byte[8])).hasMessageContaining("at least 32 bytes");
    }
}
