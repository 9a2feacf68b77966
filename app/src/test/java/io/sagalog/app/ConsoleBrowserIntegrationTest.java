package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagalog.app.FakeHttpParticipant.Call;
import io.sagalog.app.FakeHttpParticipant.Reply;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import io.sagalog.http.auth.Tokens;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.StreamSupport;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator console in a real browser (headless Chromium driven by Selenium) against a real node: a transaction
 * parks because its last step, retriable after the pivot, keeps failing at an HTTP participant; an operator signs in
 * to {@code /console}, finds it among the parked ones, sees why it parked and where (the timeline), and resumes it
 * once the participant works again.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver}; {@code .ci/install-browser} installs them. Without
 * them this test fails (it does not skip): a console nobody tested in a browser is not tested. Selenium is pointed at
 * {@code /usr/bin/chromedriver} so Selenium Manager never tries to download a driver or a browser.
 *
 * <p>Screenshots: {@code app/target/console-parked.png} before the resume, {@code app/target/console-completed.png}
 * after it ({@code console-failure.png} when it fails).
 */
@Tag("integration")
class ConsoleBrowserIntegrationTest {
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String SHOP = "cbit-shop-" + RUN;
    private static final String MAIL = "cbit-mail-" + RUN;
    private static final String DEFINITION = "cbit-order-" + RUN;
    /** What the test itself uses to set things up: registry, submit, read. */
    private static final String SETUP_TOKEN = "cbit-setup-" + UUID.randomUUID();
    /** What the operator types into the page. */
    private static final String OPERATOR_TOKEN = "cbit-operator-" + UUID.randomUUID();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> httpParticipants = new ArrayList<>();
    private String base;

    @Test
    void shouldShowAParkedTransactionAndResumeItFromTheConsole() throws Exception {
        requireBrowser();
        Tokens tokens = Tokens.parse(List.of(
                SETUP_TOKEN + " viewer,operator,submitter",
                OPERATOR_TOKEN + " viewer,operator"), "ConsoleBrowserIntegrationTest");
        EngineConfig engine = EngineConfig.defaults(KafkaFixture.bootstrapServers(),
                        Files.createTempDirectory("sagalog-console-it"))
                .withApplicationId("it-console-" + UUID.randomUUID())
                .withOverrides(Map.of(StreamsConfig.mainConsumerPrefix("auto.offset.reset"), "latest"));
        SagalogNode node = SagalogNode.start(new SagalogNode.Options(engine, "127.0.0.1", 0, 3,
                DefinitionCatalog.of(List.of()), SagalogNode.Options.randomSecret(), tokens,
                io.sagalog.ingest.ParticipantUrls.allowing(io.sagalog.ingest.ParticipantUrls.LOOPBACK)));
        Vertx vertx = Vertx.vertx();
        FakeHttpParticipant participants = null;
        WebDriver browser = null;
        try {
            base = "http://127.0.0.1:" + node.port();
            participants = FakeHttpParticipant.start(vertx);
            AtomicBoolean mailWorks = new AtomicBoolean(false);
            participants.behave(MAIL, call -> mailWorks.get() ? FakeHttpParticipant.SUCCEED.apply(call)
                    : Reply.status(500, "{\"error\":\"mail server down\"}"));
            registerHttpParticipant(SHOP, participants.url(SHOP));
            registerHttpParticipant(MAIL, participants.url(MAIL));
            String fewFastRetries = "{\"maxAttempts\":2,\"initialBackoff\":\"100ms\",\"maxBackoff\":\"200ms\"}";
            put("/v1/definitions/" + DEFINITION, "{\"name\":\"" + DEFINITION + "\",\"deadline\":\"2m\",\"steps\":["
                    + "{\"name\":\"reserve\",\"participant\":\"" + SHOP + "\",\"action\":\"reserve\","
                    + "\"compensation\":\"release\",\"kind\":\"compensatable\",\"timeout\":\"5s\"},"
                    + "{\"name\":\"charge\",\"participant\":\"" + SHOP + "\",\"action\":\"charge\","
                    + "\"kind\":\"pivot\",\"timeout\":\"5s\"},"
                    + "{\"name\":\"notify\",\"participant\":\"" + MAIL + "\",\"action\":\"send\","
                    + "\"kind\":\"retriable\",\"timeout\":\"5s\",\"retry\":" + fewFastRetries + "}]}", 201);

            String txId = submit("{\"customer\":\"Ada\"}");
            JsonNode parked = awaitStatus(txId, "PARKED", "COMPLETED", "ROLLED_BACK");
            assertThat(parked.path("status").asText()).as("the API: %s", parked).isEqualTo("PARKED");

            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/console"))
                    .timeout(WAIT).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).as("GET /console needs no token").isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");

            browser = startBrowser();
            WebDriverWait wait = new WebDriverWait(browser, WAIT);
            wait.ignoring(StaleElementReferenceException.class);
            try {
                browser.get(base + "/console");
                browser.findElement(By.id("token")).sendKeys(OPERATOR_TOKEN);
                browser.findElement(By.id("sign-in")).click();

                // The page re-renders the list every 2 s, so find and click in one go, again if the row was replaced.
                By row = By.cssSelector("#parked-list a.tx-link[data-tx-id='" + txId + "']");
                wait.withMessage(() -> "the parked transaction " + txId + " in #parked-list").until(b -> {
                    b.findElement(row).click();
                    return true;
                });
                wait.withMessage(() -> "#tx-status reads PARKED").until(b -> text(b, "tx-status").equals("PARKED"));
                assertThat(text(browser, "tx-reason")).as("#tx-reason says why it parked").isNotBlank();
                Map<String, String> boxes = new LinkedHashMap<>();
                for (WebElement rect : browser.findElements(By.cssSelector("#timeline rect[data-step]"))) {
                    boxes.put(rect.getAttribute("data-step"), rect.getAttribute("data-status"));
                }
                assertThat(boxes).as("one box per step in the timeline, in definition order")
                        .containsExactly(Map.entry("reserve", "SUCCEEDED"), Map.entry("charge", "SUCCEEDED"),
                                Map.entry("notify", "FAILED"));
                screenshot(browser, "console-parked.png");

                mailWorks.set(true);
                browser.findElement(By.id("action-resume")).click();
                wait.withMessage(() -> "the confirmation dialog opens")
                        .until(b -> b.findElement(By.id("action-dialog")).isDisplayed());
                WebElement confirm = browser.findElement(By.id("action-confirm"));
                assertThat(confirm.isEnabled()).as("confirm is disabled until there is a reason").isFalse();
                browser.findElement(By.id("action-reason")).sendKeys("the mail server is back (browser test)");
                assertThat(confirm.isEnabled()).as("confirm is enabled once there is a reason").isTrue();
                confirm.click();

                wait.withMessage(() -> "#tx-status reads COMPLETED after the resume")
                        .until(b -> text(b, "tx-status").equals("COMPLETED"));
                screenshot(browser, "console-completed.png");

                // Legal hold on the finished transaction, then lifted: only the button that fits is enabled.
                wait.withMessage(() -> "Hold is enabled and Release is not on a finished transaction not on hold")
                        .until(b -> b.findElement(By.id("action-hold")).isEnabled()
                                && !b.findElement(By.id("action-release")).isEnabled());
                confirmAction(browser, wait, "hold", "audit asked to keep it (browser test)");
                wait.withMessage(() -> "Release is enabled and Hold is not once the hold is applied")
                        .until(b -> b.findElement(By.id("action-release")).isEnabled()
                                && !b.findElement(By.id("action-hold")).isEnabled());
                assertThat(transaction(txId).path("held").asBoolean()).as("held, as the API says").isTrue();
                confirmAction(browser, wait, "release", "audit is done (browser test)");
                wait.withMessage(() -> "Hold is enabled again once the hold is lifted")
                        .until(b -> b.findElement(By.id("action-hold")).isEnabled());
                assertThat(transaction(txId).path("held").asBoolean()).as("released, as the API says").isFalse();
            } catch (RuntimeException | AssertionError e) {
                screenshot(browser, "console-failure.png");
                throw new AssertionError(e.getMessage() + "\n#notice: " + textOrNothing(browser, "notice")
                        + "\nscreenshot: " + target().resolve("console-failure.png"), e);
            }

            JsonNode done = transaction(txId);
            assertThat(done.path("status").asText()).isEqualTo("COMPLETED");
            assertThat(StreamSupport.stream(done.path("history").spliterator(), false)
                    .filter(e -> e.path("type").asText().startsWith("Operator"))
                    .map(e -> e.path("reason").asText()))
                    .as("the operator's reason is in the history").contains("the mail server is back (browser test)");
            assertThat(participants.calls(txId)).filteredOn(c -> c.participant().equals(MAIL))
                    .extracting(Call::attempt).as("two failed attempts, then the resumed one").hasSizeGreaterThan(2);
        } finally {
            if (browser != null) {
                browser.quit();
            }
            try {
                // As HttpTestNode does: a later engine replaying the log must not call this test's closed port.
                for (String p : httpParticipants) {
                    put("/v1/participants/" + p, "{\"transport\":\"kafka\"}", 200);
                }
            } finally {
                if (participants != null) {
                    participants.close();
                }
                node.close();
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Clicks an action's button, gives the reason and confirms; returns once the dialog is closed. */
    private static void confirmAction(WebDriver browser, WebDriverWait wait, String action, String reason) {
        browser.findElement(By.id("action-" + action)).click();
        wait.withMessage(() -> "the " + action + " dialog opens")
                .until(b -> b.findElement(By.id("action-dialog")).isDisplayed());
        browser.findElement(By.id("action-reason")).sendKeys(reason);
        browser.findElement(By.id("action-confirm")).click();
        wait.withMessage(() -> "the " + action + " dialog closes, the action accepted")
                .until(b -> !b.findElement(By.id("action-dialog")).isDisplayed());
    }

    // --- the browser ---

    /**
     * Without Chromium the test is skipped with one line saying how to get it (a fresh machine with only Java and
     * Maven passes {@code mvn -B verify}), unless {@code -Dsagalog.browser=required}: CI passes that, so there a
     * missing browser fails instead of skipping, and the console is always proven in a real browser.
     */
    private static void requireBrowser() {
        if (!Files.isExecutable(CHROMEDRIVER) || !Files.isExecutable(CHROMIUM)) {
            String missing = "the console browser test needs Chromium and its driver (" + CHROMIUM + ", " + CHROMEDRIVER
                    + "); run .ci/install-browser (it runs apt-get install chromium chromium-driver)";
            if ("required".equals(System.getProperty("sagalog.browser"))) {
                fail(missing);
            }
            org.junit.jupiter.api.Assumptions.abort("skipped: " + missing);
        }
    }

    private static WebDriver startBrowser() {
        // Both set: Selenium Manager then has nothing to look for, so it never downloads a driver or a browser.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static String text(WebDriver browser, String id) {
        return browser.findElement(By.id(id)).getText().trim();
    }

    private static String textOrNothing(WebDriver browser, String id) {
        try {
            return text(browser, id);
        } catch (RuntimeException e) {
            return "(" + e.getClass().getSimpleName() + ")";
        }
    }

    private static Path target() {
        return Path.of(System.getProperty("basedir", "."), "target");
    }

    private static void screenshot(WebDriver browser, String name) {
        try {
            Files.createDirectories(target());
            Files.write(target().resolve(name), ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));
        } catch (Exception e) {
            System.err.println("could not save the screenshot " + name + ": " + e);
        }
    }

    // --- the API, as the setup token ---

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(WAIT)
                .header("Authorization", "Bearer " + SETUP_TOKEN);
    }

    private HttpResponse<String> put(String path, String json, int expected) throws Exception {
        HttpResponse<String> r = http.send(request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new AssertionError("PUT " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r;
    }

    private void registerHttpParticipant(String name, String url) throws Exception {
        httpParticipants.add(name);
        put("/v1/participants/" + name, "{\"transport\":\"http\",\"url\":\"" + url
                + "\",\"timeout\":\"5s\",\"maxConcurrency\":4}", 200);
    }

    private String submit(String input) throws Exception {
        HttpResponse<String> r = http.send(request("/v1/transactions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"definition\":\"" + DEFINITION + "\",\"input\":" + input
                        + "}")).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new AssertionError("POST /v1/transactions answered " + r.statusCode() + ": " + r.body());
        }
        return HttpTestClient.JSON.readTree(r.body()).path("txId").asText();
    }

    private JsonNode transaction(String txId) throws Exception {
        HttpResponse<String> r = http.send(request("/v1/transactions/" + txId).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? HttpTestClient.JSON.readTree(r.body()) : null;
    }

    private JsonNode awaitStatus(String txId, String... statuses) throws Exception {
        return org.awaitility.Awaitility.await("transaction " + txId + " reaches " + List.of(statuses)).atMost(WAIT)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> transaction(txId), tx -> tx != null && List.of(statuses).contains(tx.path("status").asText()));
    }
}
