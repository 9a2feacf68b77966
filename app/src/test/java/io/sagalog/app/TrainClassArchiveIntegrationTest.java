package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class-data archive is only as good as its training run: it must really drive a node through
 * completions and rollbacks (so their classes are loaded), and leave its temporary data behind it cleanly.
 */
@Tag("integration")
class TrainClassArchiveIntegrationTest {

    @Test
    void shouldDriveTransactionsToCompletionAndRollbackThroughHttp(@TempDir Path dir) throws Exception {
        Map<String, Integer> statuses = TrainClassArchiveCommand.run(dir, 20);

        // Every fifth transaction is made to fail at its last step and rolls back; the others complete.
        assertThat(statuses).containsExactlyInAnyOrderEntriesOf(Map.of("COMPLETED", 16, "ROLLED_BACK", 4));
        assertThat(Files.exists(dir.resolve("kafka"))).isTrue();
    }
}
