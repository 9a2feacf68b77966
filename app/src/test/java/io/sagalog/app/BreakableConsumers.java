package io.sagalog.app;

import io.sagalog.health.ConsumerFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * Real Kafka consumers that a test can break on purpose, per component and method: {@link #failOnce} makes the next
 * call throw once, {@link #breakUntilFixed} makes every call throw until {@link #fix}. Each failure thrown is counted.
 */
final class BreakableConsumers implements ConsumerFactory {
    private record Key(String component, String method) {}

    private final Map<Key, AtomicInteger> once = new ConcurrentHashMap<>();
    private final Map<Key, Boolean> broken = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> thrown = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> created = new ConcurrentHashMap<>();

    @Override
    @SuppressWarnings("unchecked")
    public Consumer<String, byte[]> create(String component, Properties config) {
        Consumer<String, byte[]> real = ConsumerFactory.KAFKA.create(component, config);
        created.computeIfAbsent(component, c -> new AtomicInteger()).incrementAndGet();
        return (Consumer<String, byte[]>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Consumer.class}, (proxy, method, args) -> {
                    Key key = new Key(component, method.getName());
                    AtomicInteger left = once.get(key);
                    boolean fail = Boolean.TRUE.equals(broken.get(key))
                            || (left != null && left.getAndUpdate(n -> Math.max(0, n - 1)) > 0);
                    if (fail) {
                        thrown.computeIfAbsent(component, c -> new AtomicInteger()).incrementAndGet();
                        throw new IllegalStateException("broken on purpose: " + component + " " + method.getName());
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** The component's next call of the method throws, once. */
    void failOnce(String component, String method) {
        once.computeIfAbsent(new Key(component, method), k -> new AtomicInteger()).incrementAndGet();
    }

    void breakUntilFixed(String component, String method) {
        broken.put(new Key(component, method), true);
    }

    void fix(String component, String method) {
        broken.remove(new Key(component, method));
    }

    /** How many calls of the component threw on purpose so far. */
    int thrown(String component) {
        AtomicInteger n = thrown.get(component);
        return n == null ? 0 : n.get();
    }

    /** How many consumers the component created so far. */
    int created(String component) {
        AtomicInteger n = created.get(component);
        return n == null ? 0 : n.get();
    }
}
