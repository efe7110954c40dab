// Several hearthd nodes (--redis) on one database behind HAProxy, as an operator runs them: a
// change made through one node reaches gateway clients on every other node, ended sessions close
// connections on every node, and losing Redis costs events but not the REST API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startHearthd, createDatabase, dropDatabase, runHearthdToExit } from '../support/hearthd.mjs';
import { registerUser } from '../support/users.mjs';

const dir = mkdtempSync(join(tmpdir(), 'hearth-cluster-'));
const redisSocket = join(dir, 'redis.sock');
const redisUrl = `unix://${redisSocket}`;
let redis;
let proxy;
let proxyPort;
let db;
let nodes = [];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, check, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A private redis-server on a unix socket only; resolves once it answers. */
async function startRedis() {
  const child = spawn('redis-server', ['--port', '0', '--unixsocket', redisSocket, '--unixsocketperm', '700',
    '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  child.stdout.on('data', (chunk) => (logs += chunk));
  child.stderr.on('data', (chunk) => (logs += chunk));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await until('redis-server', () => {
    if (child.exitCode !== null) throw new Error(`redis-server exited:\n${logs}`);
    try {
      return execFileSync('redis-cli', ['-s', redisSocket, 'ping'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
        .trim() === 'PONG';
    } catch {
      return false;
    }
  });
  return { child, exited };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** HAProxy in front of the nodes: round robin, health checks on /healthz, WebSockets tunnelled. */
async function startProxy() {
  proxyPort = await freePort();
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
    `  bind 127.0.0.1:${proxyPort}`,
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
      return (await fetch(`http://127.0.0.1:${proxyPort}/healthz`)).status === 200;
    } catch {
      return false;
    }
  });
  return { child, exited, logs: () => logs };
}

before(async () => {
  redis = await startRedis();
  db = createDatabase();
  // One signing key for all (the first node creates it), so a token works on every node.
  const args = ['--redis', redisUrl, '--jwt-key-file', join(dir, 'jwt.key'), '--auth-requests-per-minute', '10000'];
  // The first node migrates the database and makes the key; the others start on them together.
  nodes.push(await startHearthd({ db, args: [...args, '--worker-id', '1'] }));
  nodes.push(...await Promise.all([2, 3].map((id) => startHearthd({ db, args: [...args, '--worker-id', String(id)] }))));
  proxy = await startProxy();
});

after(async () => {
  proxy?.child.kill('SIGTERM');
  await proxy?.exited;
  for (const node of nodes) {
    const { code } = await node.stop();
    assert.equal(code, 0, node.logs());
  }
  redis?.child.kill('SIGTERM');
  await redis?.exited;
  if (db) dropDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

/** An identified gateway connection to `port` (a node or the proxy), collecting dispatches. */
function connect(port, token) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/gateway`);
  const events = [];
  const closed = new Promise((resolve) => socket.on('close', (code) => resolve(code)));
  const ready = new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('close', (code) => reject(new Error(`closed with ${code} before READY`)));
    socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      if (frame.op === 10) socket.send(JSON.stringify({ op: 2, d: { token, properties: {} } }));
      if (frame.op !== 0) return;
      if (frame.t === 'READY') return resolve(frame.d);
      events.push(frame);
    });
  });
  return {
    ready,
    closed,
    events,
    next: (what, predicate, timeoutMs = 5000) =>
      until(`${what} on port ${port} (got ${events.map((e) => e.t).join(', ') || 'nothing'})`,
        () => events.find(predicate), timeoutMs),
    count: (predicate) => events.filter(predicate).length,
    close: () => socket.close(),
  };
}

const metricsOf = async (node) => (await fetch(`${node.url}/metrics`)).text();

test('a message posted on one node reaches gateway clients on the others and through HAProxy', async () => {
  const [one, two, three] = nodes;
  const owner = await registerUser(one, 'owner');
  const member = await registerUser(two, 'member');
  const guild = (await owner.call('POST', '/guilds', { name: 'Cluster' })).body;
  const general = (await owner.call('GET', `/guilds/${guild.id}/channels`)).body.find((c) => c.name === 'general');
  const invite = (await owner.call('POST', `/channels/${general.id}/invites`, {})).body;
  assert.equal((await member.call('POST', `/invites/${invite.code}`)).status, 200);

  const ownerOnTwo = connect(two.port, owner.token);
  const memberOnThree = connect(three.port, member.token);
  const memberViaProxy = connect(proxyPort, member.token);
  for (const client of [ownerOnTwo, memberOnThree, memberViaProxy]) {
    const ready = await client.ready;
    assert.deepEqual(ready.guilds.map((g) => g.id), [guild.id]);
  }

  // Made through node 1: a channel, then a message in it.
  const created = await owner.call('POST', `/guilds/${guild.id}/channels`, { name: 'across-nodes' });
  assert.equal(created.status, 201, created.text);
  for (const client of [ownerOnTwo, memberOnThree, memberViaProxy]) {
    const event = await client.next('CHANNEL_CREATE', (e) => e.t === 'CHANNEL_CREATE' && e.d.id === created.body.id);
    assert.equal(event.d.name, 'across-nodes');
  }
  const sent = await owner.call('POST', `/channels/${created.body.id}/messages`, { content: 'hello from node 1' });
  assert.equal(sent.status, 200, sent.text);
  for (const client of [ownerOnTwo, memberOnThree, memberViaProxy]) {
    const event = await client.next('MESSAGE_CREATE', (e) => e.t === 'MESSAGE_CREATE' && e.d.id === sent.body.id);
    assert.equal(event.d.content, 'hello from node 1');
    assert.equal(event.d.author.id, owner.id);
  }
  // Exactly once each, in the order of the changes.
  await sleep(300);
  for (const client of [ownerOnTwo, memberOnThree, memberViaProxy]) {
    assert.equal(client.count((e) => e.t === 'MESSAGE_CREATE' && e.d.id === sent.body.id), 1);
    const order = client.events.map((e) => e.t).filter((t) => t === 'CHANNEL_CREATE' || t === 'MESSAGE_CREATE');
    assert.deepEqual(order, ['CHANNEL_CREATE', 'MESSAGE_CREATE']);
  }
  const metrics = await metricsOf(one);
  assert.match(metrics, /hearth_bus_events_published_total [1-9]/);
  assert.match(metrics, /hearth_bus_redis_up 1/);
  assert.match(await metricsOf(three), /hearth_bus_events_received_total [1-9]/);
  for (const client of [ownerOnTwo, memberOnThree, memberViaProxy]) client.close();
});

test('logging out everywhere on one node closes the connections on every node', async () => {
  const [one, two, three] = nodes;
  const user = await registerUser(one, 'roamer');
  const onTwo = connect(two.port, user.token);
  const onThree = connect(three.port, user.token);
  await Promise.all([onTwo.ready, onThree.ready]);
  assert.equal((await user.call('POST', '/auth/logout-all', {})).status, 204);
  assert.equal(await onTwo.closed, 4004);
  assert.equal(await onThree.closed, 4004);
});

test('without Redis the nodes still serve REST and say so; when it is back, events flow again', async () => {
  const [one, two, three] = nodes;
  const owner = await registerUser(one, 'owner');
  const guild = (await owner.call('POST', '/guilds', { name: 'Outage' })).body;
  const general = (await owner.call('GET', `/guilds/${guild.id}/channels`)).body.find((c) => c.name === 'general');
  const watcher = connect(three.port, owner.token);
  await watcher.ready;

  redis.child.kill('SIGKILL');
  await redis.exited;
  for (const node of nodes) {
    await until('the lost connection in the log', () => /event bus \(subscriber\): connection to .* lost/.test(node.logs()));
    assert.equal((await fetch(`${node.url}/healthz`)).status, 200);
  }
  const me = await owner.call('GET', '/users/@me');
  assert.equal(me.status, 200);
  const channels = await owner.call('GET', `/guilds/${guild.id}/channels`);
  assert.equal(channels.status, 200);
  const during = await owner.call('POST', `/channels/${general.id}/messages`, { content: 'while Redis is down' });
  assert.equal(during.status, 200, 'the message is stored; only its event is lost');
  await until('hearth_bus_redis_up 0', async () => /hearth_bus_redis_up 0/.test(await metricsOf(two)));
  await until('the dropped event in the log',
    () => /event bus: an event was not published/.test(one.logs()), 5000);

  redis = await startRedis();
  for (const node of nodes) {
    await until('the subscription back', async () => /hearth_bus_resubscriptions_total 1/.test(await metricsOf(node)));
  }
  await until('node 1 publishing again', async () => /hearth_bus_redis_up 1/.test(await metricsOf(one)));
  const after = await owner.call('POST', `/channels/${general.id}/messages`, { content: 'Redis is back' });
  assert.equal(after.status, 200);
  const event = await watcher.next('MESSAGE_CREATE after the restart',
    (e) => e.t === 'MESSAGE_CREATE' && e.d.id === after.body.id);
  assert.equal(event.d.content, 'Redis is back');
  assert.equal(watcher.events.filter((e) => e.t === 'MESSAGE_CREATE' && e.d.id === during.body.id).length, 0,
    'pub/sub is at-most-once: the event published during the outage is gone');
  watcher.close();
});

test('hearthd refuses to start when Redis does not answer, or the URL is wrong', async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'hearthd-noredis-'));
  try {
    const missing = await runHearthdToExit(['--data-dir', scratch, '--redis', `unix://${scratch}/none.sock`], db);
    assert.equal(missing.code, 1, missing.logs);
    assert.match(missing.logs, /event bus: Redis at unix:\/\/.*none\.sock did not answer within 3000 ms; not starting/);
    assert.match(missing.logs, /No such file or directory/, 'the reason is in the log');
    const wrong = await runHearthdToExit(['--data-dir', scratch, '--redis', 'localhost:6379'], db);
    assert.equal(wrong.code, 2, wrong.logs);
    assert.match(wrong.logs, /--redis: bad Redis URL/);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
