package io.sagalog.app;

import io.sagalog.engine.TransactionPage;
import io.sagalog.engine.TransactionQueries;
import io.sagalog.engine.TransactionView;
import io.sagalog.engine.TxStatus;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine instances a stateless front end ({@code sagalog ingest}) sends questions to, given by
 * {@code --engine-url}: usually one Service address that spreads requests over every engine pod, or the instances
 * themselves. The front holds no transaction: each question goes to the next engine address in turn, unmarked, and
 * that instance routes it on to the owner of the transaction's partition.
 */
final class EngineInstances implements TransactionQueries {
    private final List<Endpoint> engines;
    private final Endpoint self;
    private final AtomicInteger next = new AtomicInteger();

    EngineInstances(List<Endpoint> engines, Endpoint self) {
        if (engines.isEmpty()) {
            throw new IllegalArgumentException("at least one --engine-url is needed");
        }
        this.engines = List.copyOf(engines);
        this.self = self;
    }

    /** {@code http://host[:port]} a piece, as {@code --engine-url} takes them; the problem in one line otherwise. */
    static List<Endpoint> parse(List<String> urls) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (String url : urls) {
            URI uri;
            try {
                uri = new URI(url.trim());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("--engine-url '" + url + "' is not a URL: " + e.getReason());
            }
            if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getRawQuery() != null
                    || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))) {
                throw new IllegalArgumentException("--engine-url '" + url + "' must be http://<host>[:<port>] (an "
                        + "engine instance's HTTP listener, or a Service in front of them; no path)");
            }
            endpoints.add(new Endpoint(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort()));
        }
        return endpoints;
    }

    /** The engine addresses, starting at the next one in turn (a caller tries the others when one is down). */
    List<Endpoint> inTurn() {
        int start = Math.floorMod(next.getAndIncrement(), engines.size());
        List<Endpoint> order = new ArrayList<>(engines.subList(start, engines.size()));
        order.addAll(engines.subList(0, start));
        return order;
    }

    @Override
    public Optional<Endpoint> ownerOf(String txId) {
        return Optional.of(inTurn().get(0));
    }

    @Override
    public List<Endpoint> instances() {
        return engines;
    }

    @Override
    public Endpoint self() {
        return self;
    }

    @Override
    public boolean holdsTransactions() {
        return false;
    }

    @Override
    public Optional<TransactionView> find(String txId) {
        throw new UnsupportedOperationException("a front end holds no transactions: ask " + engines);
    }

    @Override
    public TransactionPage list(TxStatus status, String definition, String after, Instant createdBefore, int limit) {
        throw new UnsupportedOperationException("a front end holds no transactions: ask " + engines);
    }

    @Override
    public List<TransactionPage.Count> counts() {
        throw new UnsupportedOperationException("a front end holds no transactions: ask " + engines);
    }
}
