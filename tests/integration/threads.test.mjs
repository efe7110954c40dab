// Threads against a real hearthd and PostgreSQL, with gateway clients: threads from a message and
// standalone, public and private; the permissions they take from their parent; archiving, locking
// and auto-archiving; membership; the active and archived lists with paging; READY; events that
// reach exactly those who may see the thread; and hidden threads answered like missing channels.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHearthd } from '../support/hearthd.mjs';
import { registerUser } from '../support/users.mjs';
import { connectGateway } from '../support/gateway.mjs';

let server;
before(async () => {
  server = await startHearthd({ args: ['--auth-requests-per-minute', '10000'] });
});
after(async () => {
  assert.equal((await server.stop()).code, 0, server.logs());
});

const VIEW_CHANNEL = 1n << 10n;
const SEND_MESSAGES = 1n << 11n;
const MANAGE_THREADS = 1n << 34n;
const CREATE_PUBLIC_THREADS = 1n << 35n;
const CREATE_PRIVATE_THREADS = 1n << 36n;
const SEND_MESSAGES_IN_THREADS = 1n << 38n;
const HAS_THREAD = 1 << 5;
const MISSING = '1111111111111111111';

const register = (label) => registerUser(server, label);

async function live(label) {
  const user = await register(label);
  user.live = connectGateway(server, user.token);
  await user.live.ready;
  return user;
}

/**
 * A server owned by `owner` that the others join, with a "mods" role (MANAGE_THREADS) given to
 * `mods`. Resolves to {guild, general, mods}.
 */
async function world(owner, members, mods = []) {
  const guild = (await owner.call('POST', '/guilds', { name: 'Threads' })).body;
  const general = (await owner.call('GET', `/guilds/${guild.id}/channels`)).body.find((c) => c.name === 'general');
  const invite = (await owner.call('POST', `/channels/${general.id}/invites`, { max_age: 0 })).body;
  for (const member of [...members, ...mods]) {
    const joined = await member.call('POST', `/invites/${invite.code}`);
    assert.equal(joined.status, 200, joined.text);
  }
  const role = await owner.call('POST', `/guilds/${guild.id}/roles`, { name: 'mods', permissions: String(MANAGE_THREADS) });
  assert.equal(role.status, 200, role.text);
  for (const mod of mods) {
    assert.equal((await owner.call('PUT', `/guilds/${guild.id}/members/${mod.id}/roles/${role.body.id}`)).status, 204);
  }
  return { guild, general };
}

async function send(user, channelId, content) {
  const sent = await user.call('POST', `/channels/${channelId}/messages`, { content });
  assert.equal(sent.status, 200, sent.text);
  return sent.body;
}

async function startThread(user, channelId, body) {
  const made = await user.call('POST', `/channels/${channelId}/threads`, body);
  assert.equal(made.status, 201, made.text);
  return made.body;
}

async function overwrite(owner, channelId, id, allow, deny, type = 0) {
  const put = await owner.call('PUT', `/channels/${channelId}/permissions/${id}`, {
    type, allow: String(allow), deny: String(deny),
  });
  assert.equal(put.status, 204, put.text);
}

/** Asserts that `path` answers `user` exactly as the same route on a channel that doesn't exist. */
async function hiddenLikeMissing(user, method, path, id, body) {
  const real = await user.call(method, path, body);
  const twin = await user.call(method, path.replace(id, MISSING), body);
  assert.equal(real.status, 404, `${method} ${path}: ${real.text}`);
  assert.equal(real.text, twin.text, `${method} ${path}: same body as a missing channel`);
}

const isThreadEvent = (id) => (e) => e.t.startsWith('THREAD_') && (e.d.id === id || e.d.thread_id === id);

test('a thread from a message: public, the message id, HAS_THREAD, one per message, events', async () => {
  const ada = await live('ada');
  const bob = await live('bob');
  const { guild, general } = await world(ada, [bob]);
  const message = await send(ada, general.id, 'shall we plan the trip?');

  const made = await bob.call('POST', `/channels/${general.id}/messages/${message.id}/threads`, {
    name: '  Trip plans ', auto_archive_duration: 60,
  });
  assert.equal(made.status, 201, made.text);
  const thread = made.body;
  assert.deepEqual(Object.keys(thread).sort(), [
    'flags', 'guild_id', 'id', 'last_message_id', 'member_count', 'message_count', 'name', 'owner_id', 'parent_id',
    'rate_limit_per_user', 'thread_metadata', 'total_message_sent', 'type',
  ]);
  assert.equal(thread.id, message.id, 'a thread from a message has its id');
  assert.equal(thread.type, 11);
  assert.equal(thread.name, 'Trip plans');
  assert.equal(thread.guild_id, guild.id);
  assert.equal(thread.parent_id, general.id);
  assert.equal(thread.owner_id, bob.id);
  assert.equal(thread.member_count, 1);
  assert.equal(thread.message_count, 0);
  assert.equal(thread.last_message_id, null);
  assert.deepEqual(Object.keys(thread.thread_metadata).sort(),
    ['archive_timestamp', 'archived', 'auto_archive_duration', 'create_timestamp', 'locked']);
  assert.equal(thread.thread_metadata.archived, false);
  assert.equal(thread.thread_metadata.auto_archive_duration, 60);
  assert.equal(thread.thread_metadata.locked, false);

  for (const user of [ada, bob]) {
    const created = await user.live.next((e) => e.t === 'THREAD_CREATE' && e.d.id === thread.id);
    assert.deepEqual(created.d, { ...thread, newly_created: true });
    const update = await user.live.next((e) => e.t === 'MESSAGE_UPDATE' && e.d.id === message.id);
    assert.equal(update.d.flags, HAS_THREAD);
    assert.deepEqual(update.d.thread, thread);
    assert.equal(update.d.content, message.content);
  }
  const own = await bob.live.next((e) => e.t === 'THREAD_MEMBER_UPDATE');
  assert.equal(own.d.id, thread.id);
  assert.equal(own.d.user_id, bob.id);
  assert.equal(own.d.guild_id, guild.id);
  await ada.live.none((e) => e.t === 'THREAD_MEMBER_UPDATE');

  // The message shows its thread, in history and alone; the thread is not a channel of the list.
  const one = (await ada.call('GET', `/channels/${general.id}/messages/${message.id}`)).body;
  assert.equal(one.flags, HAS_THREAD);
  assert.deepEqual(one.thread, thread);
  const page = (await ada.call('GET', `/channels/${general.id}/messages`)).body;
  assert.equal(page.find((m) => m.id === message.id).thread.id, thread.id);
  const listed = (await ada.call('GET', `/guilds/${guild.id}/channels`)).body.map((c) => c.id);
  assert.ok(!listed.includes(thread.id));
  assert.deepEqual((await ada.call('GET', `/channels/${thread.id}`)).body, thread);

  // One thread per message.
  const again = await ada.call('POST', `/channels/${general.id}/messages/${message.id}/threads`, { name: 'again' });
  assert.equal(again.status, 400);
  assert.deepEqual(again.body, { code: 160004, message: 'A thread has already been created for this message' });
  // A message elsewhere, or none, is unknown; a thread can't start from a thread's message.
  const other = (await ada.call('POST', `/guilds/${guild.id}/channels`, { name: 'other' })).body;
  const wrong = await ada.call('POST', `/channels/${other.id}/messages/${message.id}/threads`, { name: 'x' });
  assert.equal(wrong.status, 404);
  assert.equal(wrong.body.code, 10008);
  assert.equal((await ada.call('POST', `/channels/${general.id}/messages/${MISSING}/threads`, { name: 'x' })).body.code,
    10008);
  const inner = await send(ada, thread.id, 'inside');
  const nested = await ada.call('POST', `/channels/${thread.id}/messages/${inner.id}/threads`, { name: 'x' });
  assert.equal(nested.status, 400);
  assert.equal(nested.body.code, 50024);
  for (const body of [{}, { name: '' }, { name: 'x'.repeat(101) }, { name: 'x', auto_archive_duration: 30 },
    { name: 'x', rate_limit_per_user: -1 }, { name: 5 }]) {
    const other2 = await send(ada, general.id, 'another');
    const bad = await ada.call('POST', `/channels/${general.id}/messages/${other2.id}/threads`, body);
    assert.equal(bad.status, 400, JSON.stringify(body));
    assert.equal(bad.body.code, 50035, JSON.stringify(body));
  }
  // Threads have no overwrites of their own.
  const perms = await ada.call('PUT', `/channels/${thread.id}/permissions/${bob.id}`, { type: 1, allow: '0', deny: '0' });
  assert.equal(perms.status, 400);
  assert.equal(perms.body.code, 50024);

  const audit = (await ada.call('GET', `/guilds/${guild.id}/audit-logs?action_type=110`)).body.audit_log_entries;
  assert.equal(audit.length, 1);
  assert.equal(audit[0].target_id, thread.id);
  assert.equal(audit[0].user_id, bob.id);
  for (const user of [ada, bob]) user.live.close();
});

test('private threads: members and MANAGE_THREADS only, invitations, removal; events follow', async () => {
  const ada = await live('ada'); // owner
  const bob = await live('bob');
  const cat = await live('cat');
  const dan = await live('dan');
  const mod = await live('mod');
  const { guild, general } = await world(ada, [bob, cat, dan], [mod]);

  // A standalone thread is private by default (Discord v10).
  const thread = await startThread(bob, general.id, { name: 'secret plans' });
  assert.equal(thread.type, 12);
  assert.equal(thread.thread_metadata.invitable, true);
  assert.equal(thread.member_count, 1);
  for (const user of [ada, bob, mod]) await user.live.next((e) => e.t === 'THREAD_CREATE' && e.d.id === thread.id);
  await cat.live.none(isThreadEvent(thread.id));

  // Not a member: every route answers like a channel that doesn't exist.
  for (const [method, path, body] of [
    ['GET', `/channels/${thread.id}`],
    ['PATCH', `/channels/${thread.id}`, { name: 'peek' }],
    ['DELETE', `/channels/${thread.id}`],
    ['GET', `/channels/${thread.id}/messages`],
    ['POST', `/channels/${thread.id}/messages`, { content: 'let me in' }],
    ['GET', `/channels/${thread.id}/thread-members`],
    ['PUT', `/channels/${thread.id}/thread-members/@me`],
    ['GET', `/channels/${thread.id}/thread-members/${bob.id}`],
  ]) {
    await hiddenLikeMissing(cat, method, path, thread.id, body);
  }
  assert.equal((await mod.call('GET', `/channels/${thread.id}`)).status, 200, 'MANAGE_THREADS sees it');

  const first = await send(bob, thread.id, 'just us');
  for (const user of [ada, bob, mod]) await user.live.next((e) => e.t === 'MESSAGE_CREATE' && e.d.id === first.id);
  await cat.live.none((e) => e.t.startsWith('MESSAGE_'));

  // Bob invites Cat: she learns of the thread, and the members of her arrival.
  assert.equal((await bob.call('PUT', `/channels/${thread.id}/thread-members/${cat.id}`)).status, 204);
  const learned = await cat.live.next((e) => e.t === 'THREAD_CREATE' && e.d.id === thread.id);
  assert.ok(!('newly_created' in learned.d));
  assert.equal(learned.d.member_count, 2);
  const mine = await cat.live.next((e) => e.t === 'THREAD_MEMBER_UPDATE' && e.d.id === thread.id);
  assert.equal(mine.d.user_id, cat.id);
  const arrival = await bob.live.next((e) => e.t === 'THREAD_MEMBERS_UPDATE' && e.d.id === thread.id);
  assert.deepEqual(Object.keys(arrival.d).sort(), ['added_members', 'guild_id', 'id', 'member_count']);
  assert.equal(arrival.d.member_count, 2);
  assert.deepEqual(arrival.d.added_members.map((m) => m.user_id), [cat.id]);
  await cat.live.next((e) => e.t === 'THREAD_MEMBERS_UPDATE' && e.d.id === thread.id);
  await dan.live.none(isThreadEvent(thread.id));
  // Again: nothing changes, no event.
  cat.live.clear();
  assert.equal((await bob.call('PUT', `/channels/${thread.id}/thread-members/${cat.id}`)).status, 204);
  await cat.live.none(isThreadEvent(thread.id), 300);

  const history = (await cat.call('GET', `/channels/${thread.id}/messages`)).body;
  assert.deepEqual(history.map((m) => m.id), [first.id]);
  const reply = await send(cat, thread.id, 'hello');
  await bob.live.next((e) => e.t === 'MESSAGE_CREATE' && e.d.id === reply.id);
  await dan.live.none((e) => e.t.startsWith('MESSAGE_'));

  const members = (await cat.call('GET', `/channels/${thread.id}/thread-members`)).body;
  assert.deepEqual(members.map((m) => m.user_id), [bob.id, cat.id]);
  assert.deepEqual(Object.keys(members[0]).sort(), ['flags', 'id', 'join_timestamp', 'user_id']);
  assert.equal((await cat.call('GET', `/channels/${thread.id}/thread-members/${cat.id}`)).body.user_id, cat.id);
  const notIn = await cat.call('GET', `/channels/${thread.id}/thread-members/${ada.id}`);
  assert.equal(notIn.status, 404);
  assert.equal(notIn.body.code, 10007);

  // A message from a moderator makes them a member.
  await send(mod, thread.id, 'moderator here');
  const joined = await mod.live.next((e) => e.t === 'THREAD_MEMBER_UPDATE' && e.d.id === thread.id);
  assert.equal(joined.d.user_id, mod.id);
  assert.equal((await bob.call('GET', `/channels/${thread.id}`)).body.member_count, 3);

  // Not invitable: members can't add others; moderators still can.
  const closed = await mod.call('PATCH', `/channels/${thread.id}`, { invitable: false });
  assert.equal(closed.status, 200, closed.text);
  assert.equal(closed.body.thread_metadata.invitable, false);
  const refused = await bob.call('PUT', `/channels/${thread.id}/thread-members/${dan.id}`);
  assert.equal(refused.status, 403);
  assert.equal(refused.body.code, 50013);
  assert.equal((await bob.call('PATCH', `/channels/${thread.id}`, { invitable: true })).status, 403);
  assert.equal((await mod.call('PUT', `/channels/${thread.id}/thread-members/${dan.id}`)).status, 204);
  await dan.live.next((e) => e.t === 'THREAD_CREATE' && e.d.id === thread.id);
  // Strangers and members who can't see the parent can't be added.
  const stranger = await register('stranger');
  const noMember = await mod.call('PUT', `/channels/${thread.id}/thread-members/${stranger.id}`);
  assert.equal(noMember.status, 404);
  assert.equal(noMember.body.code, 10007);

  // The private thread's owner removes Cat; she hears of it, then sees nothing more.
  cat.live.clear();
  assert.equal((await bob.call('DELETE', `/channels/${thread.id}/thread-members/${cat.id}`)).status, 204);
  const removal = await cat.live.next((e) => e.t === 'THREAD_MEMBERS_UPDATE' && e.d.id === thread.id);
  assert.deepEqual(removal.d.removed_member_ids, [cat.id]);
  await bob.live.next((e) => e.t === 'THREAD_MEMBERS_UPDATE' && e.d.removed_member_ids?.includes(cat.id));
  await hiddenLikeMissing(cat, 'GET', `/channels/${thread.id}/messages`, thread.id);
  const unseen = await send(bob, thread.id, 'after cat left');
  await dan.live.next((e) => e.t === 'MESSAGE_CREATE' && e.d.id === unseen.id);
  await cat.live.none((e) => e.t.startsWith('MESSAGE_'));
  // Only the owner and moderators remove others; anyone leaves.
  assert.equal((await dan.call('DELETE', `/channels/${thread.id}/thread-members/${bob.id}`)).status, 403);
  assert.equal((await dan.call('DELETE', `/channels/${thread.id}/thread-members/@me`)).status, 204);
  assert.equal((await dan.call('GET', `/channels/${thread.id}`)).status, 404);
  const gone = await mod.call('DELETE', `/channels/${thread.id}/thread-members/${dan.id}`);
  assert.equal(gone.status, 404);
  assert.equal(gone.body.code, 10007);

  // Public threads: seen by all who see the parent; joining and leaving are one's own choice.
  const open = await startThread(bob, general.id, { name: 'open', type: 11 });
  assert.ok(!('invitable' in open.thread_metadata));
  await cat.live.next((e) => e.t === 'THREAD_CREATE' && e.d.id === open.id);
  assert.equal((await cat.call('PUT', `/channels/${open.id}/thread-members/@me`)).status, 204);
  await cat.live.next((e) => e.t === 'THREAD_MEMBER_UPDATE' && e.d.id === open.id);
  assert.equal((await cat.call('GET', `/channels/${open.id}`)).body.member_count, 2);
  assert.equal((await cat.call('DELETE', `/channels/${open.id}/thread-members/@me`)).status, 204);
  assert.equal((await cat.call('GET', `/channels/${open.id}`)).body.member_count, 1);
  const invitable = await bob.call('PATCH', `/channels/${open.id}`, { invitable: false });
  assert.equal(invitable.status, 400);
  assert.equal(invitable.body.code, 50035);

  // Deleting a private thread: MANAGE_THREADS; the event reaches its members and moderators only.
  for (const user of [ada, bob, cat, dan, mod]) user.live.clear();
  assert.equal((await bob.call('DELETE', `/channels/${thread.id}`)).status, 403);
  const deleted = await mod.call('DELETE', `/channels/${thread.id}`);
  assert.equal(deleted.status, 200, deleted.text);
  const expected = { id: thread.id, guild_id: guild.id, parent_id: general.id, type: 12 };
  for (const user of [ada, bob, mod]) {
    assert.deepEqual((await user.live.next((e) => e.t === 'THREAD_DELETE')).d, expected);
  }
  for (const user of [cat, dan]) await user.live.none((e) => e.t === 'THREAD_DELETE');
  assert.equal((await bob.call('GET', `/channels/${thread.id}`)).status, 404);
  assert.equal(server.db.query(`SELECT count(*) FROM messages WHERE channel_id = ${thread.id}`), '0');
  const audit = (await ada.call('GET', `/guilds/${guild.id}/audit-logs?action_type=112`)).body.audit_log_entries;
  assert.deepEqual(audit.map((e) => e.target_id), [thread.id]);
  for (const user of [ada, bob, cat, dan, mod]) user.live.close();
});

test('permissions come from the parent: creating, sending in threads, hidden parents', async () => {
  const ada = await live('ada');
  const bob = await live('bob');
  const { guild, general } = await world(ada, [bob]);

  // CREATE_PUBLIC_THREADS / CREATE_PRIVATE_THREADS in the parent.
  await overwrite(ada, general.id, guild.id, 0n, CREATE_PUBLIC_THREADS);
  const message = await send(bob, general.id, 'thread this');
  for (const [path, body] of [
    [`/channels/${general.id}/threads`, { name: 'pub', type: 11 }],
    [`/channels/${general.id}/messages/${message.id}/threads`, { name: 'pub' }],
  ]) {
    const refused = await bob.call('POST', path, body);
    assert.equal(refused.status, 403, path);
    assert.equal(refused.body.code, 50013);
  }
  const priv = await startThread(bob, general.id, { name: 'still private', type: 12 });
  await overwrite(ada, general.id, guild.id, 0n, CREATE_PUBLIC_THREADS | CREATE_PRIVATE_THREADS);
  assert.equal((await bob.call('POST', `/channels/${general.id}/threads`, { name: 'no', type: 12 })).status, 403);
  const pub = await startThread(ada, general.id, { name: 'public', type: 11 });
  const voice = (await ada.call('GET', `/guilds/${guild.id}/channels`)).body.find((c) => c.type === 2);
  const onVoice = await ada.call('POST', `/channels/${voice.id}/threads`, { name: 'no', type: 11 });
  assert.equal(onVoice.status, 400);
  assert.equal(onVoice.body.code, 50024);

  // SEND_MESSAGES_IN_THREADS, not SEND_MESSAGES, decides sending in a thread.
  await overwrite(ada, general.id, guild.id, 0n, SEND_MESSAGES_IN_THREADS);
  const quiet = await bob.call('POST', `/channels/${pub.id}/messages`, { content: 'hi' });
  assert.equal(quiet.status, 403, quiet.text);
  assert.equal(quiet.body.code, 50013);
  await send(bob, general.id, 'the channel itself is fine');
  await overwrite(ada, general.id, guild.id, SEND_MESSAGES_IN_THREADS, SEND_MESSAGES);
  await send(bob, pub.id, 'threads only');
  assert.equal((await bob.call('POST', `/channels/${general.id}/messages`, { content: 'x' })).status, 403);
  assert.equal((await bob.call('GET', `/channels/${priv.id}/messages`)).status, 200);

  // Hiding the parent hides its threads, public and private (even from members), like missing ones.
  bob.live.clear();
  await overwrite(ada, general.id, bob.id, 0n, VIEW_CHANNEL, 1);
  for (const thread of [pub, priv]) {
    for (const [method, path, body] of [
      ['GET', `/channels/${thread.id}`],
      ['GET', `/channels/${thread.id}/messages`],
      ['POST', `/channels/${thread.id}/messages`, { content: 'x' }],
      ['PUT', `/channels/${thread.id}/thread-members/@me`],
      ['GET', `/channels/${thread.id}/thread-members`],
    ]) {
      await hiddenLikeMissing(bob, method, path, thread.id, body);
    }
  }
  await hiddenLikeMissing(bob, 'GET', `/channels/${general.id}/threads/archived/public`, general.id);
  const active = (await bob.call('GET', `/guilds/${guild.id}/threads/active`)).body;
  assert.deepEqual(active, { threads: [], members: [] });
  const secret = await send(ada, pub.id, 'bob cannot see this');
  await ada.call('PATCH', `/channels/${pub.id}`, { name: 'renamed' });
  await bob.live.none((e) => e.t.startsWith('THREAD_') || (e.t.startsWith('MESSAGE_') && e.d.id === secret.id));
  // Shown again: everything is back, his membership included.
  assert.equal((await ada.call('DELETE', `/channels/${general.id}/permissions/${bob.id}`)).status, 204);
  assert.equal((await bob.call('GET', `/channels/${priv.id}`)).status, 200);
  const back = (await bob.call('GET', `/guilds/${guild.id}/threads/active`)).body;
  assert.deepEqual(back.threads.map((t) => t.id).sort(), [pub.id, priv.id].sort());
  assert.deepEqual(back.members.map((m) => m.id).sort(), [pub.id, priv.id].sort());

  // Deleting the parent deletes its threads.
  assert.equal((await ada.call('DELETE', `/channels/${general.id}`)).status, 200);
  assert.equal((await ada.call('GET', `/channels/${pub.id}`)).status, 404);
  assert.equal(server.db.query(`SELECT count(*) FROM channels WHERE id IN (${pub.id}, ${priv.id})`), '0');
  for (const user of [ada, bob]) user.live.close();
});

test('archiving and locking: who may, sending unarchives, auto-archive after inactivity, slowmode', async () => {
  const ada = await live('ada');
  const bob = await live('bob');
  const cat = await live('cat');
  const mod = await live('mod');
  const { guild, general } = await world(ada, [bob, cat], [mod]);
  const thread = await startThread(bob, general.id, { name: 'topic', type: 11, auto_archive_duration: 60 });

  // The owner renames and archives their own thread; others can't.
  const notOwner = await cat.call('PATCH', `/channels/${thread.id}`, { name: 'mine now' });
  assert.equal(notOwner.status, 403);
  assert.equal(notOwner.body.code, 50013);
  const renamed = await bob.call('PATCH', `/channels/${thread.id}`, { name: 'better topic' });
  assert.equal(renamed.status, 200, renamed.text);
  assert.equal(renamed.body.name, 'better topic');
  const update = await cat.live.next((e) => e.t === 'THREAD_UPDATE' && e.d.name === 'better topic');
  assert.deepEqual(update.d, renamed.body);
  const audit = (await ada.call('GET', `/guilds/${guild.id}/audit-logs?action_type=111`)).body.audit_log_entries;
  assert.deepEqual(audit[0].changes, [{ key: 'name', old_value: 'topic', new_value: 'better topic' }]);
  assert.equal((await cat.call('PATCH', `/channels/${thread.id}`, { archived: true })).status, 403);
  const archived = await bob.call('PATCH', `/channels/${thread.id}`, { archived: true });
  assert.equal(archived.body.thread_metadata.archived, true);
  assert.ok(Date.parse(archived.body.thread_metadata.archive_timestamp) >
    Date.parse(thread.thread_metadata.archive_timestamp));
  await cat.live.next((e) => e.t === 'THREAD_UPDATE' && e.d.thread_metadata.archived === true);
  // Archived: nothing changes but unarchiving; joining waits too.
  const frozen = await bob.call('PATCH', `/channels/${thread.id}`, { name: 'while archived' });
  assert.equal(frozen.status, 400);
  assert.deepEqual(frozen.body, { code: 50083, message: 'Cannot perform this operation on an archived thread' });
  assert.equal((await cat.call('PUT', `/channels/${thread.id}/thread-members/@me`)).body.code, 50083);

  // A message unarchives it and makes the sender a member.
  cat.live.clear();
  bob.live.clear();
  const revived = await send(cat, thread.id, 'still relevant');
  const unarchived = await bob.live.next((e) => e.t === 'THREAD_UPDATE' && e.d.thread_metadata.archived === false);
  assert.equal(unarchived.d.message_count, 1);
  assert.equal(unarchived.d.last_message_id, revived.id);
  await cat.live.next((e) => e.t === 'THREAD_MEMBER_UPDATE' && e.d.id === thread.id);
  const now = (await cat.call('GET', `/channels/${thread.id}`)).body;
  assert.equal(now.thread_metadata.archived, false);
  assert.equal(now.member_count, 2);

  // Locking: MANAGE_THREADS only; then only they send, and only they unarchive.
  assert.equal((await bob.call('PATCH', `/channels/${thread.id}`, { locked: true })).status, 403);
  assert.equal((await mod.call('PATCH', `/channels/${thread.id}`, { locked: true })).body.thread_metadata.locked, true);
  const locked = await cat.call('POST', `/channels/${thread.id}/messages`, { content: 'x' });
  assert.equal(locked.status, 403);
  assert.equal(locked.body.code, 50013);
  await send(mod, thread.id, 'moderated');
  assert.equal((await bob.call('PATCH', `/channels/${thread.id}`, { archived: true })).status, 200);
  assert.equal((await bob.call('PATCH', `/channels/${thread.id}`, { archived: false })).status, 403);
  assert.equal((await cat.call('POST', `/channels/${thread.id}/messages`, { content: 'x' })).status, 403);
  const reopened = await mod.call('PATCH', `/channels/${thread.id}`, { archived: false, locked: false });
  assert.equal(reopened.status, 200, reopened.text);
  assert.equal(reopened.body.thread_metadata.locked, false);
  assert.equal(reopened.body.thread_metadata.archived, false);
  // Unlocked, anyone who may send unarchives.
  assert.equal((await bob.call('PATCH', `/channels/${thread.id}`, { archived: true })).status, 200);
  assert.equal((await cat.call('PATCH', `/channels/${thread.id}`, { archived: false })).status, 200);

  // Auto-archive: an hour without a message (here: moved back in time) and it reads as archived.
  server.db.query(`UPDATE channels SET last_activity_at = now() - interval '61 minutes' WHERE id = ${thread.id}`);
  const idle = (await cat.call('GET', `/channels/${thread.id}`)).body;
  assert.equal(idle.thread_metadata.archived, true);
  const expectedAt = Date.parse(server.db.query(
    `SELECT to_json(last_activity_at + interval '60 minutes')#>>'{}' FROM channels WHERE id = ${thread.id}`));
  assert.equal(Date.parse(idle.thread_metadata.archive_timestamp), expectedAt);
  assert.ok(!(await cat.call('GET', `/guilds/${guild.id}/threads/active`)).body.threads.some((t) => t.id === thread.id));
  const archivedList = (await cat.call('GET', `/channels/${general.id}/threads/archived/public`)).body;
  assert.deepEqual(archivedList.threads.map((t) => t.id), [thread.id]);
  assert.deepEqual(archivedList.members.map((m) => m.user_id), [cat.id]);
  await send(cat, thread.id, 'wake up');
  assert.equal((await cat.call('GET', `/channels/${thread.id}`)).body.thread_metadata.archived, false);

  // Slowmode per thread: set by moderators, enforced per user in the thread only.
  assert.equal((await bob.call('PATCH', `/channels/${thread.id}`, { rate_limit_per_user: 60 })).status, 403);
  const slowed = await mod.call('PATCH', `/channels/${thread.id}`, { rate_limit_per_user: 60 });
  assert.equal(slowed.body.rate_limit_per_user, 60);
  await send(cat, thread.id, 'one');
  const limited = await cat.call('POST', `/channels/${thread.id}/messages`, { content: 'two' });
  assert.equal(limited.status, 429, limited.text);
  await send(cat, general.id, 'the parent has no slowmode');
  for (const body of [{ auto_archive_duration: 5 }, { rate_limit_per_user: 99999 }, { archived: 'yes' }, { name: '' }]) {
    const bad = await mod.call('PATCH', `/channels/${thread.id}`, body);
    assert.equal(bad.status, 400, JSON.stringify(body));
    assert.equal(bad.body.code, 50035);
  }
  for (const user of [ada, bob, cat, mod]) user.live.close();
});

test('active and archived lists: visibility, members, paging', async () => {
  const ada = await register('ada');
  const bob = await register('bob');
  const mod = await register('mod');
  const { guild, general } = await world(ada, [bob], [mod]);
  const pub = [];
  for (let i = 0; i < 5; ++i) pub.push(await startThread(ada, general.id, { name: `pub ${i}`, type: 11 }));
  const mine = await startThread(bob, general.id, { name: 'bob private', type: 12 });
  const theirs = await startThread(ada, general.id, { name: 'ada private', type: 12 });
  await bob.call('PUT', `/channels/${pub[4].id}/thread-members/@me`);

  const active = (await bob.call('GET', `/guilds/${guild.id}/threads/active`)).body;
  const expectedActive = [...pub.map((t) => t.id), mine.id].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : -1));
  assert.deepEqual(active.threads.map((t) => t.id), expectedActive, 'newest first, without the hidden private one');
  assert.deepEqual(active.members.map((m) => m.id).sort(), [pub[4].id, mine.id].sort());
  assert.ok(active.members.every((m) => m.user_id === bob.id));
  const modActive = (await mod.call('GET', `/guilds/${guild.id}/threads/active`)).body;
  assert.ok(modActive.threads.some((t) => t.id === theirs.id), 'MANAGE_THREADS sees private threads');
  assert.deepEqual(modActive.members, []);

  // Archive three public threads in order, and both private ones.
  for (const thread of [pub[0], pub[1], pub[2]]) {
    assert.equal((await ada.call('PATCH', `/channels/${thread.id}`, { archived: true })).status, 200);
  }
  assert.equal((await bob.call('PATCH', `/channels/${mine.id}`, { archived: true })).status, 200);
  assert.equal((await ada.call('PATCH', `/channels/${theirs.id}`, { archived: true })).status, 200);

  const page1 = (await bob.call('GET', `/channels/${general.id}/threads/archived/public?limit=2`)).body;
  assert.deepEqual(page1.threads.map((t) => t.id), [pub[2].id, pub[1].id], 'most recently archived first');
  assert.equal(page1.has_more, true);
  const before = encodeURIComponent(page1.threads[1].thread_metadata.archive_timestamp);
  const page2 = (await bob.call('GET', `/channels/${general.id}/threads/archived/public?limit=2&before=${before}`)).body;
  assert.deepEqual(page2.threads.map((t) => t.id), [pub[0].id]);
  assert.equal(page2.has_more, false);
  assert.deepEqual(page2.members, []);

  const denied = await bob.call('GET', `/channels/${general.id}/threads/archived/private`);
  assert.equal(denied.status, 403);
  assert.equal(denied.body.code, 50013);
  const privates = (await mod.call('GET', `/channels/${general.id}/threads/archived/private`)).body;
  assert.deepEqual(privates.threads.map((t) => t.id), [theirs.id, mine.id]);
  const joined = (await bob.call('GET', `/channels/${general.id}/users/@me/threads/archived/private`)).body;
  assert.deepEqual(joined.threads.map((t) => t.id), [mine.id]);
  assert.deepEqual(joined.members.map((m) => m.id), [mine.id]);
  const adaJoined = (await ada.call('GET', `/channels/${general.id}/users/@me/threads/archived/private?limit=1`)).body;
  assert.deepEqual(adaJoined.threads.map((t) => t.id), [theirs.id], 'newest id first');
  const older = (await ada.call('GET',
    `/channels/${general.id}/users/@me/threads/archived/private?before=${theirs.id}`)).body;
  assert.deepEqual(older.threads, []);

  for (const query of ['limit=0', 'limit=101', 'limit=x', 'before=yesterday', 'before=2025-13-01T00:00:00Z']) {
    const bad = await bob.call('GET', `/channels/${general.id}/threads/archived/public?${query}`);
    assert.equal(bad.status, 400, query);
    assert.equal(bad.body.code, 50035, query);
  }
  assert.equal((await bob.call('GET', `/channels/${general.id}/users/@me/threads/archived/private?before=x`)).status,
    400);
  const onThread = await bob.call('GET', `/channels/${pub[3].id}/threads/archived/public`);
  assert.equal(onThread.status, 400);
  assert.equal(onThread.body.code, 50024);
});

test('READY carries the active threads the user can see, with their membership', async () => {
  const ada = await register('ada');
  const bob = await register('bob');
  const { guild, general } = await world(ada, [bob]);
  const hidden = (await ada.call('POST', `/guilds/${guild.id}/channels`, {
    name: 'staff',
    permission_overwrites: [{ id: guild.id, type: 0, allow: '0', deny: String(VIEW_CHANNEL) }],
  })).body;
  const pub = await startThread(ada, general.id, { name: 'public', type: 11 });
  const joinedPriv = await startThread(bob, general.id, { name: 'bob private', type: 12 });
  await startThread(ada, general.id, { name: 'ada private', type: 12 });
  await startThread(ada, hidden.id, { name: 'staff thread', type: 11 });
  const done = await startThread(ada, general.id, { name: 'done', type: 11 });
  assert.equal((await ada.call('PATCH', `/channels/${done.id}`, { archived: true })).status, 200);

  const client = connectGateway(server, bob.token);
  const ready = await client.ready;
  const threads = ready.guilds.find((g) => g.id === guild.id).threads;
  assert.deepEqual(threads.map((t) => t.id).sort(), [pub.id, joinedPriv.id].sort());
  const priv = threads.find((t) => t.id === joinedPriv.id);
  assert.deepEqual(Object.keys(priv.member).sort(), ['flags', 'join_timestamp']);
  assert.ok(!('member' in threads.find((t) => t.id === pub.id)));
  assert.equal(priv.thread_metadata.invitable, true);
  client.close();
});

test('leaving the server leaves its threads; deleting the server deletes them', async () => {
  const ada = await register('ada');
  const bob = await register('bob');
  const { guild, general } = await world(ada, [bob]);
  const priv = await startThread(bob, general.id, { name: 'mine', type: 12 });
  const pub = await startThread(bob, general.id, { name: 'ours', type: 11 });
  await send(bob, pub.id, 'hello');
  assert.equal((await ada.call('DELETE', `/guilds/${guild.id}/members/${bob.id}`)).status, 204);
  assert.equal(server.db.query(`SELECT count(*) FROM thread_members WHERE thread_id = ${priv.id}`), '0');
  assert.equal((await ada.call('GET', `/channels/${priv.id}`)).body.member_count, 0);
  assert.equal((await ada.call('GET', `/channels/${pub.id}`)).body.message_count, 1, 'messages stay');

  assert.equal((await ada.call('DELETE', `/guilds/${guild.id}`)).status, 204);
  assert.equal(server.db.query(`SELECT count(*) FROM channels WHERE id IN (${priv.id}, ${pub.id})`), '0');
});
