#!/usr/bin/env python3
"""Where the time of one transaction goes, hop by hop, measured on a running Sagalog.

Submits transactions one at a time (no load, so every hop shows its own latency), each with
POST /v1/transactions?wait=10s, then reads its history and splits the time between the client's send,
the engine's decisions (journal event times, set by the engine) and the client's answer.

Usage:  ./sagalog dev --port 18080 --data-dir /tmp/hops      (in another terminal)
        python3 scripts/hops.py http://127.0.0.1:18080 /tmp/hops/tokens 300
Only the Python standard library is needed. Times are milliseconds; the engine stamps events in whole
milliseconds, so each figure is a median over all transactions.
"""
import datetime
import json
import statistics
import sys
import time
import urllib.request


def token(path, role):
    for line in open(path):
        line = line.split('#', 1)[0].strip()
        if line and role in line.split()[1].split(','):
            return line.split()[0]
    raise SystemExit(f'no {role} token in {path}')


def call(base, method, path, tok, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={'Authorization': 'Bearer ' + tok, 'Content-Type': 'application/json'})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def main():
    base, tokens, count = sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 200
    tok = token(tokens, 'submitter')
    hops = {}
    for i in range(count + 20):
        sent = time.time() * 1000
        tx = call(base, 'POST', '/v1/transactions?wait=10s', tok,
                  {'definition': 'trip-booking', 'input': {'traveller': 'hop', 'n': i}})
        answered = time.time() * 1000
        if i < 20:  # warm-up
            continue
        history = call(base, 'GET', '/v1/transactions/' + tx['txId'], tok)['history']
        events = [(e['type'], e.get('step'), ms(e['at'])) for e in history]
        started = next(t for (k, s, t) in events if k == 'TxStarted')
        ended = next(t for (k, s, t) in events if k in ('TxCompleted', 'TxRolledBack'))
        add(hops, '1 client -> ingest -> control log -> engine decides (TxStarted)', started - sent)
        dispatched = {s: t for (k, s, t) in events if k == 'StepDispatched'}
        succeeded = {s: t for (k, s, t) in events if k == 'StepSucceeded'}
        for step in dispatched:
            if step in succeeded:
                add(hops, f'2 {step}: engine -> step topic -> participant -> control log -> engine', succeeded[step] - dispatched[step])
        add(hops, '3 engine decides TxCompleted -> journal -> ingest follower -> client', answered - ended)
        add(hops, '0 total, client send to client answer', answered - sent)
    for name in sorted(hops):
        values = hops[name]
        print(f'{statistics.median(values):7.1f} ms median  {percentile(values, 0.9):7.1f} ms p90   {name}')


def ms(iso):
    """An engine timestamp (ISO-8601, UTC) as epoch milliseconds."""
    return datetime.datetime.fromisoformat(iso.replace('Z', '+00:00')).timestamp() * 1000


def add(hops, name, value):
    hops.setdefault(name, []).append(value)


def percentile(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(p * len(v)))]


if __name__ == '__main__':
    main()
