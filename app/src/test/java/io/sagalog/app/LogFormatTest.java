package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagalog.logging.TransactionMdc;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MDC;

/** {@code --log-format json}: one JSON object a line, a per-transaction line with txId, definition and step. */
class LogFormatTest {

    @Test
    void shouldWriteOneJsonObjectALineWithTheTransactionInTheMdc() throws Exception {
        LoggerContext context = new LoggerContext(); // its own, so the test's console stays as it is
        context.setMDCAdapter(MDC.getMDCAdapter()); // the one TransactionMdc writes to, as in the shipped setup
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        PatternLayoutEncoder text = new PatternLayoutEncoder();
        text.setContext(context);
        text.setPattern("%msg%n");
        text.start();
        appender.setEncoder(text);
        appender.setOutputStream(out);
        appender.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);

        LogOptions.useJson(context);
        Logger log = context.getLogger("io.sagalog.test");
        log.info("node started");
        try (var mdc = TransactionMdc.of("tx-1", "trip-booking", "payments")) {
            log.warn("step {} of transaction {} failed\nsecond line of the message", "payments", "tx-1",
                    new IllegalStateException("boom"));
        }
        log.info("after the transaction");

        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(new ObjectMapper().readTree(line)); // each line parses on its own
        }
        assertThat(lines).hasSize(3);
        assertThat(lines).allSatisfy(l -> assertThat(l.isObject()).isTrue());
        JsonNode tx = lines.get(1);
        assertThat(tx.path("level").asText()).isEqualTo("WARN");
        assertThat(tx.path("message").asText()).contains("second line");
        assertThat(tx.path("mdc").path("txId").asText()).isEqualTo("tx-1");
        assertThat(tx.path("mdc").path("definition").asText()).isEqualTo("trip-booking");
        assertThat(tx.path("mdc").path("step").asText()).isEqualTo("payments");
        assertThat(tx.path("throwable").isMissingNode()).as(tx.toString()).isFalse();
        // The keys do not outlive the transaction's lines: the positive control above has them, these not.
        assertThat(lines.get(0).path("mdc").path("txId").isMissingNode()).isTrue();
        assertThat(lines.get(2).path("mdc").path("txId").isMissingNode()).isTrue();
    }

    @Test
    void shouldShipAConfigurationWithSagalogAtInfoAndKafkaAtWarn() throws Exception {
        LoggerContext context = new LoggerContext();
        ch.qos.logback.classic.joran.JoranConfigurator configurator = new ch.qos.logback.classic.joran.JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(SagalogCli.class.getResource("/logback.xml"));

        assertThat(context.getStatusManager().getCopyOfStatusList())
                .noneMatch(s -> s.getLevel() >= ch.qos.logback.core.status.Status.WARN);
        assertThat(context.getLogger("io.sagalog.engine.SagaEngine").getEffectiveLevel())
                .isEqualTo(ch.qos.logback.classic.Level.INFO);
        assertThat(context.getLogger("org.apache.kafka.clients.NetworkClient").getEffectiveLevel())
                .isEqualTo(ch.qos.logback.classic.Level.WARN);
        assertThat(context.getLogger("kafka.server.ReplicaManager").getEffectiveLevel())
                .isEqualTo(ch.qos.logback.classic.Level.WARN);
    }

    @Test
    void shouldRestoreAnOuterTransactionWhenANestedOneCloses() {
        try (var outer = TransactionMdc.of("tx-outer", "d", null)) {
            try (var inner = TransactionMdc.of("tx-inner", null, "s")) {
                assertThat(MDC.get("txId")).isEqualTo("tx-inner");
                assertThat(MDC.get("definition")).isEqualTo("d");
            }
            assertThat(MDC.get("txId")).isEqualTo("tx-outer");
            assertThat(MDC.get("step")).isNull();
        }
        assertThat(MDC.get("txId")).isNull();
    }
}
