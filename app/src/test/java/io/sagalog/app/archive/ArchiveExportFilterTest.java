package io.sagalog.app.archive;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ArchiveExportFilterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void selectsByArchiveTimeDefinitionAndStatus() throws Exception {
        var record = JSON.readTree("{\"definition\":\"payment\",\"status\":\"ROLLED_BACK\"}");
        Instant from = Instant.parse("2026-12-01T00:00:00Z");
        Instant to = Instant.parse("2026-12-08T00:00:00Z");
        assertThat(new ArchiveExport.Filter(from, to, "payment", "ROLLED_BACK").matches(from.toEpochMilli(), record)).isTrue();
        assertThat(new ArchiveExport.Filter(from, to, null, null).matches(to.toEpochMilli(), record))
                .as("--to is exclusive").isFalse();
        assertThat(new ArchiveExport.Filter(from, to, "shipping", null).matches(from.toEpochMilli(), record)).isFalse();
        assertThat(new ArchiveExport.Filter(null, null, null, "COMPLETED").matches(0, record)).isFalse();
        assertThat(new ArchiveExport.Filter(null, null, null, null).matches(0, record)).isTrue();
    }

    @Test
    void theProgressBarShowsHowFarTheExportIs() {
        assertThat(ArchiveCommand.ProgressBar.line(50, 200, 7)).isEqualTo("[#######                       ] 25% 50/200 read, 7 written");
        assertThat(ArchiveCommand.ProgressBar.line(0, 0, 0)).as("an empty archive is done at once")
                .startsWith("[##############################] 100%");
    }
}
