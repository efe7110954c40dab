// The gateway foundation against a real hearthd: HELLO, heartbeats, close codes, limits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startHearthd } from '../support/hearthd.mjs';

let server;
before(async () => {
  server = await startHearthd({
    args: ['--heartbeat-interval-ms', '400', '--gateway-frames-per-minute', '8', '--ws-max-message-bytes', '1024',
           '--allowed-origin', 'https://app.example'],
  });
});
after(async () => {
  const result = await server.stop();
  assert.equal(result.code, 0, server.logs());
});

/** Opens a gateway socket and collects frames; `closed` resolves with {code, reason}. */
function connect(headers = {}) {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/gateway`, { headers });
  const frames = [];
  const waiters = [];
  socket.on('message', (data) => {
    frames.push(JSON.parse(data.toString()));
    waiters.splice(0).forEach((wake) => wake());
  });
  const closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const opened = new Promise((resolve, reject) => {
    socket.on('open', resolve);
    socket.on('unexpected-response', (_req, res) => reject(Object.assign(new Error('refused'), { status: res.statusCode })));
    socket.on('error', reject);
  });
  async function next(predicate = () => true, timeoutMs = 3000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = frames.findIndex(predicate);
      if (index >= 0) return frames.splice(index, 1)[0];
      if (Date.now() > deadline) throw new Error(`no matching frame; have ${JSON.stringify(frames)}`);
      await new Promise((r) => { waiters.push(r); setTimeout(r, 50); });
    }
  }
  return { socket, opened, closed, next, send: (payload) => socket.send(typeof payload === 'string' ? payload : JSON.stringify(payload)) };
}

test('HELLO carries the heartbeat interval; HEARTBEAT is acknowledged', async () => {
  const client = connect();
  await client.opened;
  const hello = await client.next();
  assert.deepEqual(hello, { op: 10, d: { heartbeat_interval: 400 }, s: null, t: null });
  client.send({ op: 1, d: null });
  assert.equal((await client.next()).op, 11);
  client.send({ op: 1, d: 42 });
  assert.equal((await client.next()).op, 11);
  client.socket.close(1000);
  assert.equal((await client.closed).code, 1000);
});

test('a client that stops heartbeating is closed with 4009', async () => {
  const client = connect();
  await client.opened;
  await client.next((f) => f.op === 10);
  const started = Date.now();
  const { code } = await client.closed;
  assert.equal(code, 4009);
  assert.ok(Date.now() - started < 3000);
});

test('regular heartbeats keep the connection open past the deadline', async () => {
  const client = connect();
  await client.opened;
  await client.next((f) => f.op === 10);
  const beat = setInterval(() => client.send({ op: 1, d: null }), 250);
  await new Promise((r) => setTimeout(r, 1200));
  clearInterval(beat);
  assert.equal(client.socket.readyState, WebSocket.OPEN);
  client.socket.close(1000);
  await client.closed;
});

test('invalid JSON closes with 4002, an unknown opcode with 4001', async () => {
  const broken = connect();
  await broken.opened;
  broken.send('{not json');
  assert.equal((await broken.closed).code, 4002);

  const unknown = connect();
  await unknown.opened;
  unknown.send({ op: 99, d: null });
  assert.equal((await unknown.closed).code, 4001);
});

test('IDENTIFY without a valid token closes with 4004; RESUME of an unknown session gets INVALID_SESSION', async () => {
  const resume = connect();
  await resume.opened;
  resume.send({ op: 6, d: { token: 'x', session_id: 'nope', seq: 3 } });
  assert.deepEqual(await resume.next((f) => f.op === 9), { op: 9, d: false, s: null, t: null });
  resume.send({ op: 2, d: { token: 'not-a-token', properties: {} } });
  assert.equal((await resume.closed).code, 4004);
});

test('IDENTIFY with the access token of a new account gets READY with that user', async () => {
  const name = `gw${Date.now().toString(36)}`;
  const signup = await fetch(`${server.url}/api/v1/auth/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `${name}@example.org`, username: name, password: 'correct horse battery' }),
  });
  const { token, user_id: userId } = await signup.json();
  const client = connect();
  await client.opened;
  await client.next((f) => f.op === 10);
  client.send({ op: 2, d: { token, properties: { os: 'linux', browser: 'test', device: 'test' } } });
  const ready = await client.next((f) => f.t === 'READY');
  assert.equal(ready.op, 0);
  assert.equal(ready.s, 1);
  assert.equal(ready.d.user.id, userId);
  assert.equal(ready.d.user.username, name);
  assert.deepEqual(ready.d.guilds, []);
  assert.match(ready.d.session_id, /^[0-9a-f]{32}$/);
  assert.equal(ready.d.resume_gateway_url, `ws://127.0.0.1:${server.port}/api/v1/gateway`);
  client.send({ op: 1, d: 1 });
  assert.equal((await client.next((f) => f.op === 11)).op, 11);

  // Behind a TLS-terminating proxy, the resume URL has the proxy's scheme.
  const proxied = connect({ 'X-Forwarded-Proto': 'https' });
  await proxied.opened;
  await proxied.next((f) => f.op === 10);
  proxied.send({ op: 2, d: { token, properties: {} } });
  const readyBehindTls = await proxied.next((f) => f.t === 'READY');
  assert.equal(readyBehindTls.d.resume_gateway_url, `wss://127.0.0.1:${server.port}/api/v1/gateway`);
  proxied.socket.close(1000);
  await proxied.closed;

  // Once the session is logged out, its token no longer identifies.
  await fetch(`${server.url}/api/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  const after = connect();
  await after.opened;
  after.send({ op: 2, d: { token, properties: {} } });
  assert.equal((await after.closed).code, 4004);
  client.socket.close(1000);
  await client.closed;
});

test('too many frames close the connection with 4008', async () => {
  const client = connect();
  await client.opened;
  for (let i = 0; i < 10; i += 1) client.send({ op: 1, d: null });
  assert.equal((await client.closed).code, 4008);
});

test('a message above the size limit closes with 1009', async () => {
  const client = connect();
  await client.opened;
  client.send(JSON.stringify({ op: 1, d: 'x'.repeat(4000) }));
  assert.equal((await client.closed).code, 1009);
});

test('a foreign Origin is refused with 403; same-origin and configured origins are accepted', async () => {
  const foreign = connect({ Origin: 'https://evil.example' });
  await assert.rejects(foreign.opened, (error) => error.status === 403);

  const same = connect({ Origin: `http://127.0.0.1:${server.port}` });
  await same.opened;
  same.socket.close(1000);
  const configured = connect({ Origin: 'https://app.example' });
  await configured.opened;
  configured.socket.close(1000);
  await Promise.all([same.closed, configured.closed]);
});

test('GET on the gateway path without an upgrade is not a WebSocket', async () => {
  const response = await fetch(`${server.url}/api/v1/gateway`);
  assert.equal(response.status, 200);
  assert.ok((await response.json()).url.endsWith('/api/v1/gateway'));
});

test('?compress=zlib-stream sends every frame as binary on one zlib stream', async () => {
  const { inflateSync, constants } = await import('node:zlib');
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/gateway?v=10&encoding=json&compress=zlib-stream`);
  const decoded = [];
  let received = Buffer.alloc(0);
  let inflatedBytes = 0;
  let wake = () => {};
  socket.on('message', (data, isBinary) => {
    assert.equal(isBinary, true, 'compressed frames are binary');
    assert.deepEqual([...data.subarray(-4)], [0, 0, 0xff, 0xff], 'each message ends with a sync flush');
    received = Buffer.concat([received, data]);
    // The stream so far inflates to everything sent so far; the new part is this message.
    const all = inflateSync(received, { finishFlush: constants.Z_SYNC_FLUSH });
    decoded.push(JSON.parse(all.subarray(inflatedBytes).toString()));
    inflatedBytes = all.length;
    wake();
  });
  const waitFor = async (count) => {
    const deadline = Date.now() + 3000;
    while (decoded.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${JSON.stringify(decoded)}`);
      await new Promise((r) => { wake = r; setTimeout(r, 50); });
    }
  };
  await waitFor(1);
  assert.equal(decoded[0].op, 10);
  socket.send(JSON.stringify({ op: 1, d: null }));
  socket.send(JSON.stringify({ op: 1, d: null }));
  await waitFor(3);
  assert.deepEqual(decoded.slice(1).map((f) => f.op), [11, 11]);
  socket.close(1000);
});
