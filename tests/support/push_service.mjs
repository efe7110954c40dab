// A local HTTP server playing a Web Push service (RFC 8030) for tests, and the user agent's
// half of the cryptography: subscription keys, VAPID (RFC 8292) checks and RFC 8291 decryption
// with node:crypto. hearthd must run with --push-allow-insecure-loopback to send to it.
import http from 'node:http';
import assert from 'node:assert/strict';
import { createECDH, createPublicKey, createDecipheriv, hkdfSync, randomBytes, verify } from 'node:crypto';

const b64url = (buffer) => Buffer.from(buffer).toString('base64url');

/** A browser's subscription keys: a P-256 key pair and a 16-byte auth secret. */
export function subscriptionKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return { ecdh, auth, json: { p256dh: b64url(ecdh.getPublicKey()), auth: b64url(auth) } };
}

/** RFC 8291 + RFC 8188 (aes128gcm, one record): the plaintext of a push body. */
export function decryptPush(body, ecdh, auth) {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20];
  const senderPublic = body.subarray(21, 21 + idLength);
  const record = body.subarray(21 + idLength);
  assert.ok(record.length <= recordSize, 'one record');
  const receiverPublic = ecdh.getPublicKey();
  const shared = ecdh.computeSecret(senderPublic);
  const info = (label, ...parts) => Buffer.concat([Buffer.from(`${label}\0`), ...parts]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, auth, info('WebPush: info', receiverPublic, senderPublic), 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, info('Content-Encoding: aes128gcm'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, info('Content-Encoding: nonce'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const plain = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  let end = plain.length;
  while (end > 0 && plain[end - 1] === 0) end -= 1;
  assert.equal(plain[end - 1], 2, 'the last record ends with the 0x02 delimiter');
  return plain.subarray(0, end - 1).toString('utf8');
}

/**
 * Checks `Authorization: vapid t=<jwt>, k=<key>`: the key is `expectedKey`, the ES256
 * signature verifies with it, aud is `origin`, exp is in the future and at most 24 h away, sub
 * is a mailto: or https: contact. Returns the claims.
 */
export function checkVapid(authorization, expectedKey, origin) {
  const match = /^vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+), k=([A-Za-z0-9_-]+)$/.exec(authorization ?? '');
  assert.ok(match, `Authorization: ${authorization}`);
  const [, jwt, key] = match;
  assert.equal(key, expectedKey, 'k= is the server key');
  const raw = Buffer.from(key, 'base64url');
  assert.equal(raw.length, 65);
  const publicKey = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: b64url(raw.subarray(1, 33)), y: b64url(raw.subarray(33)) },
    format: 'jwk',
  });
  const [header, claims, signature] = jwt.split('.');
  assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url')), { typ: 'JWT', alg: 'ES256' });
  const signed = verify('sha256', Buffer.from(`${header}.${claims}`), { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'));
  assert.ok(signed, 'the VAPID JWT verifies with k=');
  const decoded = JSON.parse(Buffer.from(claims, 'base64url'));
  assert.equal(decoded.aud, origin);
  const now = Date.now() / 1000;
  assert.ok(decoded.exp > now && decoded.exp <= now + 24 * 3600, `exp ${decoded.exp}`);
  assert.match(decoded.sub, /^(mailto:|https:)/);
  return decoded;
}

/**
 * Starts the push service on 127.0.0.1. Every POST is recorded as {path, headers, body}; the
 * answer is 201 unless `statusFor[path]` says otherwise. `next(path)` waits for the next
 * request to that path.
 */
export async function startPushService() {
  const received = [];
  const statusFor = {};
  const waiters = [];
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { path: request.url, method: request.method, headers: request.headers, body: Buffer.concat(chunks) };
      received.push(entry);
      response.writeHead(statusFor[request.url] ?? 201).end();
      for (const waiter of waiters.splice(0)) waiter();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    statusFor,
    /** Resolves with the first request to `path` after the first `skip` ones. */
    async next(path, { skip = 0, timeoutMs = 5000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = received.filter((entry) => entry.path === path);
        if (matching.length > skip) return matching[skip];
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no push to ${path} (got ${received.map((e) => e.path).join(', ')})`);
        await new Promise((resolve) => { waiters.push(resolve); setTimeout(resolve, left); });
      }
    },
    count: (path) => received.filter((entry) => entry.path === path).length,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
