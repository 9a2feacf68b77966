package io.sagalog.engine;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Callback tokens for asynchronous participants: a participant that answered {@code 202} reports its result later
 * with the token it was given. A token names exactly one attempt (txId, step, phase, attempt) and carries an
 * HMAC-SHA256 of it under a secret only Sagalog knows, so it cannot be guessed or altered; whether the attempt is
 * still outstanding is checked when it is used, so it works once.
 */
public final class CallbackTokens {
    private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODE = Base64.getUrlDecoder();

    /** What a valid token names. */
    public record Claims(String txId, String step, Phase phase, int attempt) {}

    private final byte[] secret;

    /** @param secret at least 32 bytes, the same on every instance that issues or checks tokens */
    public CallbackTokens(byte[] secret) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("the callback token secret must have at least 32 bytes");
        }
        this.secret = secret.clone();
    }

    public String issue(String txId, String step, Phase phase, int attempt) {
        String payload = txId + "|" + step + "|" + phase.name() + "|" + attempt;
        return ENCODE.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + ENCODE.encodeToString(mac(payload));
    }

    /** The claims of a genuine token; empty for anything forged, altered or malformed. */
    public Optional<Claims> verify(String token) {
        if (token == null) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot == token.length() - 1) {
            return Optional.empty();
        }
        try {
            String payload = new String(DECODE.decode(token.substring(0, dot)), StandardCharsets.UTF_8);
            byte[] given = DECODE.decode(token.substring(dot + 1));
            if (!MessageDigest.isEqual(given, mac(payload))) {
                return Optional.empty();
            }
            String[] p = payload.split("\\|");
            if (p.length != 4) {
                return Optional.empty();
            }
            return Optional.of(new Claims(p[0], p[1], Phase.valueOf(p[2]), Integer.parseInt(p[3])));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private byte[] mac(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
