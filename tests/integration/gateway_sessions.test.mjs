// Gateway sessions against a real hearthd: RESUME replays what a dropped connection missed,
// presence (op 3) reaches those who share a server, typing, and member requests (op 8).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startHearthd } from '../support/hearthd.mjs';
import { registerUser } from '../support/users.mjs';

let server;
before(async () => {
  server = await startHearthd({ args: ['--auth-requests-per-minute', '10000'] });
});
after(async () => {
  assert.equal((await server.stop()).code, 0, server.logs());
});

const VIEW_CHANNEL = 1n << 10n;
const register = (label) => registerUser(server, label);

/** A raw gateway socket: every frame is kept; `next` waits for one matching. */
function open() {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/gateway`);
  const frames = [];
  let maxSeq = 0;
  let wake = () => {};
  socket.on('message', (raw) => {
    const frame = JSON.parse(raw.toString());
    if (frame.s != null) maxSeq = Math.max(maxSeq, frame.s);
    frames.push(frame);
    wake();
  });
  const closed = new Promise((resolve) => socket.on('close', (code) => resolve(code)));
  const client = {
    socket,
    frames,
    closed,
    send: (payload) => socket.send(JSON.stringify(payload)),
    /** Waits for (and consumes) the first frame matching. */
    async next(predicate, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = frames.findIndex(predicate);
        if (index >= 0) return frames.splice(index, 1)[0];
        if (Date.now() > deadline) throw new Error(`no such frame; have ${JSON.stringify(frames).slice(0, 600)}`);
        await new Promise((r) => { wake = r; setTimeout(r, 50); });
      }
    },
    async none(predicate, ms = 500) {
      await new Promise((r) => setTimeout(r, ms));
      assert.deepEqual(frames.filter(predicate), []);
    },
    /** The last sequence number received. */
    lastSeq: () => maxSeq,
  };
  return client;
}

async function identify(token, presence) {
  const client = open();
  await client.next((f) => f.op === 10);
  client.send({ op: 2, d: { token, properties: {}, ...(presence ? { presence } : {}) } });
  client.ready = (await client.next((f) => f.t === 'READY')).d;
  return client;
}

/** Drops the TCP connection without a close frame, as a lost network does. */
function drop(client) {
  client.socket.terminate();
  return client.closed;
}

async function resume(token, sessionId, seq) {
  const client = open();
  await client.next((f) => f.op === 10);
  client.send({ op: 6, d: { token, session_id: sessionId, seq } });
  return client;
}

async function serverWith(owner, ...members) {
  const guild = (await owner.call('POST', '/guilds', { name: 'Sessions' })).body;
  const general = (await owner.call('GET', `/guilds/${guild.id}/channels`)).body.find((c) => c.name === 'general');
  const invite = (await owner.call('POST', `/channels/${general.id}/invites`, {})).body;
  for (const member of members) assert.equal((await member.call('POST', `/invites/${invite.code}`)).status, 200);
  return { guild, general };
}

test('RESUME after a dropped connection replays what was missed, in order, then RESUMED', async () => {
  const owner = await register('resumer');
  const { general } = await serverWith(owner);
  const live = await identify(owner.token);
  const sessionId = live.ready.session_id;
  assert.match(sessionId, /^[0-9a-f]{32}$/);
  await owner.call('POST', `/channels/${general.id}/messages`, { content: 'before the drop' });
  await live.next((f) => f.t === 'MESSAGE_CREATE');
  const seen = live.lastSeq();
  await drop(live);

  const missed = [];
  for (let i = 0; i < 5; i++) {
    missed.push((await owner.call('POST', `/channels/${general.id}/messages`, { content: `missed ${i}` })).body.id);
  }
  const back = await resume(owner.token, sessionId, seen);
  const resumed = await back.next((f) => f.t === 'RESUMED');
  const replayed = back.frames.filter((f) => f.t === 'MESSAGE_CREATE' && f.s < resumed.s);
  assert.deepEqual(replayed.map((f) => f.d.id), missed, 'every missed message, in order');
  const sequences = back.frames.filter((f) => f.s < resumed.s).map((f) => f.s);
  assert.ok(sequences.every((s, i) => s > seen && (i === 0 || s === sequences[i - 1] + 1)), `${seen}: ${sequences}`);
  assert.equal(resumed.s, sequences.at(-1) + 1);
  // The session goes on: new events follow with the next sequence.
  await owner.call('POST', `/channels/${general.id}/messages`, { content: 'after' });
  const after = await back.next((f) => f.t === 'MESSAGE_CREATE' && f.d.content === 'after');
  assert.ok(after.s > resumed.s);
  back.socket.close(1000);
  await back.closed;
  // Closing with 1000 ends the session.
  const again = await resume(owner.token, sessionId, after.s);
  assert.deepEqual(await again.next((f) => f.op === 9), { op: 9, d: false, s: null, t: null });
  again.socket.close();
});

test('RESUME refuses another user, a sequence never sent, and an ended sign-in session', async () => {
  const alice = await register('alicer');
  const bob = await register('bobr');
  const live = await identify(alice.token);
  const sessionId = live.ready.session_id;
  await drop(live);

  const foreign = await resume(bob.token, sessionId, 1);
  assert.equal((await foreign.next((f) => f.op === 9)).d, false, "bob can't take alice's session");
  foreign.socket.close();
  const future = await resume(alice.token, sessionId, 999);
  assert.equal(await future.closed, 4007);
  const decode = open();
  await decode.next((f) => f.op === 10);
  decode.send({ op: 6, d: { token: alice.token, seq: 1 } });
  assert.equal(await decode.closed, 4002, 'a RESUME without session_id');

  // Logging out ends the sign-in session, and with it the gateway session.
  assert.equal((await alice.call('POST', '/auth/logout')).status, 204);
  const revoked = await resume(alice.token, sessionId, 1);
  assert.equal((await revoked.next((f) => f.op === 9)).d, false);
  revoked.socket.close();
});

test('joining a server: the newcomer and its online members learn each other\'s presence at once', async () => {
  const owner = await register('host');
  const newcomer = await register('arrival');
  const { guild } = await serverWith(owner);
  const host = await identify(owner.token, { status: 'dnd', since: null, activities: [], afk: false });
  const arrival = await identify(newcomer.token);
  // Not sharing a server yet: neither hears of the other.
  await host.none((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === newcomer.id);
  const invite = (await owner.call('POST', `/channels/${(await owner.call('GET', `/guilds/${guild.id}/channels`))
    .body.find((c) => c.name === 'general').id}/invites`, {})).body;
  assert.equal((await newcomer.call('POST', `/invites/${invite.code}`)).status, 200);
  const seen = await host.next((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === newcomer.id);
  assert.equal(seen.d.status, 'online');
  assert.equal(seen.d.guild_id, guild.id);
  const told = await arrival.next((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === owner.id);
  assert.equal(told.d.status, 'dnd');
  assert.equal(told.d.guild_id, guild.id);
  // Once: the host hears of the newcomer a single time.
  await host.none((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === newcomer.id);
  host.socket.close(1000);
  arrival.socket.close(1000);
});

test('presence: set by op 3, combined, seen by those who share a server; invisible reads offline', async () => {
  const owner = await register('watcher');
  const friend = await register('status');
  const stranger = await register('outsider');
  await serverWith(owner, friend);
  const watcher = await identify(owner.token);
  const outsider = await identify(stranger.token);

  const phone = await identify(friend.token, { status: 'dnd', since: null, activities: [], afk: false });
  let update = await watcher.next((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === friend.id);
  assert.equal(update.d.status, 'dnd');
  assert.deepEqual(update.d.client_status, { web: 'dnd' });
  assert.ok(update.d.guild_id);

  // READY of someone arriving later carries the friend's presence.
  const late = await identify(owner.token);
  assert.deepEqual(late.ready.presences.find((p) => p.user.id === friend.id)?.status, 'dnd');
  late.socket.close(1000);

  phone.send({ op: 3, d: { status: 'online', since: null, afk: false,
    activities: [{ type: 4, name: 'Custom Status', state: 'shipping' }] } });
  update = await watcher.next((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === friend.id);
  assert.equal(update.d.status, 'online');
  assert.equal(update.d.activities[0].state, 'shipping');

  // A second session that is idle does not make the user idle: the online one counts.
  const laptop = await identify(friend.token, { status: 'idle', since: Date.now(), activities: [], afk: true });
  await watcher.none((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === friend.id);
  laptop.send({ op: 3, d: { status: 'invisible', since: null, afk: false, activities: [] } });
  update = await watcher.next((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === friend.id);
  assert.equal(update.d.status, 'offline', 'invisible anywhere reads offline');
  assert.deepEqual(update.d.activities, []);
  laptop.socket.close(1000);
  await laptop.closed;
  update = await watcher.next((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === friend.id);
  assert.equal(update.d.status, 'online');
  phone.socket.close(1000);
  update = await watcher.next((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === friend.id);
  assert.equal(update.d.status, 'offline', 'no session left');
  await outsider.none((f) => f.t === 'PRESENCE_UPDATE');

  const bad = await identify(friend.token);
  bad.send({ op: 3, d: { status: 'asleep' } });
  assert.equal(await bad.closed, 4002);
  watcher.socket.close();
  outsider.socket.close();
});

test('typing: TYPING_START reaches those who can view the channel, once per few seconds', async () => {
  const owner = await register('typo');
  const typist = await register('typist');
  const { guild, general } = await serverWith(owner, typist);
  const hidden = (await owner.call('POST', `/guilds/${guild.id}/channels`, {
    name: 'hidden', permission_overwrites: [{ id: guild.id, type: 0, allow: '0', deny: String(VIEW_CHANNEL) }],
  })).body;
  const watcher = await identify(typist.token);
  const ownerLive = await identify(owner.token);

  assert.equal((await owner.call('POST', `/channels/${general.id}/typing`)).status, 204);
  const typing = await watcher.next((f) => f.t === 'TYPING_START');
  assert.equal(typing.d.channel_id, general.id);
  assert.equal(typing.d.guild_id, guild.id);
  assert.equal(typing.d.user_id, owner.id);
  assert.ok(Math.abs(typing.d.timestamp - Date.now() / 1000) < 60);
  assert.equal((await owner.call('POST', `/channels/${general.id}/typing`)).status, 204);
  await watcher.none((f) => f.t === 'TYPING_START', 300);

  assert.equal((await owner.call('POST', `/channels/${hidden.id}/typing`)).status, 204);
  await ownerLive.next((f) => f.t === 'TYPING_START' && f.d.channel_id === hidden.id);
  await watcher.none((f) => f.t === 'TYPING_START');
  const refused = await typist.call('POST', `/channels/${hidden.id}/typing`);
  assert.equal(refused.status, 404);
  assert.equal(refused.body.code, 10003);
  watcher.socket.close();
  ownerLive.socket.close();
});

test('op 8 answers GUILD_MEMBERS_CHUNK by query, by ids, with presences and nonce; not to strangers', async () => {
  const owner = await register('chunko');
  const zed = await register('zed');
  const stranger = await register('chunks');
  const { guild } = await serverWith(owner, zed);
  const live = await identify(owner.token);

  live.send({ op: 8, d: { guild_id: guild.id, query: zed.name.slice(0, 4), limit: 10, presences: true, nonce: 'q1' } });
  const byQuery = await live.next((f) => f.t === 'GUILD_MEMBERS_CHUNK');
  assert.deepEqual(byQuery.d.members.map((m) => m.user.id), [zed.id]);
  assert.equal(byQuery.d.nonce, 'q1');
  assert.deepEqual(byQuery.d.presences, [], 'zed is offline');
  assert.equal(byQuery.d.chunk_count, 1);

  live.send({ op: 8, d: { guild_id: guild.id, user_ids: [owner.id, stranger.id], presences: true } });
  const byIds = await live.next((f) => f.t === 'GUILD_MEMBERS_CHUNK');
  assert.deepEqual(byIds.d.members.map((m) => m.user.id), [owner.id]);
  assert.deepEqual(byIds.d.not_found, [stranger.id]);
  assert.equal(byIds.d.presences[0].user.id, owner.id);

  const outsider = await identify(stranger.token);
  outsider.send({ op: 8, d: { guild_id: guild.id, query: '', limit: 0 } });
  assert.deepEqual((await outsider.next((f) => f.t === 'GUILD_MEMBERS_CHUNK')).d.members, []);

  const search = await owner.call('GET', `/guilds/${guild.id}/members/search?query=${zed.name.slice(0, 3)}&limit=5`);
  assert.equal(search.status, 200);
  assert.deepEqual(search.body.map((m) => m.user.id), [zed.id]);
  assert.equal((await owner.call('GET', `/guilds/${guild.id}/members/search?limit=5`)).status, 400);
  live.socket.close();
  outsider.socket.close();
});

test('friends hear of presence changes without sharing a server', async () => {
  const alice = await register('pfa');
  const bob = await register('pfb');
  assert.equal((await alice.call('POST', '/users/@me/relationships', { username: bob.name })).status, 204);
  assert.equal((await bob.call('PUT', `/users/@me/relationships/${alice.id}`, {})).status, 204);
  const watcher = await identify(alice.token);
  const bobLive = await identify(bob.token, { status: 'idle', since: null, activities: [], afk: true });
  const update = await watcher.next((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === bob.id);
  assert.equal(update.d.status, 'idle');
  assert.equal(update.d.guild_id, undefined);
  const later = await identify(alice.token);
  assert.equal(later.ready.presences.find((p) => p.user.id === bob.id)?.status, 'idle');
  for (const client of [watcher, bobLive, later]) client.socket.close(1000);
});

test('new friends hear each other\'s presence at once; an invisible one reads offline', async () => {
  const alice = await register('nfa');
  const bob = await register('nfb');
  const carol = await register('nfc');
  const aliceLive = await identify(alice.token, { status: 'dnd', since: null, activities: [], afk: false });
  const bobLive = await identify(bob.token, { status: 'idle', since: null, activities: [], afk: true });
  const carolLive = await identify(carol.token, { status: 'invisible', since: null, activities: [], afk: false });
  // A request alone shares nothing.
  assert.equal((await alice.call('POST', '/users/@me/relationships', { username: bob.name })).status, 204);
  await bobLive.next((f) => f.t === 'RELATIONSHIP_ADD' && f.d.type === 3);
  await bobLive.none((f) => f.t === 'PRESENCE_UPDATE');
  // Accepted: each side gets the friendship, then the other's current presence (no guild_id).
  assert.equal((await bob.call('PUT', `/users/@me/relationships/${alice.id}`, {})).status, 204);
  await aliceLive.next((f) => f.t === 'RELATIONSHIP_ADD' && f.d.id === bob.id && f.d.type === 1);
  const toAlice = await aliceLive.next((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === bob.id);
  assert.equal(toAlice.d.status, 'idle');
  assert.equal(toAlice.d.guild_id, undefined);
  await bobLive.next((f) => f.t === 'RELATIONSHIP_ADD' && f.d.id === alice.id && f.d.type === 1);
  const toBob = await bobLive.next((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === alice.id);
  assert.equal(toBob.d.status, 'dnd');
  // Carol is invisible: her new friend hears nothing of her, she hears that alice is on.
  assert.equal((await carol.call('POST', '/users/@me/relationships', { username: alice.name })).status, 204);
  assert.equal((await alice.call('PUT', `/users/@me/relationships/${carol.id}`, {})).status, 204);
  await aliceLive.next((f) => f.t === 'RELATIONSHIP_ADD' && f.d.id === carol.id && f.d.type === 1);
  assert.equal((await carolLive.next((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === alice.id)).d.status, 'dnd');
  await aliceLive.none((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === carol.id);
  for (const client of [aliceLive, bobLive, carolLive]) client.socket.close(1000);
});
