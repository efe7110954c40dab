// DMs and group DMs against a real hearthd and PostgreSQL: who may open a DM, the same channel
// for a pair every time, messages in DMs (and their events, to the recipients only), closing and
// reopening, blocks, group DMs (create, rename, icon, add, remove, leave, ownership, the cap), and
// non-recipients answered exactly like a channel that doesn't exist, on every route.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHearthd } from '../support/hearthd.mjs';
import { registerUser } from '../support/users.mjs';
import { connectGateway } from '../support/gateway.mjs';

let server;
before(async () => {
  server = await startHearthd({ args: ['--auth-requests-per-minute', '10000', '--friend-requests-per-hour', '1000'] });
});
after(async () => {
  assert.equal((await server.stop()).code, 0, server.logs());
});

const MISSING = '1111111111111111111';
// A 1×1 PNG.
const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const register = (label) => registerUser(server, label);

async function live(label) {
  const user = await register(label);
  user.live = connectGateway(server, user.token);
  await user.live.ready;
  return user;
}

async function befriend(a, b) {
  assert.equal((await a.call('PUT', `/users/@me/relationships/${b.id}`, {})).status, 204);
  const accepted = await b.call('PUT', `/users/@me/relationships/${a.id}`, {});
  assert.equal(accepted.status, 204, accepted.text);
}

/** A server that `owner` creates and the others join. */
async function shareServer(owner, ...others) {
  const guild = (await owner.call('POST', '/guilds', { name: 'Shared' })).body;
  const general = (await owner.call('GET', `/guilds/${guild.id}/channels`)).body.find((c) => c.name === 'general');
  const invite = (await owner.call('POST', `/channels/${general.id}/invites`, { max_age: 0 })).body;
  for (const other of others) assert.equal((await other.call('POST', `/invites/${invite.code}`)).status, 200);
  return { guild, general };
}

async function openDm(a, b) {
  const opened = await a.call('POST', '/users/@me/channels', { recipient_id: b.id });
  assert.equal(opened.status, 200, opened.text);
  return opened.body;
}

async function send(user, channelId, content) {
  const sent = await user.call('POST', `/channels/${channelId}/messages`, { content });
  assert.equal(sent.status, 200, sent.text);
  return sent.body;
}

const listOf = async (user) => (await user.call('GET', '/users/@me/channels')).body.map((c) => c.id);
const publicUser = (user) => ({ id: user.id, username: user.name, global_name: null, avatar: null });

test('who may open a DM: friends and server-mates yes, strangers and blocks no', async () => {
  const ada = await register('ada');
  const bob = await register('bob');
  const cat = await register('cat');
  const dan = await register('dan');
  const stranger = await register('stranger');

  await befriend(ada, bob);
  const dm = await openDm(ada, bob);
  assert.deepEqual(Object.keys(dm).sort(), ['flags', 'id', 'last_message_id', 'recipients', 'type']);
  assert.equal(dm.type, 1);
  assert.equal(dm.flags, 0);
  assert.equal(dm.last_message_id, null);
  assert.deepEqual(dm.recipients, [publicUser(bob)]);

  // The same channel every time, from either side.
  assert.equal((await openDm(ada, bob)).id, dm.id);
  const fromBob = await openDm(bob, ada);
  assert.equal(fromBob.id, dm.id);
  assert.deepEqual(fromBob.recipients, [publicUser(ada)]);
  const racing = await Promise.all([1, 2, 3].map(() => ada.call('POST', '/users/@me/channels', { recipient_id: cat.id })));
  // Not friends and no server in common yet: refused, all three.
  for (const answer of racing) {
    assert.equal(answer.status, 403, answer.text);
    assert.equal(answer.body.code, 50007);
  }
  await shareServer(cat, ada);
  const parallel = await Promise.all([1, 2, 3].map(() => ada.call('POST', '/users/@me/channels', { recipient_id: cat.id })));
  assert.equal(new Set(parallel.map((a) => a.body.id)).size, 1, 'racing opens make one channel');
  assert.equal(server.db.query(`SELECT count(*) FROM dm_pairs WHERE channel_id = ${parallel[0].body.id}`), '1');

  // Strangers, unknown accounts and blocked people all get the same answer.
  const refused = await ada.call('POST', '/users/@me/channels', { recipient_id: stranger.id });
  assert.equal(refused.status, 403);
  assert.deepEqual(refused.body, { code: 50007, message: 'Cannot send messages to this user' });
  assert.equal((await ada.call('POST', '/users/@me/channels', { recipient_id: MISSING })).text, refused.text);
  await befriend(ada, dan);
  assert.equal((await dan.call('PUT', `/users/@me/relationships/${ada.id}`, { type: 2 })).status, 204);
  assert.equal((await ada.call('POST', '/users/@me/channels', { recipient_id: dan.id })).text, refused.text);
  assert.equal((await dan.call('POST', '/users/@me/channels', { recipient_id: ada.id })).text, refused.text);
  // A block by either side also stops an existing DM from being opened.
  assert.equal((await bob.call('PUT', `/users/@me/relationships/${ada.id}`, { type: 2 })).status, 204);
  assert.equal((await ada.call('POST', '/users/@me/channels', { recipient_id: bob.id })).text, refused.text);
  assert.equal((await bob.call('POST', '/users/@me/channels', { recipient_id: ada.id })).text, refused.text);

  const self = await ada.call('POST', '/users/@me/channels', { recipient_id: ada.id });
  assert.equal(self.status, 400);
  assert.equal(self.body.code, 50035);
  for (const body of [{}, { recipient_id: 'x' }, { recipients: 'x' }, { recipients: ['x'] }]) {
    const bad = await ada.call('POST', '/users/@me/channels', body);
    assert.equal(bad.status, 400, JSON.stringify(body));
    assert.equal(bad.body.code, 50035);
  }
});

test('messages in a DM: send, history, edit, delete; events reach both recipients and no one else', async () => {
  const ada = await live('ada');
  const bob = await live('bob');
  const eve = await live('eve');
  // Eve shares a server with both: she may see them, but not their DM.
  await shareServer(ada, bob, eve);
  const dm = await openDm(ada, bob);

  const sent = await bob.call('POST', `/channels/${dm.id}/messages`, {
    content: `hi <@${ada.id}> and <@${eve.id}> @everyone`,
    nonce: 'n1',
  });
  assert.equal(sent.status, 200, sent.text);
  const message = sent.body;
  assert.ok(!('guild_id' in message), 'messages in DMs have no guild_id');
  assert.equal(message.channel_id, dm.id);
  assert.equal(message.nonce, 'n1');
  assert.deepEqual(message.mentions.map((u) => u.id), [ada.id], 'only recipients can be mentioned');
  assert.equal(message.mention_everyone, false);
  assert.deepEqual(message.mention_roles, []);
  assert.equal(server.db.query(`SELECT guild_id IS NULL FROM messages WHERE id = ${message.id}`), 't');

  const created = await ada.live.next((e) => e.t === 'MESSAGE_CREATE' && e.d.id === message.id);
  assert.deepEqual(created.d, message);
  await bob.live.next((e) => e.t === 'MESSAGE_CREATE' && e.d.id === message.id);
  await eve.live.none((e) => e.t.startsWith('MESSAGE_'));

  const reply = await send(ada, dm.id, 'hello back');
  const history = await bob.call('GET', `/channels/${dm.id}/messages`);
  assert.equal(history.status, 200);
  assert.deepEqual(history.body.map((m) => m.id), [reply.id, message.id]);
  const one = await ada.call('GET', `/channels/${dm.id}/messages/${message.id}`);
  assert.equal(one.status, 200);
  assert.ok(!('guild_id' in one.body));

  const edited = await bob.call('PATCH', `/channels/${dm.id}/messages/${message.id}`, { content: 'edited' });
  assert.equal(edited.status, 200, edited.text);
  assert.equal(edited.body.content, 'edited');
  assert.deepEqual(edited.body.mentions, []);
  await ada.live.next((e) => e.t === 'MESSAGE_UPDATE' && e.d.id === message.id && e.d.content === 'edited');

  // No one moderates in a DM: only the author deletes, and there is no bulk delete.
  const notMine = await ada.call('DELETE', `/channels/${dm.id}/messages/${message.id}`);
  assert.equal(notMine.status, 403);
  assert.equal(notMine.body.code, 50013);
  assert.equal((await ada.call('PATCH', `/channels/${dm.id}/messages/${message.id}`, { content: 'x' })).status, 403);
  const bulk = await bob.call('POST', `/channels/${dm.id}/messages/bulk-delete`, { messages: [message.id, reply.id] });
  assert.equal(bulk.status, 403);
  assert.equal((await bob.call('DELETE', `/channels/${dm.id}/messages/${message.id}`)).status, 204);
  const deleted = await ada.live.next((e) => e.t === 'MESSAGE_DELETE' && e.d.id === message.id);
  assert.deepEqual(deleted.d, { id: message.id, channel_id: dm.id });
  await eve.live.none((e) => e.t.startsWith('MESSAGE_'));

  const listed = (await ada.call('GET', `/channels/${dm.id}`)).body;
  assert.equal(listed.last_message_id, reply.id);
  for (const user of [ada, bob, eve]) user.live.close();
});

test('a block silences an existing DM both ways; lifting it lets messages through again', async () => {
  const ada = await register('ada');
  const bob = await register('bob');
  await befriend(ada, bob);
  const dm = await openDm(ada, bob);
  await send(ada, dm.id, 'before');
  assert.equal((await bob.call('PUT', `/users/@me/relationships/${ada.id}`, { type: 2 })).status, 204);
  for (const user of [ada, bob]) {
    const refused = await user.call('POST', `/channels/${dm.id}/messages`, { content: 'blocked?' });
    assert.equal(refused.status, 403, refused.text);
    assert.deepEqual(refused.body, { code: 50007, message: 'Cannot send messages to this user' });
    // History stays readable.
    assert.equal((await user.call('GET', `/channels/${dm.id}/messages`)).body.length, 1);
  }
  assert.equal((await bob.call('DELETE', `/users/@me/relationships/${ada.id}`)).status, 204);
  // Not friends any more, but the DM exists: it works again.
  await send(ada, dm.id, 'after');
  await send(bob, dm.id, 'after too');
});

test('closing a DM hides it until a new message reopens it, with CHANNEL_CREATE', async () => {
  const ada = await live('ada');
  const bob = await live('bob');
  await befriend(ada, bob);
  const dm = await openDm(ada, bob);
  await ada.live.next((e) => e.t === 'CHANNEL_CREATE' && e.d.id === dm.id);
  assert.deepEqual(await listOf(ada), [dm.id]);
  assert.deepEqual(await listOf(bob), [], 'the other side sees it when a message arrives');
  await bob.live.none((e) => e.t === 'CHANNEL_CREATE');

  const first = await send(ada, dm.id, 'first');
  const shown = await bob.live.next((e) => e.t === 'CHANNEL_CREATE' && e.d.id === dm.id);
  assert.deepEqual(shown.d.recipients, [publicUser(ada)]);
  assert.equal(shown.d.last_message_id, first.id);
  await bob.live.next((e) => e.t === 'MESSAGE_CREATE' && e.d.id === first.id);
  const order = bob.live.events.map((e) => e.t);
  assert.ok(order.indexOf('CHANNEL_CREATE') < order.indexOf('MESSAGE_CREATE'), 'the channel comes first');
  assert.deepEqual(await listOf(bob), [dm.id]);

  // Bob closes it: only he is told, and it is gone from his list only.
  const closed = await bob.call('DELETE', `/channels/${dm.id}`);
  assert.equal(closed.status, 200, closed.text);
  assert.equal(closed.body.id, dm.id);
  await bob.live.next((e) => e.t === 'CHANNEL_DELETE' && e.d.id === dm.id);
  await ada.live.none((e) => e.t === 'CHANNEL_DELETE');
  assert.deepEqual(await listOf(bob), []);
  assert.deepEqual(await listOf(ada), [dm.id]);
  // Closed is not gone: he is still a recipient.
  assert.equal((await bob.call('GET', `/channels/${dm.id}/messages`)).status, 200);

  bob.live.clear();
  const second = await send(ada, dm.id, 'second');
  const reopened = await bob.live.next((e) => e.t === 'CHANNEL_CREATE' && e.d.id === dm.id);
  assert.equal(reopened.d.last_message_id, second.id);
  await bob.live.next((e) => e.t === 'MESSAGE_CREATE' && e.d.id === second.id);
  assert.deepEqual(await listOf(bob), [dm.id]);

  // Opening it again yourself also brings it back.
  assert.equal((await bob.call('DELETE', `/channels/${dm.id}`)).status, 200);
  bob.live.clear();
  assert.equal((await openDm(bob, ada)).id, dm.id);
  await bob.live.next((e) => e.t === 'CHANNEL_CREATE' && e.d.id === dm.id);
  assert.deepEqual(await listOf(bob), [dm.id]);

  // A 1:1 DM can't be renamed or given recipients.
  const rename = await ada.call('PATCH', `/channels/${dm.id}`, { name: 'ours' });
  assert.equal(rename.status, 403);
  assert.equal(rename.body.code, 50003);
  assert.equal((await ada.call('PUT', `/channels/${dm.id}/recipients/${bob.id}`)).body.code, 50003);
  ada.live.close();
  bob.live.close();
});

test('the DM list puts the most recent activity first', async () => {
  const ada = await register('ada');
  const bob = await register('bob');
  const cat = await register('cat');
  await befriend(ada, bob);
  await befriend(ada, cat);
  const withBob = await openDm(ada, bob);
  const withCat = await openDm(ada, cat);
  assert.deepEqual(await listOf(ada), [withCat.id, withBob.id]);
  await send(ada, withBob.id, 'bump');
  assert.deepEqual(await listOf(ada), [withBob.id, withCat.id]);
});

test('a non-recipient gets Unknown Channel on every DM route, like a channel that does not exist', async () => {
  const ada = await register('ada');
  const bob = await register('bob');
  const eve = await register('eve');
  const friend = await register('friend');
  await befriend(ada, bob);
  await befriend(eve, friend);
  await shareServer(ada, bob, eve);
  const dm = await openDm(ada, bob);
  const message = await send(ada, dm.id, 'private');
  await befriend(ada, eve); // friends with one of them still doesn't open their DM
  const group = (await ada.call('POST', '/users/@me/channels', { recipients: [bob.id] })).body;
  const routes = (channel, messageId) => [
    ['GET', `/channels/${channel}`],
    ['PATCH', `/channels/${channel}`, { name: 'mine now' }],
    ['DELETE', `/channels/${channel}`],
    ['GET', `/channels/${channel}/messages`],
    ['GET', `/channels/${channel}/messages/${messageId}`],
    ['POST', `/channels/${channel}/messages`, { content: 'hello' }],
    ['PATCH', `/channels/${channel}/messages/${messageId}`, { content: 'edited' }],
    ['DELETE', `/channels/${channel}/messages/${messageId}`],
    ['POST', `/channels/${channel}/messages/bulk-delete`, { messages: [messageId, MISSING] }],
    ['PUT', `/channels/${channel}/recipients/${friend.id}`],
    ['DELETE', `/channels/${channel}/recipients/${bob.id}`],
    ['PUT', `/channels/${channel}/permissions/${eve.id}`, { type: 1, allow: '0', deny: '0' }],
    ['POST', `/channels/${channel}/invites`, {}],
    ['GET', `/channels/${channel}/invites`],
  ];
  for (const channel of [dm.id, group.id]) {
    const real = routes(channel, message.id);
    const twin = routes(MISSING, message.id);
    for (let i = 0; i < real.length; ++i) {
      const [method, path, body] = real[i];
      const answer = await eve.call(method, path, body);
      const missing = await eve.call(twin[i][0], twin[i][1], twin[i][2]);
      assert.equal(answer.status, 404, `${method} ${path}: ${answer.text}`);
      assert.equal(answer.text, missing.text, `${method} ${path}: same as a missing channel`);
      assert.equal(answer.body.code, 10003);
    }
  }
  // Nothing changed.
  assert.equal(server.db.query(`SELECT content FROM messages WHERE id = ${message.id}`), 'private');
  assert.equal(server.db.query(`SELECT count(*) FROM channel_recipients WHERE channel_id = ${group.id}`), '2');
  // Server-only routes on a DM answer for recipients without doing anything.
  const invite = await ada.call('POST', `/channels/${dm.id}/invites`, {});
  assert.equal(invite.status, 403, invite.text);
});

test('group DMs: create, rename, icon, add, remove, leave, ownership, the 10-person cap', async () => {
  const owner = await live('owner');
  const ann = await live('ann');
  const ben = await live('ben');
  const outsider = await live('outsider');
  await befriend(owner, ann);
  await befriend(owner, ben);

  // Only friends can be put in a group.
  const notFriend = await owner.call('POST', '/users/@me/channels', { recipients: [ann.id, outsider.id] });
  assert.equal(notFriend.status, 403);
  assert.equal(notFriend.body.code, 50007);
  const created = await owner.call('POST', '/users/@me/channels', { recipients: [ann.id, ben.id, ann.id] });
  assert.equal(created.status, 200, created.text);
  const group = created.body;
  assert.deepEqual(Object.keys(group).sort(), ['flags', 'icon', 'id', 'last_message_id', 'name', 'owner_id', 'recipients', 'type']);
  assert.equal(group.type, 3);
  assert.equal(group.name, null);
  assert.equal(group.icon, null);
  assert.equal(group.owner_id, owner.id);
  assert.deepEqual(group.recipients, [publicUser(ann), publicUser(ben)]);
  for (const [user, others] of [[owner, [ann, ben]], [ann, [owner, ben]], [ben, [owner, ann]]]) {
    const event = await user.live.next((e) => e.t === 'CHANNEL_CREATE' && e.d.id === group.id);
    assert.deepEqual(event.d.recipients, others.map(publicUser), 'each sees the others');
  }
  assert.deepEqual(await listOf(ann), [group.id]);

  // Any recipient renames it; everyone in it hears.
  const renamed = await ann.call('PATCH', `/channels/${group.id}`, { name: '  Trip planning ' });
  assert.equal(renamed.status, 200, renamed.text);
  assert.equal(renamed.body.name, 'Trip planning');
  for (const user of [owner, ann, ben]) {
    await user.live.next((e) => e.t === 'CHANNEL_UPDATE' && e.d.id === group.id && e.d.name === 'Trip planning');
  }
  assert.equal((await ann.call('PATCH', `/channels/${group.id}`, { name: 'x'.repeat(101) })).status, 400);
  const withIcon = await ben.call('PATCH', `/channels/${group.id}`, { icon: PNG });
  assert.equal(withIcon.status, 200, withIcon.text);
  assert.match(withIcon.body.icon, /^[0-9a-f]{32}$/);
  const icon = await fetch(`${server.url}/api/v1/channel-icons/${group.id}/${withIcon.body.icon}`);
  assert.equal(icon.status, 200);
  assert.equal(icon.headers.get('content-type'), 'image/png');
  assert.equal((await ben.call('PATCH', `/channels/${group.id}`, { icon: 'not an image' })).status, 400);
  assert.equal((await ben.call('PATCH', `/channels/${group.id}`, { icon: null })).body.icon, null);

  // Messages reach all three and no one else.
  const hello = await send(ben, group.id, 'hello group');
  for (const user of [owner, ann, ben]) await user.live.next((e) => e.t === 'MESSAGE_CREATE' && e.d.id === hello.id);
  await outsider.live.none((e) => e.t.startsWith('MESSAGE_') || e.t.startsWith('CHANNEL_'));

  // A recipient adds one of their own friends (not the owner's).
  await befriend(ann, outsider);
  for (const user of [owner, ann, ben]) user.live.clear();
  const added = await ann.call('PUT', `/channels/${group.id}/recipients/${outsider.id}`);
  assert.equal(added.status, 204, added.text);
  const welcome = await outsider.live.next((e) => e.t === 'CHANNEL_CREATE' && e.d.id === group.id);
  assert.deepEqual(welcome.d.recipients.map((u) => u.id), [owner.id, ann.id, ben.id]);
  for (const user of [owner, ann, ben]) {
    const event = await user.live.next((e) => e.t === 'CHANNEL_RECIPIENT_ADD');
    assert.deepEqual(event.d, { channel_id: group.id, user: publicUser(outsider) });
  }
  assert.equal((await ann.call('PUT', `/channels/${group.id}/recipients/${outsider.id}`)).status, 204, 'again: no-op');
  const notTheirFriend = await ben.call('PUT', `/channels/${group.id}/recipients/${(await register('x')).id}`);
  assert.equal(notTheirFriend.status, 403);
  assert.equal(notTheirFriend.body.code, 50007);
  // The outsider reads the history now.
  assert.equal((await outsider.call('GET', `/channels/${group.id}/messages`)).body[0].id, hello.id);

  // Only the owner removes others.
  const notOwner = await ann.call('DELETE', `/channels/${group.id}/recipients/${ben.id}`);
  assert.equal(notOwner.status, 403);
  assert.equal(notOwner.body.code, 50013);
  for (const user of [owner, ann, outsider]) user.live.clear();
  assert.equal((await owner.call('DELETE', `/channels/${group.id}/recipients/${ben.id}`)).status, 204);
  const kicked = await ben.live.next((e) => e.t === 'CHANNEL_DELETE' && e.d.id === group.id);
  assert.equal(kicked.d.type, 3);
  for (const user of [owner, ann, outsider]) {
    const event = await user.live.next((e) => e.t === 'CHANNEL_RECIPIENT_REMOVE');
    assert.deepEqual(event.d, { channel_id: group.id, user: publicUser(ben) });
  }
  assert.equal((await ben.call('GET', `/channels/${group.id}/messages`)).status, 404);
  const gone = await send(ann, group.id, 'without ben');
  await ben.live.none((e) => e.t === 'MESSAGE_CREATE' && e.d.id === gone.id);
  assert.equal((await owner.call('DELETE', `/channels/${group.id}/recipients/${ben.id}`)).body.code, 10013);

  // The owner leaves: ownership passes to whoever has been in it longest.
  for (const user of [ann, outsider]) user.live.clear();
  const left = await owner.call('DELETE', `/channels/${group.id}`);
  assert.equal(left.status, 200, left.text);
  await owner.live.next((e) => e.t === 'CHANNEL_DELETE' && e.d.id === group.id);
  for (const user of [ann, outsider]) {
    await user.live.next((e) => e.t === 'CHANNEL_RECIPIENT_REMOVE' && e.d.user.id === owner.id);
    const update = await user.live.next((e) => e.t === 'CHANNEL_UPDATE' && e.d.id === group.id);
    assert.equal(update.d.owner_id, ann.id);
  }
  assert.equal((await ann.call('GET', `/channels/${group.id}`)).body.owner_id, ann.id);
  assert.deepEqual(await listOf(owner), []);

  // The new owner may remove; the last one out deletes the group and its messages.
  assert.equal((await ann.call('DELETE', `/channels/${group.id}/recipients/${outsider.id}`)).status, 204);
  assert.equal((await ann.call('DELETE', `/channels/${group.id}/recipients/${ann.id}`)).status, 204);
  await ann.live.next((e) => e.t === 'CHANNEL_DELETE' && e.d.id === group.id);
  assert.equal(server.db.query(`SELECT count(*) FROM channels WHERE id = ${group.id}`), '0');
  assert.equal(server.db.query(`SELECT count(*) FROM messages WHERE channel_id = ${group.id}`), '0');
  for (const user of [owner, ann, ben, outsider]) user.live.close();
});

test('a group holds at most 10 people, and 9 others at creation', async () => {
  const owner = await register('owner');
  const friends = [];
  for (let i = 0; i < 10; ++i) {
    const friend = await register(`f${i}`);
    await befriend(owner, friend);
    friends.push(friend);
  }
  const tooMany = await owner.call('POST', '/users/@me/channels', { recipients: friends.map((f) => f.id) });
  assert.equal(tooMany.status, 400);
  assert.equal(tooMany.body.code, 50035);
  const none = await owner.call('POST', '/users/@me/channels', { recipients: [] });
  assert.equal(none.status, 400);
  const group = (await owner.call('POST', '/users/@me/channels', { recipients: friends.slice(0, 9).map((f) => f.id) })).body;
  assert.equal(group.recipients.length, 9);
  const full = await owner.call('PUT', `/channels/${group.id}/recipients/${friends[9].id}`);
  assert.equal(full.status, 400, full.text);
  assert.equal(full.body.code, 30004);
  // Once someone leaves, there is room.
  assert.equal((await friends[0].call('DELETE', `/channels/${group.id}`)).status, 200);
  assert.equal((await owner.call('PUT', `/channels/${group.id}/recipients/${friends[9].id}`)).status, 204);
  assert.equal(server.db.query(`SELECT count(*) FROM channel_recipients WHERE channel_id = ${group.id}`), '10');
});

test('READY carries the open DMs and groups', async () => {
  const ada = await register('ada');
  const bob = await register('bob');
  const cat = await register('cat');
  await befriend(ada, bob);
  await befriend(ada, cat);
  const dm = await openDm(ada, bob);
  const group = (await ada.call('POST', '/users/@me/channels', { recipients: [bob.id, cat.id] })).body;
  const adaGateway = connectGateway(server, ada.token);
  const ready = await adaGateway.ready;
  assert.deepEqual(ready.private_channels, (await ada.call('GET', '/users/@me/channels')).body);
  assert.deepEqual(ready.private_channels.map((c) => c.id), [group.id, dm.id]);
  const bobGateway = connectGateway(server, bob.token);
  assert.deepEqual((await bobGateway.ready).private_channels.map((c) => c.id), [group.id], 'the DM has no message yet');
  adaGateway.close();
  bobGateway.close();
});
