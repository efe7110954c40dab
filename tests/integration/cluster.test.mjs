// Several hearthd nodes (--redis) on one database behind HAProxy, as an operator runs them: a
// change made through one node reaches gateway clients on every other node, a session resumes
// on another node, ended sessions close connections on every node, and losing Redis for a while
// delays events without losing them and costs nothing of the REST API. A user's presence is
// combined over their sessions on every node, and a node killed with -9 stops counting once it
// has been silent for --node-timeout-ms.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { runHearthdToExit, startHearthd } from '../support/hearthd.mjs';
import { registerUser } from '../support/users.mjs';
import { sleep, until, startCluster, startRedis, startProxy, resumingClient, freePort } from '../support/cluster.mjs';
import { decryptPush, startPushService, subscriptionKeys } from '../support/push_service.mjs';

const dir = mkdtempSync(join(tmpdir(), 'hearth-cluster-'));
let cluster;
let nodes = [];
let db;
let proxy;
let proxyPort;
const nodeTimeoutMs = 3000;
const nodeArgs = ['--auth-requests-per-minute', '10000', '--node-timeout-ms', String(nodeTimeoutMs),
  '--push-allow-insecure-loopback'];

before(async () => {
  cluster = await startCluster(dir, nodeArgs);
  ({ nodes, db } = cluster);
  proxy = await startProxy(dir, nodes);
  proxyPort = proxy.port;
});

after(async () => {
  proxy?.child.kill('SIGTERM');
  await proxy?.exited;
  await cluster?.stop();
});

/** An identified gateway connection to `port` (a node or the proxy), collecting dispatches. */
function connect(port, token, presence = undefined) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/gateway`);
  const events = [];
  const closed = new Promise((resolve) => socket.on('close', (code) => resolve(code)));
  const ready = new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('close', (code) => reject(new Error(`closed with ${code} before READY`)));
    socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      if (frame.op === 10) socket.send(JSON.stringify({ op: 2, d: { token, properties: {}, presence } }));
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
    closeWith: (code) => socket.close(code),
    send: (frame) => socket.send(JSON.stringify(frame)),
  };
}

/** A server of `owner`'s that each of `members` joins through an invite; with its general channel. */
async function serverWith(owner, name, members) {
  const guild = (await owner.call('POST', '/guilds', { name })).body;
  const general = (await owner.call('GET', `/guilds/${guild.id}/channels`)).body.find((c) => c.name === 'general');
  const invite = (await owner.call('POST', `/channels/${general.id}/invites`, {})).body;
  for (const member of members) assert.equal((await member.call('POST', `/invites/${invite.code}`)).status, 200);
  return { guild, general };
}

const metricsOf = async (node) => (await fetch(`${node.url}/metrics`)).text();

test('a message posted on one node reaches gateway clients on the others and through HAProxy', async () => {
  const [one, two, three] = nodes;
  const owner = await registerUser(one, 'owner');
  const member = await registerUser(two, 'member');
  const { guild, general } = await serverWith(owner, 'Cluster', [member]);

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

test('Web Push: a session in the foreground on one node holds back pushes sent from another', async () => {
  const [one, two] = nodes;
  const service = await startPushService();
  try {
    const ada = await registerUser(one, 'pusher');
    const bob = await registerUser(two, 'pushed');
    const cat = await registerUser(two, 'marker');
    const { general } = await serverWith(ada, 'Push', [bob, cat]);
    const keys = subscriptionKeys();
    for (const [user, path] of [[bob, '/bob'], [cat, '/cat']]) {
      const subscribed = await user.call('POST', '/users/@me/push-subscriptions', {
        endpoint: `${service.origin}${path}`, keys: keys.json,
      });
      assert.equal(subscribed.status, 201, subscribed.text);
    }
    // Bob in front on node two; Ada's node learns his presence (PRESENCE_UPDATE there).
    const watcher = connect(one.port, ada.token);
    await watcher.ready;
    const bobLive = connect(two.port, bob.token);
    await bobLive.ready;
    await watcher.next('Bob online', (e) => e.t === 'PRESENCE_UPDATE' && e.d.user.id === bob.id);
    const held = (await ada.call('POST', `/channels/${general.id}/messages`, {
      content: `<@${bob.id}> <@${cat.id}> in front`,
    })).body;
    // Cat (no session) is pushed by the same decision: once hers arrives, Bob's was decided.
    await service.next('/cat');
    // Bob's tab goes to the background: node one hears it through the stream, then pushes.
    bobLive.send({ op: 3, d: { since: Date.now(), activities: [], status: 'online', afk: true } });
    for (let attempt = 0; service.count('/bob') === 0; attempt += 1) {
      assert.ok(attempt < 50, 'a push once Bob is afk');
      await ada.call('POST', `/channels/${general.id}/messages`, { content: `<@${bob.id}> away?` });
      await sleep(100);
    }
    const first = await service.next('/bob');
    const payload = JSON.parse(decryptPush(first.body, keys.ecdh, keys.auth));
    assert.notEqual(payload.message_id, held.id);
    const toBob = service.received.filter((r) => r.path === '/bob');
    assert.ok(toBob.every((r) => JSON.parse(decryptPush(r.body, keys.ecdh, keys.auth)).message_id !== held.id),
      'nothing for the mention made while Bob was in front on another node');
    watcher.close();
    bobLive.close();
  } finally {
    await service.close();
  }
});

test('a change of standing made through one node holds for the very next send on another', async () => {
  // No node may answer a send from what it saw before a change committed elsewhere (a node-local
  // cache fed by the bus would, while the change is still on its way).
  const [one, two] = nodes;
  const owner = await registerUser(one, 'owner');
  const member = await registerUser(one, 'member');
  const { guild, general } = await serverWith(owner, 'Standing', [member]);
  const SEND_MESSAGES = String(1n << 11n);
  const sendOnTwo = async () => {
    const answer = await fetch(`${two.url}/api/v1/channels/${general.id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${member.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'from node 2' }),
    });
    return answer.status;
  };
  assert.equal(await sendOnTwo(), 200);
  const everyoneDeny = await owner.call('PUT', `/channels/${general.id}/permissions/${guild.id}`,
    { type: 0, allow: '0', deny: SEND_MESSAGES });
  assert.equal(everyoneDeny.status, 204, everyoneDeny.text);
  assert.equal(await sendOnTwo(), 403, 'an overwrite denying @everyone');
  const speakers = (await owner.call('POST', `/guilds/${guild.id}/roles`, { name: 'speakers', permissions: '0' })).body;
  assert.equal((await owner.call('PUT', `/channels/${general.id}/permissions/${speakers.id}`,
    { type: 0, allow: SEND_MESSAGES, deny: '0' })).status, 204);
  assert.equal(await sendOnTwo(), 403, 'a role the member does not have yet');
  assert.equal((await owner.call('PUT', `/guilds/${guild.id}/members/${member.id}/roles/${speakers.id}`)).status, 204);
  assert.equal(await sendOnTwo(), 200, 'the role given');
  assert.equal((await owner.call('DELETE', `/guilds/${guild.id}/members/${member.id}/roles/${speakers.id}`)).status, 204);
  assert.equal(await sendOnTwo(), 403, 'the role taken away');
  assert.equal((await owner.call('PUT', `/channels/${general.id}/permissions/${member.id}`,
    { type: 1, allow: SEND_MESSAGES, deny: '0' })).status, 204);
  assert.equal(await sendOnTwo(), 200, 'an overwrite for the member');
  const until = new Date(Date.now() + 3600_000).toISOString();
  assert.equal((await owner.call('PATCH', `/guilds/${guild.id}/members/${member.id}`,
    { communication_disabled_until: until })).status, 200);
  assert.equal(await sendOnTwo(), 403, 'timed out');
  assert.equal((await owner.call('PATCH', `/guilds/${guild.id}/members/${member.id}`,
    { communication_disabled_until: null })).status, 200);
  assert.equal(await sendOnTwo(), 200, 'the timeout lifted');
  assert.equal((await owner.call('DELETE', `/guilds/${guild.id}/members/${member.id}`)).status, 204);
  assert.equal(await sendOnTwo(), 404, 'removed from the server');
  assert.equal((await member.call('POST', '/auth/logout-all', {})).status, 204);
  assert.equal(await sendOnTwo(), 401, 'signed out everywhere');
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

test('a session resumes on another node: what it missed, in order, then RESUMED; the old node lets go', async () => {
  const [one, two, three] = nodes;
  const owner = await registerUser(one, 'owner');
  const guild = (await owner.call('POST', '/guilds', { name: 'Roaming' })).body;
  const general = (await owner.call('GET', `/guilds/${guild.id}/channels`)).body.find((c) => c.name === 'general');
  // A client on node 2 that will resume on node 3.
  let port = two.port;
  const client = resumingClient(owner.token, () => [port]);
  await client.ready;
  const before = await owner.call('POST', `/channels/${general.id}/messages`, { content: 'before the move' });
  await until('the first message', () => client.messageIds().includes(before.body.id));
  // The connection drops (no close frame): then three messages while it is away.
  port = three.port;
  client.socket.terminate();
  const missed = [];
  for (const content of ['one', 'two', 'three']) {
    missed.push((await owner.call('POST', `/channels/${general.id}/messages`, { content })).body.id);
  }
  await until('RESUMED on node 3', () => client.history.some((entry) => entry.how === 'RESUMED'));
  assert.deepEqual(client.history.map((entry) => `${entry.how}@${entry.port}`),
    [`READY@${two.port}`, `RESUMED@${three.port}`]);
  await until('the missed messages', () => missed.every((id) => client.messageIds().includes(id)));
  assert.deepEqual(client.messageIds(), [before.body.id, ...missed], 'each once, in channel order');
  // Live again through node 3.
  const after = await owner.call('POST', `/channels/${general.id}/messages`, { content: 'after' });
  await until('a live message after the resume', () => client.messageIds().includes(after.body.id));
  assert.match(three.logs(), /resumed from another node/);
  client.close();
});

test('a session resuming on another node hears of the presence changes it missed', async () => {
  const [one, two, three] = nodes;
  const owner = await registerUser(one, 'roamer');
  const changer = await registerUser(one, 'changer');
  const { guild } = await serverWith(owner, 'Missed presence', [changer]);
  let ports = [two.port];
  const client = resumingClient(owner.token, () => ports);
  await client.ready;
  // Away (its reconnects find nobody listening) while the other member comes online, dnd.
  ports = [await freePort()];
  client.socket.terminate();
  const changerOnOne = connect(one.port, changer.token, { status: 'dnd', since: null, activities: [], afk: false });
  await changerOnOne.ready;
  await sleep(500); // the change is in the stream
  ports = [three.port];
  await until('RESUMED on node 3', () => client.history.some((entry) => entry.how === 'RESUMED'), 10000);
  // Presence is not an event of the stream: node 3 tells it with the replay, as it is now.
  const updates = client.events.filter((e) => e.t === 'PRESENCE_UPDATE' && e.d.user.id === changer.id);
  assert.deepEqual(updates.map((e) => [e.d.status, e.d.guild_id]), [['dnd', guild.id]]);
  changerOnOne.close();
  client.close();
});

test('presence is combined over a user\'s sessions on every node; a node killed with -9 stops counting', async () => {
  const [one, two, three] = nodes;
  const owner = await registerUser(one, 'watcher');
  const subject = await registerUser(two, 'subject');
  await serverWith(owner, 'Presence', [subject]);
  const watcher = connect(one.port, owner.token);
  await watcher.ready;
  const updates = () => watcher.events.filter((e) => e.t === 'PRESENCE_UPDATE' && e.d.user.id === subject.id);
  // Counted before the step that causes the change: the update can arrive before that step's
  // own answer (READY on another node) does.
  const expectNext = () => {
    const seen = updates().length;
    return async (status) => {
      await until(`PRESENCE_UPDATE ${status} (got ${updates().map((e) => e.d.status).join(', ')})`,
        () => updates().length > seen, 10000);
      assert.equal(updates().at(-1).d.status, status);
      assert.equal(updates().length, seen + 1, 'one update per change, not one per node');
    };
  };

  let next = expectNext();
  const onTwo = connect(two.port, subject.token);
  await onTwo.ready;
  await next('online');
  next = expectNext();
  const onThree = connect(three.port, subject.token, { status: 'dnd', since: null, activities: [], afk: false });
  await onThree.ready;
  await next('dnd');
  // READY on a third node carries the presence two other nodes hold.
  const late = connect(three.port, owner.token);
  const ready = await late.ready;
  assert.deepEqual(ready.presences.filter((p) => p.user.id === subject.id).map((p) => p.status), ['dnd']);
  late.close();
  // Node 3's session ends: node 2's still counts, so online (never offline).
  next = expectNext();
  onThree.closeWith(1000);
  await next('online');
  next = expectNext();
  onTwo.closeWith(1000);
  await next('offline');

  // A fourth node, killed with -9 while the subject is idle there: the others end its presence.
  const four = await startHearthd({ db, args: ['--redis', cluster.redisUrl, '--jwt-key-file', join(dir, 'jwt.key'),
    ...nodeArgs, '--worker-id', '4'] });
  next = expectNext();
  const onFour = connect(four.port, subject.token, { status: 'idle', since: 1, activities: [], afk: true });
  await onFour.ready;
  await next('idle');
  next = expectNext();
  const killedAt = Date.now();
  four.child.kill('SIGKILL');
  await four.stop({ keepDb: true });
  await next('offline');
  const tookMs = Date.now() - killedAt;
  assert.ok(tookMs >= nodeTimeoutMs - 500 && tookMs < 3 * nodeTimeoutMs, `offline after ${tookMs} ms`);
  assert.match(one.logs() + two.logs() + three.logs(), /said nothing for 3000 ms: taken for gone/);
  await sleep(500);
  assert.deepEqual(updates().map((e) => e.d.status), ['online', 'dnd', 'online', 'offline', 'idle', 'offline']);
  watcher.close();
});

test('a node that stops says goodbye: its users read offline on the others at once, and stay so', async () => {
  // Stopping, the node says goodbye on the stream and reads its own goodbye back. That is no
  // news (it once made the node publish its users' presence again, after the goodbye, and call
  // into its gateway while that was being destroyed: a sanitizer build aborted on about half the
  // stops).
  const [one] = nodes;
  const owner = await registerUser(one, 'host');
  const users = await Promise.all([0, 1, 2].map(() => registerUser(one, 'leaver')));
  await serverWith(owner, 'Leaving', users);
  const watcher = connect(one.port, owner.token);
  await watcher.ready;
  const statusOf = (user) => watcher.events.filter((e) => e.t === 'PRESENCE_UPDATE' && e.d.user.id === user.id)
    .map((e) => e.d.status);

  const node = await startHearthd({ db, args: ['--redis', cluster.redisUrl, '--jwt-key-file', join(dir, 'jwt.key'),
    ...nodeArgs, '--worker-id', '5'] });
  try {
    // Three sessions each, all dnd: one update per user, whatever order they identify in.
    const dnd = { status: 'dnd', since: null, activities: [], afk: false };
    const clients = users.flatMap((user) => [0, 1, 2].map(() => connect(node.port, user.token, dnd)));
    await Promise.all(clients.map((client) => client.ready));
    for (const user of users) await until(`${user.id} dnd`, () => statusOf(user).at(-1) === 'dnd');
  } finally {
    const stoppedAt = Date.now();
    const { code, signal } = await node.stop({ keepDb: true });
    assert.equal(code, 0, `exited with ${code ?? signal}; its log ends:\n${node.logs().split('\n').slice(-60).join('\n')}`);
    for (const user of users) await until(`${user.id} offline`, () => statusOf(user).at(-1) === 'offline', 2000);
    assert.ok(Date.now() - stoppedAt < nodeTimeoutMs, 'by the goodbye, not by the node timeout');
  }
  // Nothing after the goodbye brings them back (the node timeout would end that only later).
  await sleep(nodeTimeoutMs + 500);
  for (const user of users) assert.deepEqual(statusOf(user), ['dnd', 'offline']);
  watcher.close();
});

test('without Redis the nodes still serve REST; events wait and arrive, in order, when it is back', async () => {
  const [one, two, three] = nodes;
  const owner = await registerUser(one, 'owner');
  const guild = (await owner.call('POST', '/guilds', { name: 'Outage' })).body;
  const general = (await owner.call('GET', `/guilds/${guild.id}/channels`)).body.find((c) => c.name === 'general');
  const watcher = connect(three.port, owner.token);
  await watcher.ready;

  cluster.redis.child.kill('SIGKILL');
  await cluster.redis.exited;
  for (const node of nodes) {
    await until('the lost connection in the log', () => /event bus \((reader|writer)\): connection to .* lost/.test(node.logs()));
    assert.equal((await fetch(`${node.url}/healthz`)).status, 200);
  }
  const me = await owner.call('GET', '/users/@me');
  assert.equal(me.status, 200);
  const channels = await owner.call('GET', `/guilds/${guild.id}/channels`);
  assert.equal(channels.status, 200);
  const during = await owner.call('POST', `/channels/${general.id}/messages`, { content: 'while Redis is down' });
  assert.equal(during.status, 200, 'the message is stored; its event waits');
  await until('hearth_bus_redis_up 0', async () => /hearth_bus_redis_up 0/.test(await metricsOf(two)));
  await until('the waiting event in the log',
    () => /event bus: cannot append .* events wait in memory until Redis is back/.test(one.logs()), 5000);
  assert.match(await metricsOf(one), /hearth_bus_backlog [1-9]/);

  cluster.redis = await startRedis(dir, cluster.redisSocket);
  await until('node 1 appending again', () => /event bus: appending again/.test(one.logs()));
  for (const node of nodes) await until('Redis up', async () => /hearth_bus_redis_up 1/.test(await metricsOf(node)));
  const after = await owner.call('POST', `/channels/${general.id}/messages`, { content: 'Redis is back' });
  assert.equal(after.status, 200);
  await watcher.next('MESSAGE_CREATE after the restart', (e) => e.t === 'MESSAGE_CREATE' && e.d.id === after.body.id);
  const order = watcher.events.filter((e) => e.t === 'MESSAGE_CREATE').map((e) => e.d.content);
  assert.deepEqual(order, ['while Redis is down', 'Redis is back'], 'nothing lost, in order');
  assert.match(await metricsOf(one), /hearth_bus_backlog 0/);
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
