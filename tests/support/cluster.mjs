// Pieces for tests that run several hearthd nodes: a private redis-server, HAProxy in front of
// the nodes, and a gateway client that heartbeats and RESUMEs (on another node when its own is
// gone), as a real client does.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createDatabase, dropDatabase, startHearthd } from './hearthd.mjs';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns something truthy; throws after `timeoutMs`. */
export async function until(what, check, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A private redis-server on a unix socket only (no persistence); resolves once it answers. */
export async function startRedis(dir, socket) {
  const child = spawn('redis-server', ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700',
    '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  child.stdout.on('data', (chunk) => (logs += chunk));
  child.stderr.on('data', (chunk) => (logs += chunk));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await until('redis-server', () => {
    if (child.exitCode !== null) throw new Error(`redis-server exited:\n${logs}`);
    try {
      return execFileSync('redis-cli', ['-s', socket, 'ping'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
        .trim() === 'PONG';
    } catch {
      return false;
    }
  });
  return { child, exited };
}

/**
 * Three hearthd nodes (--redis) on one new database and a private Redis in `dir`, sharing one
 * signing key, with `extraArgs` each. Resolves {dir, db, nodes, redis, redisSocket, redisUrl,
 * killed, stop()}: a test may replace `redis` (a restart) and add a node it SIGKILLed to `killed`;
 * stop() stops the rest (each must exit 0), Redis, drops the database and removes `dir`.
 */
export async function startCluster(dir, extraArgs = []) {
  const redisSocket = join(dir, 'redis.sock');
  const cluster = { dir, redisSocket, redisUrl: `unix://${redisSocket}`, nodes: [], killed: new Set() };
  cluster.redis = await startRedis(dir, redisSocket);
  cluster.db = createDatabase();
  // One signing key for all (the first node creates it), so a token works on every node.
  const args = ['--redis', cluster.redisUrl, '--jwt-key-file', join(dir, 'jwt.key'), ...extraArgs];
  // The first node migrates the database and makes the key; the others start on them together.
  cluster.nodes.push(await startHearthd({ db: cluster.db, args: [...args, '--worker-id', '1'] }));
  cluster.nodes.push(...await Promise.all([2, 3].map((id) =>
    startHearthd({ db: cluster.db, args: [...args, '--worker-id', String(id)] }))));
  cluster.stop = async () => {
    for (const node of cluster.nodes) {
      if (cluster.killed.has(node)) {
        await node.stop({ keepDb: true });
        continue;
      }
      const { code, signal } = await node.stop();
      // The end of the log is what explains an unclean exit (a sanitizer report, a late error).
      assert.equal(code, 0, `node ${node.port} exited with ${code ?? signal}; its log ends:\n` +
        node.logs().split('\n').slice(-80).join('\n'));
    }
    cluster.redis.child.kill('SIGTERM');
    await cluster.redis.exited;
    dropDatabase(cluster.db);
    rmSync(dir, { recursive: true, force: true });
  };
  return cluster;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** HAProxy in front of `nodes`: round robin, health checks on /healthz, WebSockets tunnelled. */
export async function startProxy(dir, nodes) {
  const port = await freePort();
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(config, [
    'global',
    '  maxconn 512',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout tunnel 1h',
    'frontend hearth',
    `  bind 127.0.0.1:${port}`,
    '  default_backend nodes',
    'backend nodes',
    '  balance roundrobin',
    '  option httpchk',
    '  http-check send meth GET uri /healthz',
    ...nodes.map((node, idx) => `  server node${idx + 1} 127.0.0.1:${node.port} check inter 1s`),
    '',
  ].join('\n'));
  const child = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  child.stdout.on('data', (chunk) => (logs += chunk));
  child.stderr.on('data', (chunk) => (logs += chunk));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await until('haproxy', async () => {
    if (child.exitCode !== null) throw new Error(`haproxy exited:\n${logs}`);
    try {
      return (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
    } catch {
      return false;
    }
  });
  return { port, child, exited, logs: () => logs };
}

/**
 * A gateway client that stays connected: it identifies on `ports()[0]`, heartbeats at HELLO's
 * interval with its last sequence, and after a drop RESUMEs on the first port that takes a
 * connection (`ports()` is asked again each time, so a dead node can be left out). It records
 * every dispatch in `events` and every connection in `history` ({port, how: 'READY'|'RESUMED'|
 * 'INVALID_SESSION'}).
 */
export function resumingClient(token, ports) {
  const client = { events: [], history: [], seq: null, sessionId: null, closed: false, socket: null };
  let attempt = 0;
  const open = (resume) => {
    const list = ports();
    const port = list[attempt++ % list.length];
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/gateway`);
    client.socket = socket;
    let heartbeat = null;
    socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      if (frame.op === 10) {
        heartbeat = setInterval(() => socket.readyState === WebSocket.OPEN &&
          socket.send(JSON.stringify({ op: 1, d: client.seq })), frame.d.heartbeat_interval);
        if (resume) {
          socket.send(JSON.stringify({ op: 6, d: { token, session_id: client.sessionId, seq: client.seq } }));
        } else {
          socket.send(JSON.stringify({ op: 2, d: { token, properties: {} } }));
        }
        return;
      }
      if (frame.op === 9) {
        client.history.push({ port, how: 'INVALID_SESSION' });
        socket.close(1000);
        return;
      }
      if (frame.op !== 0) return;
      client.seq = frame.s;
      if (frame.t === 'READY') {
        client.sessionId = frame.d.session_id;
        client.history.push({ port, how: 'READY' });
      } else if (frame.t === 'RESUMED') {
        client.history.push({ port, how: 'RESUMED' });
      } else {
        client.events.push(frame);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(heartbeat);
      if (client.closed || client.history.at(-1)?.how === 'INVALID_SESSION') return;
      // Dropped: resume, on whichever node answers.
      setTimeout(() => open(client.sessionId !== null), 100);
    });
  };
  open(false);
  client.ready = until('READY', () => client.history.some((entry) => entry.how === 'READY'));
  client.close = () => {
    client.closed = true;
    client.socket?.close(1000);
  };
  /** The first arrival of each message, in arrival order. */
  client.messageIds = () => {
    const seen = new Set();
    const order = [];
    for (const event of client.events) {
      if (event.t !== 'MESSAGE_CREATE' || seen.has(event.d.id)) continue;
      seen.add(event.d.id);
      order.push(event.d.id);
    }
    return order;
  };
  client.copies = () => client.events.filter((event) => event.t === 'MESSAGE_CREATE').length;
  return client;
}
