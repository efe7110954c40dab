// HTTP front door against a real hearthd and PostgreSQL: operational routes, error bodies,
// limits and timeouts, and that a bad client never disturbs another.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startHearthd } from '../support/hearthd.mjs';
import { rawExchange, bodyOf } from './raw.mjs';

let server;
before(async () => {
  server = await startHearthd({
    args: ['--max-header-bytes', '4096', '--max-body-bytes', '2048', '--header-timeout-ms', '600',
           '--body-timeout-ms', '600', '--idle-timeout-ms', '800'],
  });
});
after(async () => {
  const result = await server.stop();
  assert.equal(result.code, 0, `hearthd should exit cleanly:\n${server.logs()}`);
});

test('GET /healthz answers 200 with security headers', async () => {
  const response = await fetch(`${server.url}/healthz`);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { status: 'ok' });
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  assert.match(response.headers.get('content-security-policy'), /frame-ancestors 'none'/);
  assert.match(response.headers.get('content-security-policy'), /script-src 'self'/);
  assert.equal(response.headers.get('referrer-policy'), 'strict-origin-when-cross-origin');
  assert.ok(response.headers.get('date'), 'Date header');
});

test('GET /readyz checks the database', async () => {
  const response = await fetch(`${server.url}/readyz`);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { status: 'ready' });
});

test('GET /metrics counts requests by route and status and reports the pool', async () => {
  await fetch(`${server.url}/healthz`);
  await fetch(`${server.url}/api/v1/nope`);
  const response = await fetch(`${server.url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  const healthz = /hearth_http_requests_total\{method="GET",route="\/healthz",status="200"\} (\d+)/.exec(text);
  assert.ok(healthz && Number(healthz[1]) >= 2, 'healthz counted');
  assert.match(text, /hearth_http_requests_total\{method="GET",route="unmatched",status="404"\} [1-9]/);
  assert.match(text, /hearth_http_request_duration_seconds_bucket\{method="GET",route="\/healthz",le="\+Inf"\} [1-9]/);
  assert.match(text, /hearth_http_open_connections [1-9]/);
  assert.match(text, /hearth_db_pool_connections\{state="open"\} [1-9]/, 'readyz opened a connection');
});

test('unknown API routes get 404 with {code, message}; wrong methods get 405 with Allow', async () => {
  const missing = await fetch(`${server.url}/api/v1/does-not-exist`);
  assert.equal(missing.status, 404);
  const body = await missing.json();
  assert.equal(body.code, 90001);
  assert.match(body.message, /No route for GET \/api\/v1\/does-not-exist/);

  const wrong = await fetch(`${server.url}/healthz`, { method: 'DELETE' });
  assert.equal(wrong.status, 405);
  assert.match(wrong.headers.get('allow'), /GET/);
  assert.equal((await wrong.json()).code, 90002);
});

test('GET /api/v1/gateway gives the WebSocket URL', async () => {
  const response = await fetch(`${server.url}/api/v1/gateway`);
  assert.deepEqual(await response.json(), { url: `ws://127.0.0.1:${server.port}/api/v1/gateway` });
});

test('JSON bodies: invalid JSON is 400, wrong content type is 415, a valid report is 204', async () => {
  const url = `${server.url}/api/v1/csp-reports`;
  const bad = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
  assert.equal(bad.status, 400);
  const badBody = await bad.json();
  assert.equal(badBody.code, 90004);
  assert.match(badBody.message, /Invalid JSON/);

  const wrongType = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
  assert.equal(wrongType.status, 415);
  assert.equal((await wrongType.json()).code, 90005);

  const deep = await fetch(url, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '['.repeat(100) + ']'.repeat(100),
  });
  assert.equal(deep.status, 400, 'nesting deeper than the limit is refused');

  const ok = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/csp-report' },
    body: JSON.stringify({ 'csp-report': { 'violated-directive': 'script-src', 'blocked-uri': 'inline' } }),
  });
  assert.equal(ok.status, 204);
  await new Promise((r) => setTimeout(r, 100));
  assert.match(server.logs(), /csp violation from 127\.0\.0\.1: script-src blocked inline/);
});

test('a malformed request line gets 400 {code, message} and the connection closes', async () => {
  const reply = await rawExchange(server.port, ['GARBAGE\r\n\r\n']);
  assert.equal(reply.status, 400);
  assert.equal(bodyOf(reply.text).code, 90003);
  assert.ok(reply.closed);
});

test('a bad header line gets 400', async () => {
  const reply = await rawExchange(server.port, ['GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n']);
  assert.equal(reply.status, 400);
  assert.equal(bodyOf(reply.text).code, 90003);
});

test('an absolute-form target is refused', async () => {
  const reply = await rawExchange(server.port, ['GET http://evil/ HTTP/1.1\r\nHost: x\r\n\r\n']);
  assert.equal(reply.status, 400);
});

test('oversized headers get 431', async () => {
  const reply = await rawExchange(server.port, [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`]);
  assert.equal(reply.status, 431);
  assert.equal(bodyOf(reply.text).code, 90006);
});

test('an oversized body gets 413, announced or chunked', async () => {
  const announced = await fetch(`${server.url}/api/v1/csp-reports`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 'x'.repeat(4000) }),
  });
  assert.equal(announced.status, 413);
  assert.equal((await announced.json()).code, 40005);

  const chunk = 'x'.repeat(1500);
  const chunked = await rawExchange(server.port, [
    'POST /api/v1/csp-reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
    `${(1500).toString(16)}\r\n${chunk}\r\n`, `${(1500).toString(16)}\r\n${chunk}\r\n`, '0\r\n\r\n',
  ]);
  assert.equal(chunked.status, 413);
});

test('a slow header is cut with 408 after the header timeout', async () => {
  const reply = await rawExchange(server.port, ['GET /healthz HTTP/1.1\r\n', { delay: 300 }, 'Host: x\r\n', { delay: 3000 }]);
  assert.equal(reply.status, 408);
  assert.equal(bodyOf(reply.text).code, 90007);
  assert.ok(reply.ms < 2500, `cut after ~600 ms, took ${reply.ms}`);
});

test('a slow body is cut with 408', async () => {
  const reply = await rawExchange(server.port, [
    'POST /api/v1/csp-reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
    { delay: 3000 },
  ]);
  assert.equal(reply.status, 408);
});

test('an upload larger than the default body limit gets time at 64 KiB/s, beyond the body timeout', async () => {
  // 200,000 declared bytes on the message route (its own body limit): about 3 s allowed, where
  // the body timeout is 600 ms. The body arrives whole after 1.2 s, and the route answers (401:
  // no token), not 408.
  const half = 'x'.repeat(100_000);
  const reply = await rawExchange(server.port, [
    'POST /api/v1/channels/1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200000\r\n\r\n' + half,
    { delay: 1200 },
    half,
  ], { timeoutMs: 5000 });
  assert.equal(reply.status, 401);
});

test('idle keep-alive connections are closed after the idle timeout, silently', async () => {
  const reply = await rawExchange(server.port, ['GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', { delay: 5000 }], { timeoutMs: 4000 });
  assert.equal(reply.status, 200);
  assert.ok(reply.closed, 'closed by the server');
  assert.equal((reply.text.match(/HTTP\/1\.1/g) ?? []).length, 1, 'no error response on idle close');
});

test('keep-alive serves several requests, pipelined, in order', async () => {
  const reply = await rawExchange(
    server.port,
    ['GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nope.js HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
  );
  const statuses = [...reply.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
  assert.deepEqual(statuses, [200, 404, 200]);
  assert.ok(reply.closed);
});

test('an answer is not held back while the next pipelined request is only half sent', async () => {
  const socket = net.connect(server.port, '127.0.0.1');
  await new Promise((resolve) => socket.on('connect', resolve));
  const sent = Date.now();
  socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /rea');
  const firstChunk = await new Promise((resolve) => socket.once('data', (chunk) => resolve(chunk.toString())));
  const waited = Date.now() - sent;
  socket.destroy();
  assert.match(firstChunk, /^HTTP\/1\.1 200 OK/);
  // The header timeout here is 600 ms; an answer held back would only leave with the 408.
  assert.ok(waited < 400, `first answer after ${waited} ms`);
});

test('slow and broken clients do not disturb others', async () => {
  const slow = Array.from({ length: 20 }, () => rawExchange(server.port, ['GET /healthz HTTP/1.1\r\n', { delay: 2000 }]));
  const broken = Array.from({ length: 20 }, () => rawExchange(server.port, ['\x00\x01\x02 nonsense\r\n\r\n']));
  const started = Date.now();
  const responses = await Promise.all(Array.from({ length: 50 }, () => fetch(`${server.url}/healthz`)));
  const elapsed = Date.now() - started;
  assert.ok(responses.every((r) => r.status === 200));
  assert.ok(elapsed < 500, `healthy clients served while others misbehave (${elapsed} ms)`);
  await Promise.all([...slow, ...broken]);
  const still = await fetch(`${server.url}/readyz`);
  assert.equal(still.status, 200);
});
