// Server events through the gateway against a real hearthd: READY carries the user's servers
// with the channels they may see, and each change reaches exactly the connected members allowed
// to see it at the time it happens.
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

/** An identified gateway connection collecting dispatches; `ready` resolves with READY's d. */
function connect(token) {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/gateway`);
  const events = [];
  const sequences = [];
  let wake = () => {};
  const ready = new Promise((resolve) => {
    socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      if (frame.op === 10) socket.send(JSON.stringify({ op: 2, d: { token, properties: {} } }));
      if (frame.op !== 0) return;
      sequences.push(frame.s);
      if (frame.t === 'READY') return resolve(frame.d);
      events.push(frame);
      wake();
    });
  });
  return {
    ready,
    sequences,
    events,
    /** Waits for a dispatch matching the predicate. */
    async next(predicate, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no such event; got ${events.map((e) => e.t).join(', ')}`);
        await new Promise((r) => { wake = r; setTimeout(r, 50); });
      }
    },
    /** Asserts nothing matching arrives within a moment. */
    async none(predicate, ms = 600) {
      await new Promise((r) => setTimeout(r, ms));
      assert.equal(events.filter(predicate).length, 0, `unexpected ${events.filter(predicate).map((e) => e.t)}`);
    },
    close: () => socket.close(),
  };
}

// Delivery keeps what it read of a server's permissions while the server's access version stays
// the same (migration 0014). Each step below changes one thing the version must follow, then
// posts a message the member should (or should not) get, and a second one in #general that they
// always get: events of a server arrive in order, so once the second is in, the first would be.
test('messages follow every change of permission at once: roles, role permissions, overwrites, owner', async () => {
  const owner = await register('keeper');
  const member = await register('kept');
  const guild = (await owner.call('POST', '/guilds', { name: 'Kept' })).body;
  const general = (await owner.call('GET', `/guilds/${guild.id}/channels`)).body.find((c) => c.name === 'general');
  const club = (await owner.call('POST', `/guilds/${guild.id}/roles`, { name: 'club' })).body;
  const room = (await owner.call('POST', `/channels/${general.id}/invites`, {})).body;
  const clubhouse = (await owner.call('POST', `/guilds/${guild.id}/channels`, {
    name: 'clubhouse',
    permission_overwrites: [
      { id: guild.id, type: 0, allow: '0', deny: String(VIEW_CHANNEL) },
      { id: club.id, type: 0, allow: String(VIEW_CHANNEL), deny: '0' },
    ],
  })).body;
  assert.equal((await member.call('POST', `/invites/${room.code}`)).status, 200);
  const live = connect(member.token);
  await live.ready;
  // A voice channel has no messages: #general holds the markers, and a second text channel with no
  // overwrites shows what @everyone's own permissions do.
  const plain = (await owner.call('POST', `/guilds/${guild.id}/channels`, { name: 'plain' })).body;
  await live.next((e) => e.t === 'CHANNEL_CREATE' && e.d.id === plain.id);

  let step = 0;
  const post = async (channel) => {
    const content = `step ${++step}`;
    const sent = await owner.call('POST', `/channels/${channel.id}/messages`, { content });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    return content;
  };
  const received = (content) => (e) => e.t === 'MESSAGE_CREATE' && e.d.content === content;
  // Posts in `channel`, then in #general; asserts whether the member got the first.
  const expectSeen = async (channel, seen, why) => {
    const probe = await post(channel);
    const marker = await post(general);
    await live.next(received(marker));
    assert.equal(live.events.some(received(probe)), seen, why);
  };

  await expectSeen(clubhouse, false, 'hidden from @everyone');
  await expectSeen(clubhouse, false, 'still hidden (what delivery keeps is used)');
  assert.equal((await owner.call('PUT', `/guilds/${guild.id}/members/${member.id}/roles/${club.id}`)).status, 204);
  await expectSeen(clubhouse, true, 'a role given shows it');
  assert.equal((await owner.call('DELETE', `/guilds/${guild.id}/members/${member.id}/roles/${club.id}`)).status, 204);
  await expectSeen(clubhouse, false, 'the role taken away hides it');

  // A member overwrite, then its removal (the overwrite events themselves carry their own view).
  await owner.call('PUT', `/channels/${clubhouse.id}/permissions/${member.id}`, { type: 1, allow: String(VIEW_CHANNEL), deny: '0' });
  await expectSeen(clubhouse, true, 'a member overwrite shows it');
  await owner.call('DELETE', `/channels/${clubhouse.id}/permissions/${member.id}`);
  await expectSeen(clubhouse, false, 'the overwrite gone hides it again');

  // @everyone's own permissions, in a channel without overwrites.
  await expectSeen(plain, true, 'a plain channel is seen');
  const everyone = (await owner.call('GET', `/guilds/${guild.id}/roles`)).body.find((r) => r.id === guild.id);
  const without = String(BigInt(everyone.permissions) & ~VIEW_CHANNEL);
  assert.equal((await owner.call('PATCH', `/guilds/${guild.id}/roles/${guild.id}`, { permissions: without })).status, 200);
  // #general is hidden now too: the markers go to a channel that lets the club in, and the member
  // joins the club through a role whose own permissions are changed next.
  await owner.call('PUT', `/channels/${general.id}/permissions/${club.id}`, { type: 0, allow: String(VIEW_CHANNEL), deny: '0' });
  await owner.call('PUT', `/guilds/${guild.id}/members/${member.id}/roles/${club.id}`);
  await expectSeen(plain, false, '@everyone without VIEW_CHANNEL hides a plain channel');
  assert.equal((await owner.call('PATCH', `/guilds/${guild.id}/roles/${club.id}`, { permissions: String(VIEW_CHANNEL) })).status, 200);
  await expectSeen(plain, true, 'a role\'s own permissions changed show it');
  assert.equal((await owner.call('DELETE', `/guilds/${guild.id}/roles/${club.id}`)).status, 204);
  // Without the role #general is hidden as well: the member's proof is now what they do not get.
  const lost = await post(plain);
  const ownerLive = connect(owner.token);
  await ownerLive.ready;
  const heard = await post(general);
  await ownerLive.next(received(heard));
  await live.none(received(lost));

  // Ownership moves: the new owner sees everything (and the old one, without a role, nothing).
  assert.equal((await owner.call('PATCH', `/guilds/${guild.id}`, { owner_id: member.id })).status, 200);
  assert.equal((await member.call('POST', `/channels/${plain.id}/messages`, { content: 'mine now' })).status, 200);
  await live.next(received('mine now'));
  await ownerLive.none(received('mine now'));
  ownerLive.close();
  live.close();
});

test('READY lists servers with visible channels; events follow permissions at send time', async () => {
  const owner = await register('owner');
  const member = await register('member');
  const guild = (await owner.call('POST', '/guilds', { name: 'Events' })).body;
  const general = (await owner.call('GET', `/guilds/${guild.id}/channels`)).body.find((c) => c.name === 'general');
  const staff = (await owner.call('POST', `/guilds/${guild.id}/roles`, { name: 'staff' })).body;
  const secret = (await owner.call('POST', `/guilds/${guild.id}/channels`, {
    name: 'secret', permission_overwrites: [{ id: guild.id, type: 0, allow: '0', deny: String(VIEW_CHANNEL) }],
  })).body;
  const invite = (await owner.call('POST', `/channels/${general.id}/invites`, {})).body;

  const ownerLive = connect(owner.token);
  const ownerReady = await ownerLive.ready;
  assert.deepEqual(ownerReady.guilds.map((g) => g.id), [guild.id]);
  assert.ok(ownerReady.guilds[0].channels.some((c) => c.id === secret.id), 'the owner sees the private channel');

  assert.equal((await member.call('POST', `/invites/${invite.code}`)).status, 200);
  const joined = await ownerLive.next((e) => e.t === 'GUILD_MEMBER_ADD');
  assert.equal(joined.d.user.id, member.id);

  const memberLive = connect(member.token);
  const memberReady = await memberLive.ready;
  const visible = memberReady.guilds[0].channels.map((c) => c.name);
  assert.ok(visible.includes('general'));
  assert.ok(!visible.includes('secret'), 'READY leaves out channels the member cannot see');
  assert.equal(memberReady.guilds[0].member_count, 2);

  // A public change reaches both; a private one only those who can see it.
  await owner.call('PATCH', `/channels/${general.id}`, { topic: 'hello' });
  await ownerLive.next((e) => e.t === 'CHANNEL_UPDATE' && e.d.id === general.id);
  const seen = await memberLive.next((e) => e.t === 'CHANNEL_UPDATE' && e.d.id === general.id);
  assert.equal(seen.d.topic, 'hello');
  await owner.call('PATCH', `/channels/${secret.id}`, { topic: 'plans' });
  await ownerLive.next((e) => e.t === 'CHANNEL_UPDATE' && e.d.id === secret.id);
  await memberLive.none((e) => e.d?.id === secret.id);

  // Access granted now applies to the very next event.
  await owner.call('PUT', `/channels/${secret.id}/permissions/${staff.id}`, { type: 0, allow: String(VIEW_CHANNEL), deny: '0' });
  await owner.call('PUT', `/guilds/${guild.id}/members/${member.id}/roles/${staff.id}`);
  await owner.call('PATCH', `/channels/${secret.id}`, { topic: 'shared plans' });
  const now = await memberLive.next((e) => e.t === 'CHANNEL_UPDATE' && e.d.id === secret.id && e.d.topic === 'shared plans');
  assert.equal(now.d.name, 'secret');

  // Losing sight of a channel through an overwrite: the member is told it is gone, and no more.
  await owner.call('PUT', `/channels/${secret.id}/permissions/${member.id}`, { type: 1, allow: '0', deny: String(VIEW_CHANNEL) });
  const hidden = await memberLive.next((e) => e.t === 'CHANNEL_DELETE' && e.d.id === secret.id);
  assert.deepEqual(hidden.d, { id: secret.id, guild_id: guild.id, type: 0 }, 'nothing of its new state');
  await owner.call('PATCH', `/channels/${secret.id}`, { topic: 'after losing sight' });
  await ownerLive.next((e) => e.t === 'CHANNEL_UPDATE' && e.d.topic === 'after losing sight');
  await memberLive.none((e) => e.t === 'CHANNEL_UPDATE' && e.d.id === secret.id && e.d.topic === 'after losing sight');
  await owner.call('DELETE', `/channels/${secret.id}/permissions/${member.id}`);
  await memberLive.next((e) => e.t === 'CHANNEL_UPDATE' && e.d.id === secret.id && e.d.topic === 'after losing sight');

  // Sequence numbers are consecutive per connection.
  memberLive.sequences.forEach((s, i) => assert.equal(s, i + 1));

  // Kicked: the member is told the server is gone and hears nothing more of it.
  await owner.call('DELETE', `/guilds/${guild.id}/members/${member.id}`);
  const gone = await memberLive.next((e) => e.t === 'GUILD_DELETE');
  assert.equal(gone.d.id, guild.id);
  const before = memberLive.events.length;
  await owner.call('PATCH', `/channels/${general.id}`, { topic: 'after the kick' });
  await ownerLive.next((e) => e.t === 'CHANNEL_UPDATE' && e.d.topic === 'after the kick');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(memberLive.events.length, before, 'no events after removal');

  // Deleting the private channel is news only to those who could see it.
  const outsider = await register('outsider');
  const again = (await owner.call('POST', `/channels/${general.id}/invites`, {})).body;
  await outsider.call('POST', `/invites/${again.code}`);
  const outsiderLive = connect(outsider.token);
  await outsiderLive.ready;
  assert.equal((await owner.call('DELETE', `/channels/${secret.id}`)).status, 200);
  await ownerLive.next((e) => e.t === 'CHANNEL_DELETE' && e.d.id === secret.id);
  await outsiderLive.none((e) => e.t === 'CHANNEL_DELETE');

  // Deleting the server reaches every member, though its rows are gone.
  await owner.call('DELETE', `/guilds/${guild.id}`);
  await outsiderLive.next((e) => e.t === 'GUILD_DELETE' && e.d.id === guild.id);
  await ownerLive.next((e) => e.t === 'GUILD_DELETE' && e.d.id === guild.id);
  ownerLive.close();
  memberLive.close();
  outsiderLive.close();
});
