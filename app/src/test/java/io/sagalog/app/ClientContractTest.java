package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.client.Action;
import io.sagalog.client.TransactionStatus;
import io.sagalog.engine.OperatorAction;
import io.sagalog.engine.TxStatus;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The Java client keeps its own copies of the server's wire names (it depends on no server module); this module sees
 * both, so a status or an action added to the engine fails here until the client knows it too.
 */
class ClientContractTest {
    @Test
    void theClientKnowsEveryActionOfTheEngineByItsWireName() {
        assertThat(Arrays.stream(Action.values()).map(Action::wireName))
                .containsExactlyElementsOf(Arrays.stream(OperatorAction.values()).map(OperatorAction::wireName).toList());
    }

    @Test
    void theClientKnowsEveryStatusOfTheEngineAndWhichAreFinal() {
        for (TxStatus s : TxStatus.values()) {
            assertThat(TransactionStatus.valueOf(s.name()).isFinal()).as(s.name()).isEqualTo(s.isFinal());
        }
        assertThat(TransactionStatus.values()).hasSize(TxStatus.values().length + 1); // and UNKNOWN for newer servers
    }
}
