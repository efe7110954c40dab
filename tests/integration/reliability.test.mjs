// Reliability under failure (issue 5): three hearthd nodes share PostgreSQL and Redis while a
// writer posts messages steadily.
//  - kill -9 one node: every acknowledged message reaches every connected client, at least once
//    and first in channel order; the killed node's clients RESUME on the others (never identify
//    again);
//  - restart Redis: clients miss nothing, in order, and never identify again.
// "Acknowledged" is a POST answered 200. A POST that gets no answer (its node died) is sent again
// with the same nonce to another node (enforce_nonce), as clients do, so it is acknowledged once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerUser } from '../support/users.mjs';
import { sleep, until, startCluster, startRedis, resumingClient } from '../support/cluster.mjs';

const dir = mkdtempSync(join(tmpdir(), 'hearth-reliability-'));
let cluster;
let nodes = [];

before(async () => {
  // Heartbeats every second: session checkpoints follow closely, so resumes replay little twice.
  cluster = await startCluster(dir, ['--auth-requests-per-minute', '100000', '--heartbeat-interval-ms', '1000']);
  ({ nodes } = cluster);
});

after(async () => {
  await cluster?.stop();
});

const isAlive = (node) => !cluster.killed.has(node);
const livePorts = () => nodes.filter(isAlive).map((node) => node.port);

/** A server with `count` members besides the owner, and its general channel. */
async function community(count) {
  const live = nodes.filter(isAlive);
  const owner = await registerUser(live[0], 'owner');
  const guild = (await owner.call('POST', '/guilds', { name: 'Steady' })).body;
  const general = (await owner.call('GET', `/guilds/${guild.id}/channels`)).body.find((c) => c.name === 'general');
  const invite = (await owner.call('POST', `/channels/${general.id}/invites`, { max_uses: 0 })).body;
  const members = [];
  for (let idx = 0; idx < count; ++idx) {
    const member = await registerUser(live[idx % live.length], `m${idx}`);
    assert.equal((await member.call('POST', `/invites/${invite.code}`)).status, 200);
    members.push(member);
  }
  return { owner, general, members };
}

/**
 * Posts `content-N` messages one after another to the live nodes in turn until stop() is called;
 * an unanswered POST goes again, same nonce, to the next node. Resolves the acknowledged ids in
 * order.
 */
function steadyWriter(owner, channelId, pauseMs = 10) {
  const acknowledged = [];
  let stopped = false;
  let turn = 0;
  const done = (async () => {
    for (let n = 0; !stopped; ++n) {
      const nonce = `w${n}`;
      for (;;) {
        const ports = livePorts();
        const port = ports[turn++ % ports.length];
        try {
          const response = await fetch(`http://127.0.0.1:${port}/api/v1/channels/${channelId}/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.token}` },
            body: JSON.stringify({ content: `message ${n}`, nonce, enforce_nonce: true }),
            signal: AbortSignal.timeout(5000),
          });
          if (response.status === 200) {
            acknowledged.push((await response.json()).id);
            break;
          }
          assert.fail(`POST answered ${response.status}: ${await response.text()}`);
        } catch (error) {
          if (error.code === 'ERR_ASSERTION') throw error;
          await sleep(50); // no answer: its node is gone; the same nonce goes elsewhere
        }
      }
      await sleep(pauseMs);
    }
    return acknowledged;
  })();
  return { acknowledged, stop: () => { stopped = true; return done; } };
}

/** Every client got every acknowledged id, first arrivals in channel order. */
async function assertDelivered(clients, acknowledged) {
  await until(`every client to have all ${acknowledged.length} acknowledged messages`,
    () => clients.every((client) => acknowledged.every((id) => client.messageIds().includes(id))), 20000);
  const wanted = new Set(acknowledged);
  for (const client of clients) {
    const firsts = client.messageIds().filter((id) => wanted.has(id));
    assert.deepEqual(firsts, acknowledged, 'first arrivals in channel order');
  }
}

test('kill -9 one of three nodes under steady load: nothing acknowledged is lost, its clients resume elsewhere', async () => {
  const { owner, general, members } = await community(5);
  // Two clients per node (the owner's and five members').
  const users = [owner, ...members];
  const clients = users.map((user, idx) => resumingClient(user.token, () => {
    const ports = livePorts();
    return [nodes[idx % 3].port, ...ports].filter((port) => ports.includes(port));
  }));
  await Promise.all(clients.map((client) => client.ready));
  const writer = steadyWriter(owner, general.id);
  await until('some load', () => writer.acknowledged.length >= 40, 20000);

  const victim = nodes[1];
  victim.child.kill('SIGKILL');
  cluster.killed.add(victim);
  await victim.exited;
  const countAtKill = writer.acknowledged.length;
  await until('messages after the kill', () => writer.acknowledged.length >= countAtKill + 60, 30000);
  const acknowledged = await writer.stop();

  await assertDelivered(clients, acknowledged);
  const moved = clients.filter((_, idx) => idx % 3 === 1);
  for (const client of moved) {
    assert.equal(client.history.at(-1).how, 'RESUMED', JSON.stringify(client.history));
    assert.notEqual(client.history.at(-1).port, victim.port);
  }
  for (const client of clients) {
    assert.equal(client.history.filter((entry) => entry.how !== 'RESUMED').length, 1,
      `identified once, never again: ${JSON.stringify(client.history)}`);
  }
  const extra = clients.reduce((sum, client) => sum + client.copies() - client.messageIds().length, 0);
  console.log(`# ${acknowledged.length} messages, ${countAtKill} before the kill; ` +
    `${extra} repeated deliveries in all (replayed past a checkpoint)`);
  for (const client of clients) client.close();
});

test('Redis restarts under load: clients miss nothing, in order, and never identify again', async () => {
  const { owner, general, members } = await community(3);
  const clients = [owner, ...members].map((user, idx) => resumingClient(user.token, () => {
    const ports = livePorts();
    return [ports[idx % ports.length]];
  }));
  await Promise.all(clients.map((client) => client.ready));
  const writer = steadyWriter(owner, general.id);
  await until('some load', () => writer.acknowledged.length >= 30, 20000);

  cluster.redis.child.kill('SIGKILL');
  await cluster.redis.exited;
  await sleep(500);
  cluster.redis = await startRedis(dir, cluster.redisSocket);
  const countAtRestart = writer.acknowledged.length;
  await until('messages after the restart', () => writer.acknowledged.length >= countAtRestart + 40, 30000);
  const acknowledged = await writer.stop();

  await assertDelivered(clients, acknowledged);
  for (const client of clients) {
    // Redis is not in the path of a connection; one that dropped anyway (a heartbeat late on a
    // loaded machine) resumed, never identified again.
    assert.deepEqual(client.history.map((entry) => entry.how).filter((how) => how !== 'RESUMED'), ['READY'],
      JSON.stringify(client.history));
  }
  for (const client of clients) client.close();
});
