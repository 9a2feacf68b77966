package io.sagalog.app;

import io.sagalog.engine.registry.Registry;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * The callback secret is shared on purpose: a participant's callback may reach any instance of the deployment (a
 * load balancer, a forwarded request, an instance that took over), which must accept the token another signed. Each
 * instance publishes its secret's fingerprint to the registry topic at start; the first one published for the
 * application id is the deployment's, and an instance with another one refuses to start before it joins any group.
 */
final class SharedSecret {
    private SharedSecret() {}

    /** The callback secret differs from the deployment's: the node must not start. */
    static final class Mismatch extends Exception {
        Mismatch(String message) {
            super(message);
        }
    }

    /** The first 16 hex digits of the secret's SHA-256: identifies it, and tells nothing usable about it. */
    static String fingerprint(byte[] secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /**
     * Publishes this secret's fingerprint when the deployment has none yet (two instances starting at once both do;
     * the one first in the log wins and the other then sees the difference), and compares.
     *
     * @param self how this instance is reached, named in the message another instance may show
     * @throws Mismatch when the deployment uses another secret
     */
    static void verify(Registry registry, String applicationId, byte[] secret, String self) throws Exception {
        String mine = fingerprint(secret);
        String deployment = registry.callbackSecretFingerprint(applicationId).orElse(null);
        if (deployment == null) {
            deployment = registry.publishCallbackSecretFingerprint(applicationId, mine, self).toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        }
        if (!deployment.equals(mine)) {
            throw new Mismatch("this instance's callback secret (fingerprint " + mine + ") differs from the one "
                    + "application id '" + applicationId + "' uses (fingerprint " + deployment + ", first published by "
                    + registry.callbackSecretPublisher(applicationId).orElse("another instance") + "): every instance "
                    + "needs the same --callback-secret-file, else callbacks reaching another instance are refused");
        }
    }
}
