// The benchmark's peer: a plain Node `http` server doing what hearthd does for the same two
// requests (a small JSON health answer, a static asset from memory, the same security headers).
//   node bench/node_peer.mjs PORT ASSET_FILE
import http from 'node:http';
import { readFileSync } from 'node:fs';

const [port, assetFile] = process.argv.slice(2);
const asset = readFileSync(assetFile);
const security = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
};
const health = Buffer.from('{"status":"ok"}');

http
  .createServer((request, response) => {
    if (request.url === '/healthz') {
      response.writeHead(200, { ...security, 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(health);
    } else if (request.url === '/asset') {
      response.writeHead(200, {
        ...security,
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'public, max-age=31536000, immutable',
      });
      response.end(asset);
    } else {
      response.writeHead(404);
      response.end();
    }
  })
  .listen(Number(port), '127.0.0.1', () => console.log(`node peer on ${port}`));
