package io.sagalog.console;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator console: one self-contained HTML page ({@code console.html} beside this class: markup, inline CSS and
 * vanilla JavaScript, nothing fetched from elsewhere) served at {@code GET /console} and {@code GET /console/}.
 *
 * <p>The page itself needs no token: it asks the operator for one and sends it as {@code Authorization: Bearer}
 * with each call of the API ({@code /v1/transactions/...}), which is where access is checked. It is read from the
 * classpath once, when this object is made. The response carries a Content-Security-Policy that allows only the
 * page's own inline script (by its SHA-256) and requests to this origin, so the page works offline and cannot be
 * made to load or send anything elsewhere.
 */
public final class ConsolePage {
    static final String RESOURCE = "console.html";
    private static final Pattern INLINE_SCRIPT = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL);

    private final Buffer html;
    private final String contentSecurityPolicy;

    public ConsolePage() {
        String text = load();
        this.html = Buffer.buffer(text.getBytes(StandardCharsets.UTF_8));
        this.contentSecurityPolicy = contentSecurityPolicy(text);
    }

    public void mount(Router router) {
        router.get("/console").handler(this::serve);
        router.get("/console/").handler(this::serve);
    }

    private void serve(RoutingContext ctx) {
        ctx.response()
                .putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("Content-Security-Policy", contentSecurityPolicy)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("X-Frame-Options", "DENY")
                .end(html);
    }

    /** The page's text, as served. */
    String html() {
        return html.toString(StandardCharsets.UTF_8);
    }

    String contentSecurityPolicy() {
        return contentSecurityPolicy;
    }

    private static String load() {
        try (InputStream in = ConsolePage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the console page " + RESOURCE + " is missing from the classpath "
                        + "(expected beside " + ConsolePage.class.getName() + ")");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the console page " + RESOURCE, e);
        }
    }

    /** Only this page's inline scripts may run; styles are inline too; fetches go to this origin only. */
    static String contentSecurityPolicy(String html) {
        List<String> hashes = new ArrayList<>();
        Matcher m = INLINE_SCRIPT.matcher(html);
        while (m.find()) {
            hashes.add("'sha256-" + sha256(m.group(1)) + "'");
        }
        String scripts = hashes.isEmpty() ? "'none'" : String.join(" ", hashes);
        return "default-src 'none'; script-src " + scripts + "; style-src 'unsafe-inline'; img-src 'self' data:; "
                + "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";
    }

    private static String sha256(String text) {
        try {
            return Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
