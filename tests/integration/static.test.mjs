// Serving the web client: types, caching, revalidation, SPA fallback and what is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHearthd } from '../support/hearthd.mjs';
import { rawExchange } from './raw.mjs';

let server;
let root;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'hearth-web-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Hearth</title><div id="app"></div>');
  writeFileSync(join(root, 'assets', 'index-3f2a9c.js'), 'console.log("hearth")');
  writeFileSync(join(root, 'assets', 'index-77aa00.css'), 'body{margin:0}');
  writeFileSync(join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(root, 'assets', 'vendor-9d8e7f.js'), 'export const greeting = "hello hearth";\n'.repeat(500));
  server = await startHearthd({ webRoot: root });
});
after(async () => {
  assert.equal((await server.stop()).code, 0);
  rmSync(root, { recursive: true, force: true });
});

test('index.html is served for / with no-cache and an ETag', async () => {
  const response = await fetch(`${server.url}/`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(response.headers.get('cache-control'), 'no-cache');
  assert.match(await response.text(), /<title>Hearth<\/title>/);
  const etag = response.headers.get('etag');
  assert.ok(etag);
  const again = await fetch(`${server.url}/`, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal(await again.text(), '');
});

test('hashed assets are cached for a year with the right types', async () => {
  const js = await fetch(`${server.url}/assets/index-3f2a9c.js`);
  assert.equal(js.status, 200);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(await js.text(), 'console.log("hearth")');
  const css = await fetch(`${server.url}/assets/index-77aa00.css`);
  assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
  const svg = await fetch(`${server.url}/favicon.svg`);
  assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
  assert.equal(svg.headers.get('x-content-type-options'), 'nosniff');
});

test('client routes fall back to index.html; missing files are 404', async () => {
  for (const path of ['/app', '/app/123/456', '/login', '/invite/abc']) {
    const response = await fetch(`${server.url}${path}`);
    assert.equal(response.status, 200, path);
    assert.match(await response.text(), /<div id="app">/);
  }
  const missing = await fetch(`${server.url}/assets/gone-123.js`);
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).code, 90001);
});

test('text assets are sent gzipped to clients that accept it, intact after decoding', async () => {
  const expected = 'export const greeting = "hello hearth";\n'.repeat(500);
  const gzipped = await fetch(`${server.url}/assets/vendor-9d8e7f.js`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(gzipped.headers.get('content-encoding'), 'gzip');
  assert.equal(gzipped.headers.get('vary'), 'Accept-Encoding');
  assert.equal(await gzipped.text(), expected, 'fetch decodes it back to the file');
  const raw = await rawExchange(server.port, [
    'GET /assets/vendor-9d8e7f.js HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n',
  ]);
  const length = Number(/content-length: (\d+)/i.exec(raw.text)[1]);
  assert.ok(length < expected.length / 10, `compressed to ${length} of ${expected.length} bytes`);
  const plain = await fetch(`${server.url}/assets/vendor-9d8e7f.js`, { headers: { 'accept-encoding': 'identity' } });
  assert.equal(plain.headers.get('content-encoding'), null);
  assert.equal(await plain.text(), expected);
});

test('HEAD gives the length without a body', async () => {
  const response = await fetch(`${server.url}/assets/index-3f2a9c.js`, { method: 'HEAD' });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-length'), String('console.log("hearth")'.length));
  assert.equal(await response.text(), '');
});

test('traversal and encoded tricks never reach the file system', async () => {
  for (const target of ['/../../etc/passwd', '/..%2f..%2fetc%2fpasswd', '/assets/%2e%2e/%2e%2e/etc/hosts']) {
    const reply = await rawExchange(server.port, [`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
    assert.ok([400, 404].includes(reply.status) || /<div id="app">/.test(reply.text), `${target}: ${reply.status}`);
    assert.doesNotMatch(reply.text, /root:/);
  }
  const broken = await rawExchange(server.port, ['GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
  assert.equal(broken.status, 400);
});

test('POST to a page path is 404 JSON, not the SPA', async () => {
  const response = await fetch(`${server.url}/app`, { method: 'POST' });
  assert.equal(response.status, 404);
  assert.equal((await response.json()).code, 90001);
});
