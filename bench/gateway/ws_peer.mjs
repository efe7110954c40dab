// The Node peer of the gateway benchmarks (bench/README.md): a `ws` 8 server that plays the
// gateway's first steps (HELLO, READY on IDENTIFY, HEARTBEAT_ACK) for the same load generator,
// and on `POST /broadcast` sends the posted dispatch, serialised once by the poster, to every
// identified client (`ws` frames it per client around the one shared Buffer).
//   node bench/gateway/ws_peer.mjs PORT [PORT_FILE]   (PORT 0 picks a free one, written to PORT_FILE)
// `ws` comes from the tests' package set (tests/package.json already depends on it).
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../tests/package.json', import.meta.url));
const { WebSocketServer } = require('ws');

const [port, portFile] = [Number(process.argv[2]), process.argv[3]];
const hello = '{"op":10,"d":{"heartbeat_interval":41250},"s":null,"t":null}';
const ack = '{"op":11,"d":null,"s":null,"t":null}';
const identified = new Set();

const server = http.createServer((request, response) => {
  if (request.method === 'POST' && request.url === '/broadcast') {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const frame = Buffer.concat(chunks);
      for (const client of identified) client.send(frame, { binary: false });
      response.writeHead(204).end();
    });
    return;
  }
  if (request.url === '/healthz') {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  response.writeHead(404).end();
});

const gateway = new WebSocketServer({
  server,
  path: '/api/v1/gateway',
  perMessageDeflate: false,
  clientTracking: false,
  maxPayload: 64 * 1024,
});
gateway.on('connection', (socket) => {
  socket.send(hello);
  socket.on('message', (data) => {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      socket.close(4002, 'decode error');
      return;
    }
    if (frame.op === 1) {
      socket.send(ack);
    } else if (frame.op === 2 && !identified.has(socket)) {
      const sessionId = randomBytes(16).toString('hex');
      socket.send(JSON.stringify({ op: 0, s: 1, t: 'READY', d: { v: 10, session_id: sessionId } }));
      identified.add(socket);
    }
  });
  socket.on('close', () => identified.delete(socket));
  socket.on('error', () => identified.delete(socket));
});

server.listen(port, '127.0.0.1', () => {
  if (portFile) writeFileSync(portFile, `${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
