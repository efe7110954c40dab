// The WebSocket layer under the gateway (RFC 6455, Hearth's own framing) on a raw TCP socket:
// the handshake and its refusals, pings, fragments, early frames, the close handshake and the
// close codes of frames a client breaks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { rawExchange } from './raw.mjs';
import { startHearthd } from '../support/hearthd.mjs';
import { registerUser } from '../support/users.mjs';

let server;
before(async () => {
  // A small outbound limit, and heartbeats rare enough that a client may stop reading a while.
  server = await startHearthd({
    args: ['--heartbeat-interval-ms', '30000', '--ws-max-message-bytes', '1024', '--ws-queue-bytes', '65536',
           '--auth-requests-per-minute', '10000'],
  });
});
after(async () => {
  const result = await server.stop();
  assert.equal(result.code, 0, server.logs());
});

const key = 'dGhlIHNhbXBsZSBub25jZQ==';
function upgrade({ version = '13', secKey = key } = {}) {
  return (
    `GET /api/v1/gateway HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\n` +
    `Connection: keep-alive, Upgrade\r\nSec-WebSocket-Version: ${version}\r\n` +
    (secKey === null ? '' : `Sec-WebSocket-Key: ${secKey}\r\n`) +
    '\r\n'
  );
}

/** A client frame: masked unless told otherwise. */
function frame(opcode, payload, { fin = true, masked = true } = {}) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const head = [(fin ? 0x80 : 0) | opcode];
  const maskBit = masked ? 0x80 : 0;
  if (data.length < 126) head.push(maskBit | data.length);
  else head.push(maskBit | 126, data.length >> 8, data.length & 0xff);
  if (!masked) return Buffer.concat([Buffer.from(head), data]);
  const mask = randomBytes(4);
  const body = Buffer.from(data.map((byte, i) => byte ^ mask[i % 4]));
  return Buffer.concat([Buffer.from(head), mask, body]);
}

const closeFrame = (code, reason = '') =>
  frame(0x8, Buffer.concat([Buffer.from([code >> 8, code & 0xff]), Buffer.from(reason)]));

/** The HTTP head and the server's frames ({opcode, fin, payload, code?}) in a raw reply. */
function framesOf(text) {
  const bytes = Buffer.from(text, 'latin1');
  const split = bytes.indexOf('\r\n\r\n');
  const head = bytes.subarray(0, split).toString('latin1');
  const frames = [];
  let at = split + 4;
  while (at + 2 <= bytes.length) {
    assert.equal(bytes[at + 1] & 0x80, 0, 'server frames are never masked');
    let length = bytes[at + 1] & 0x7f;
    let start = at + 2;
    if (length === 126) {
      length = bytes.readUInt16BE(at + 2);
      start = at + 4;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(at + 2));
      start = at + 10;
    }
    if (start + length > bytes.length) break;
    const payload = bytes.subarray(start, start + length);
    const entry = { opcode: bytes[at] & 0x0f, fin: (bytes[at] & 0x80) !== 0, payload };
    if (entry.opcode === 0x8 && payload.length >= 2) {
      entry.code = payload.readUInt16BE(0);
      entry.reason = payload.subarray(2).toString();
    }
    frames.push(entry);
    at = start + length;
  }
  return { head, frames };
}

const opsOf = (frames) => frames.filter((f) => f.opcode === 0x1).map((f) => JSON.parse(f.payload.toString()).op);

test('the handshake answers 101 with the accept key of RFC 6455, and HELLO follows', async () => {
  const reply = await rawExchange(server.port, [upgrade()], { timeoutMs: 800 });
  const { head, frames } = framesOf(reply.text);
  assert.match(head, /^HTTP\/1\.1 101 /);
  assert.match(head, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/i);
  assert.match(head, /\r\nUpgrade: websocket/i);
  assert.doesNotMatch(head, /Sec-WebSocket-Extensions/i, 'no extension is negotiated');
  assert.deepEqual(opsOf(frames), [10]);
  assert.equal(frames[0].fin, true);
});

test('a wrong version is refused with 426 and the version the server speaks; a bad key with 400', async () => {
  const old = await rawExchange(server.port, [upgrade({ version: '8' })]);
  assert.equal(old.status, 426);
  assert.match(old.text, /\r\nSec-WebSocket-Version: 13\r\n/i);
  assert.equal(JSON.parse(old.text.slice(old.text.indexOf('\r\n\r\n') + 4)).code, 90003);
  for (const secKey of [null, 'short', 'dGhlIHNhbXBsZSBub25j*Q==']) {
    const bad = await rawExchange(server.port, [upgrade({ secKey })]);
    assert.equal(bad.status, 400, String(secKey));
    assert.match(bad.text, /Sec-WebSocket-Key/);
  }
});

test('frames sent with the handshake, fragments and pings are all read, in order', async () => {
  const heartbeat = JSON.stringify({ op: 1, d: null });
  const reply = await rawExchange(
    server.port,
    [
      // The first heartbeat rides in the handshake's own packet.
      Buffer.concat([Buffer.from(upgrade()), frame(0x1, heartbeat)]),
      { delay: 100 },
      // A heartbeat in three fragments, with a ping between two of them.
      Buffer.concat([
        frame(0x1, heartbeat.slice(0, 5), { fin: false }),
        frame(0x9, 'are you there'),
        frame(0x0, heartbeat.slice(5, 9), { fin: false }),
      ]),
      { delay: 100 },
      frame(0x0, heartbeat.slice(9)),
      { delay: 100 },
      closeFrame(1000, 'bye'),
    ],
    { timeoutMs: 3000 },
  );
  const { frames } = framesOf(reply.text);
  const kinds = frames.map((f) => (f.opcode === 0x1 ? `op${JSON.parse(f.payload.toString()).op}` : f.opcode));
  assert.deepEqual(kinds, ['op10', 'op11', 0xa, 'op11', 0x8]);
  assert.equal(frames[2].payload.toString(), 'are you there', 'the pong carries the ping data');
  assert.equal(frames[4].code, 1000, 'the close frame is answered with the same code');
  assert.equal(reply.closed, true, 'the server closes the TCP connection after the close handshake');
  assert.ok(reply.ms < 2500, `closed after ${reply.ms} ms`);
});

test('frames that break RFC 6455 close with its codes', async () => {
  const cases = [
    ['an unmasked frame', frame(0x1, '{"op":1,"d":null}', { masked: false }), 1002],
    ['a reserved opcode', frame(0x3, 'x'), 1002],
    ['a fragmented ping', frame(0x9, 'x', { fin: false }), 1002],
    ['a continuation without a message', frame(0x0, 'x'), 1002],
    ['text that is not UTF-8', frame(0x1, Buffer.from([0x7b, 0xc3, 0x28, 0x7d])), 1007],
    ['a message over the limit, across fragments', Buffer.concat([frame(0x1, 'a'.repeat(600), { fin: false }),
      frame(0x0, 'b'.repeat(600))]), 1009],
    ['a close code no one may send', closeFrame(1005), 1002],
  ];
  for (const [what, bytes, code] of cases) {
    const reply = await rawExchange(server.port, [upgrade(), { delay: 50 }, bytes], { timeoutMs: 7000 });
    const { frames } = framesOf(reply.text);
    const close = frames.find((f) => f.opcode === 0x8);
    assert.ok(close, `${what}: a close frame`);
    assert.equal(close.code, code, what);
    assert.equal(reply.closed, true, `${what}: the connection ends`);
  }
});

test('a client close frame without a code gets an empty close back', async () => {
  const reply = await rawExchange(server.port, [upgrade(), { delay: 50 }, frame(0x8, '')], { timeoutMs: 3000 });
  const { frames } = framesOf(reply.text);
  const close = frames.find((f) => f.opcode === 0x8);
  assert.ok(close);
  assert.equal(close.payload.length, 0);
  assert.equal(reply.closed, true);
});

test('twenty frames in one packet are each answered, whole and in order', async () => {
  const heartbeats = Array.from({ length: 20 }, () => frame(0x1, JSON.stringify({ op: 1, d: null })));
  const reply = await rawExchange(server.port, [Buffer.concat([Buffer.from(upgrade()), ...heartbeats])], {
    timeoutMs: 800,
  });
  const { frames } = framesOf(reply.text);
  assert.deepEqual(opsOf(frames), [10, ...Array(20).fill(11)]);
});

test('a client that stops reading is closed with 4000 past the queue limit; what it got is whole and in order, and RESUME brings the rest', async () => {
  const owner = await registerUser(server, 'slow');
  const guild = (await owner.call('POST', '/guilds', { name: 'Backlog' })).body;
  const general = (await owner.call('GET', `/guilds/${guild.id}/channels`)).body.find((c) => c.name === 'general');

  /** An identified (or resumed) connection collecting dispatches. */
  function open(first) {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/gateway`);
    const dispatches = [];
    const sequences = []; // of every dispatch after READY, RESUMED included
    const closed = new Promise((resolve) => socket.on('close', (code) => resolve(code)));
    const started = new Promise((resolve, reject) => {
      socket.on('message', (raw) => {
        const frame = JSON.parse(raw.toString());
        if (frame.op === 10) socket.send(JSON.stringify(first));
        if (frame.op === 9) reject(new Error(`INVALID_SESSION after ${dispatches.length} dispatches`));
        if (frame.op !== 0) return;
        if (frame.t !== 'READY') sequences.push(frame.s);
        if (frame.t === 'READY' || frame.t === 'RESUMED') resolve(frame);
        else dispatches.push(frame);
      });
      socket.on('close', (code) => reject(new Error(`closed with ${code} after ${dispatches.length} dispatches`)));
    });
    return { socket, dispatches, sequences, closed, started };
  }

  const live = open({ op: 2, d: { token: owner.token, properties: {} } });
  const ready = await live.started;
  live.socket._socket.pause(); // the client stops reading: the kernel's buffers fill, then ours

  // 1,300 messages of 4 KB (5.2 MB): more than loopback's socket buffers (4 MiB at most for the
  // sender, 128 KiB for a receiver that does not read) and the 64 KiB limit, with few posts left
  // after the overflow: the client must start reading within the 5 s the close handshake has.
  const total = 1300;
  const posted = new Set();
  for (let i = 0; i < total; i += 50) {
    const answers = await Promise.all(Array.from({ length: Math.min(50, total - i) }, (_, k) =>
      owner.call('POST', `/channels/${general.id}/messages`, { content: `${i + k} ${'x'.repeat(3990)}` })));
    for (const answer of answers) {
      assert.equal(answer.status, 200, answer.text);
      posted.add(answer.body.id);
    }
  }
  live.socket._socket.resume();
  assert.equal(await live.closed, 4000, 'closed as resumable once the queue passed its limit');

  // What arrived before the close: whole frames, consecutive sequence numbers, no repeats.
  const got = live.dispatches.filter((d) => d.t === 'MESSAGE_CREATE');
  assert.ok(got.length > 0 && got.length < total, `${got.length} of ${total} before the close`);
  live.dispatches.forEach((d, i) => assert.equal(d.s, ready.s + 1 + i, 'sequence without gaps'));
  assert.ok(got.every((d) => d.d.content.length === 3990 + d.d.content.indexOf(' ') + 1));

  // RESUME from the last sequence received: the rest, exactly once, then RESUMED.
  const last = live.dispatches.at(-1).s;
  const resumed = open({ op: 6, d: { token: owner.token, session_id: ready.d.session_id, seq: last } });
  await resumed.started;
  // Replayed or, for the last few still being delivered at the close, live after RESUMED.
  const have = () => got.length + resumed.dispatches.filter((d) => d.t === 'MESSAGE_CREATE').length;
  for (let waited = 0; have() < total && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  const rest = resumed.dispatches.filter((d) => d.t === 'MESSAGE_CREATE');
  // RESUMED takes its number after the replay; a message whose delivery was still on its way
  // comes live after it, with the next one.
  resumed.sequences.forEach((s, i) => assert.equal(s, last + 1 + i, 'the replay continues the sequence'));
  const ids = [...got, ...rest].map((d) => d.d.id);
  assert.equal(new Set(ids).size, ids.length, 'no message twice');
  assert.deepEqual(new Set(ids), posted, 'every posted message, across the close');
  resumed.socket.close();
  await resumed.closed;
});
