import io.sagalog.client.ProblemException;
import io.sagalog.client.SagalogClient;
import io.sagalog.client.Submission;
import io.sagalog.client.Transaction;
import io.sagalog.client.TransactionStatus;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * Books a trip through Sagalog with the Java client: submits the trip-booking demo's transaction under the
 * application's own key (an order id), waits until it ended, prints its steps, and shows that the same key with
 * another input is refused. Runs as a single source file (README.md beside it); exits 0 when the trip completed.
 *
 * <p>Arguments: the server (default http://127.0.0.1:8080), a submitter token (default: $SUBMITTER), the definition
 * (default trip-booking, the demo of ./sagalog dev).
 */
public class TripBooking {
    public static void main(String[] args) {
        String server = args.length > 0 ? args[0] : "http://127.0.0.1:8080";
        String token = args.length > 1 ? args[1] : System.getenv("SUBMITTER");
        String definition = args.length > 2 ? args[2] : "trip-booking";
        SagalogClient sagalog = SagalogClient.builder(URI.create(server)).token(token).build();

        // The order id is the idempotency key: if this program crashes after submitting and runs again for the
        // same order, it gets the same transaction back instead of booking twice.
        String orderId = "order-" + UUID.randomUUID();
        Map<String, Object> trip = Map.of("traveller", "Ada", "from", "OSL", "to", "LIS", "nights", 3);
        Submission submitted = sagalog.submitRetryingOverload(definition, trip, orderId, Duration.ofMinutes(1));
        System.out.println("submitted " + submitted.txId() + " (Idempotency-Key " + submitted.idempotencyKey() + ")");

        Transaction tx = sagalog.await(submitted.txId(), Duration.ofSeconds(30));
        System.out.println(tx.txId() + " " + tx.status() + (tx.reason() == null ? "" : ": " + tx.reason()));
        tx.steps().forEach(step -> System.out.println("  " + step.name() + " " + step.status() + " " + step.output()));

        try {
            sagalog.submit(definition, Map.of("traveller", "Bob"), orderId);
        } catch (ProblemException e) {
            System.out.println("the same order id with another trip: " + e.status() + " " + e.problem().slug());
        }
        System.exit(tx.status() == TransactionStatus.COMPLETED ? 0 : 1);
    }
}
