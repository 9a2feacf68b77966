#!/usr/bin/env node
// Three Sagalog HTTP participants in one Node process, built-in modules only (Node 20+, no npm install):
//
//   POST /flights   action "reserve", compensation "cancel"
//   POST /hotels    action "reserve", compensation "cancel"
//   POST /payments  action "charge",  compensation "refund"
//   GET  /health    200 while the process is up
//
// Usage: node server.js [port]   (default 9000; HOST=0.0.0.0 to listen beyond 127.0.0.1)
//
// Sagalog's dispatcher POSTs each step as
//   {txId, definition, step, phase: "action"|"compensation", action, attempt, idempotencyKey, deadline,
//    input, context, callback: {url, token}}
// and reads the answer as: 2xx = done (the body is the step's output, added to the transaction's context),
// 409/422 = rejected (the transaction rolls back), anything else or no answer = try again later.
//
// Every answer is remembered by idempotencyKey: a retry of the same step (after a timeout, say) gets the same
// answer and does nothing twice. Compensations always answer 200, also for something that was never done
// (a compensation may arrive for an action whose answer was lost).
// "failAt": "flights" | "hotels" | "payments" in the transaction's input makes that participant say no (409).

'use strict';

const http = require('node:http');
const crypto = require('node:crypto');

const port = Number(process.argv[2] || process.env.PORT || 9000);
const host = process.env.HOST || '127.0.0.1';

const services = {
  flights: {
    action: 'reserve',
    compensation: 'cancel',
    perform: (call, ref) => ({
      flight: ref,
      from: call.input.from || 'OSL',
      to: call.input.to || 'LIS',
      seat: '12A',
    }),
  },
  hotels: {
    action: 'reserve',
    compensation: 'cancel',
    perform: (call, ref) => ({
      hotel: 'Harbour Inn',
      booking: ref,
      nights: call.input.nights || 2,
    }),
  },
  payments: {
    action: 'charge',
    compensation: 'refund',
    perform: (call, ref) => ({
      charge: ref,
      // Later steps see earlier outputs in call.context.
      amount: 420 + 95 * ((call.context.hotels && call.context.hotels.nights) || 2),
      currency: 'EUR',
    }),
  },
};

// idempotencyKey -> {status, body}: the answer given the first time, given again to any retry.
const answers = new Map();
// "txId/step" -> what the action did, so a compensation knows what to undo.
const done = new Map();

function reference(service, key) {
  const code = crypto.createHash('sha256').update(key).digest('hex').slice(0, 6).toUpperCase();
  return service.slice(0, 2).toUpperCase() + '-' + code;
}

function handle(service, call) {
  const spec = services[service];
  const where = call.txId + '/' + call.step;
  if (call.phase === 'action') {
    if (call.action !== spec.action) {
      return { status: 422, body: { reason: service + ' has no action "' + call.action + '"' } };
    }
    if (call.input.failAt === service) {
      return { status: 409, body: { reason: service + ' rejected the request (failAt=' + service + ')' } };
    }
    const ref = reference(service, call.idempotencyKey);
    const output = spec.perform(call, ref);
    done.set(where, ref);
    return { status: 200, body: output };
  }
  if (call.phase === 'compensation') {
    if (call.action !== spec.compensation) {
      return { status: 422, body: { reason: service + ' has no compensation "' + call.action + '"' } };
    }
    const ref = done.get(where);
    done.delete(where);
    return { status: 200, body: ref ? { [spec.compensation === 'refund' ? 'refunded' : 'cancelled']: ref }
                                    : { note: 'nothing to undo' } };
  }
  return { status: 400, body: { reason: 'phase must be action or compensation' } };
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  const path = req.url.split('?')[0];
  if (req.method === 'GET' && path === '/health') {
    return send(res, 200, { status: 'UP' });
  }
  const service = path.slice(1);
  if (!Object.prototype.hasOwnProperty.call(services, service)) {
    return send(res, 404, { reason: 'no participant at ' + path + '; try /flights, /hotels or /payments' });
  }
  if (req.method !== 'POST') {
    return send(res, 405, { reason: 'POST a step to ' + path });
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let call;
    try {
      call = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (e) {
      return send(res, 400, { reason: 'the body is not JSON: ' + e.message });
    }
    if (!call || typeof call.idempotencyKey !== 'string' || !call.idempotencyKey) {
      return send(res, 400, { reason: 'idempotencyKey is required' });
    }
    call.input = call.input || {};
    call.context = call.context || {};
    let answer = answers.get(call.idempotencyKey);
    const repeated = answer !== undefined;
    if (!repeated) {
      answer = handle(service, call);
      answers.set(call.idempotencyKey, answer);
    }
    console.log(new Date().toISOString() + ' ' + service + ' ' + call.phase + ' ' + call.action
      + ' tx=' + call.txId + ' step=' + call.step + ' attempt=' + call.attempt + ' key=' + call.idempotencyKey
      + ' -> ' + answer.status + (repeated ? ' (repeated)' : '') + ' ' + JSON.stringify(answer.body));
    send(res, answer.status, answer.body);
  });
});

server.listen(port, host, () => {
  console.log('trip-booking participants listening on http://' + host + ':' + server.address().port
    + ' (/flights, /hotels, /payments, /health)');
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections(); // the dispatcher keeps connections alive
    process.exit(0);
  });
}
