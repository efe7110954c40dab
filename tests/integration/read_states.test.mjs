// Read states against a real hearthd and PostgreSQL: acks move a user's marker forward (or,
// manually, anywhere), MESSAGE_ACK reaches only that user's sessions, mention counts follow
// direct, role and @everyone mentions after the marker, READY and GET /users/@me/read-states
// carry them (threads one is in included), channels carry last_message_id, and the mentions inbox
// lists what mentions you.
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
const READ_MESSAGE_HISTORY = 1n << 16n;
const NONEXISTENT = '1234567890123456789';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function createGuild(owner, name) {
  const guild = (await owner.call('POST', '/guilds', { name })).body;
  const general = (await owner.call('GET', `/guilds/${guild.id}/channels`)).body.find((c) => c.name === 'general');
  const invite = (await owner.call('POST', `/channels/${general.id}/invites`, { max_age: 0 })).body;
  return { guild, general, invite };
}

async function join(user, invite) {
  const joined = await user.call('POST', `/invites/${invite.code}`);
  assert.equal(joined.status, 200, joined.text);
}

async function send(actor, channelId, content) {
  const answer = await actor.call('POST', `/channels/${channelId}/messages`, { content });
  assert.equal(answer.status, 200, answer.text);
  return answer.body;
}

async function ack(actor, channelId, messageId, body) {
  const answer = await actor.call('POST', `/channels/${channelId}/messages/${messageId}/ack`, body);
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(answer.body, { token: null });
}

async function readStates(actor) {
  const answer = await actor.call('GET', '/users/@me/read-states');
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.body.partial, false);
  return answer.body;
}

const entryOf = (state, channelId) => state.entries.find((entry) => entry.id === channelId);

test('acks move the marker forward only, or exactly when manual; MESSAGE_ACK reaches only the user\'s sessions', async () => {
  const owner = await registerUser(server, 'owner');
  const member = await registerUser(server, 'member');
  const { general, invite } = await createGuild(owner, 'Acks');
  await join(member, invite);
  const messages = [];
  for (let i = 0; i < 3; ++i) messages.push(await send(owner, general.id, `m${i}`));
  const first = connectGateway(server, member.token);
  const second = connectGateway(server, member.token);
  const others = connectGateway(server, owner.token);
  await Promise.all([first.ready, second.ready, others.ready]);
  assert.deepEqual(await readStates(member), { version: 0, partial: false, entries: [] });

  await ack(member, general.id, messages[1].id); // no body at all
  const acked = await second.next((f) => f.t === 'MESSAGE_ACK');
  assert.deepEqual(Object.keys(acked.d).sort(), ['channel_id', 'mention_count', 'message_id', 'version']);
  assert.equal(acked.d.channel_id, general.id);
  assert.equal(acked.d.message_id, messages[1].id);
  assert.equal(acked.d.mention_count, 0);
  assert.ok(acked.d.version > 0);
  await first.next((f) => f.t === 'MESSAGE_ACK' && f.d.message_id === messages[1].id);
  let state = await readStates(member);
  assert.equal(state.version, acked.d.version);
  assert.deepEqual(state.entries, [{ id: general.id, last_message_id: messages[1].id, mention_count: 0, last_pin_timestamp: null }]);

  // Backwards without `manual`: accepted, nothing moves, nothing is announced.
  await ack(member, general.id, messages[0].id, { token: null });
  assert.equal(entryOf(await readStates(member), general.id).last_message_id, messages[1].id);
  await sleep(300);
  assert.equal(second.all((f) => f.t === 'MESSAGE_ACK').length, 1);

  // Manual: exactly there (marks m1 unread again), with a newer version.
  await ack(member, general.id, messages[0].id, { manual: true });
  const manual = await second.next((f) => f.t === 'MESSAGE_ACK' && f.d.message_id === messages[0].id);
  assert.ok(manual.d.version > acked.d.version);
  state = await readStates(member);
  assert.equal(entryOf(state, general.id).last_message_id, messages[0].id);
  assert.equal(state.version, manual.d.version);
  await ack(member, general.id, messages[2].id, { token: null });
  assert.equal(entryOf(await readStates(member), general.id).last_message_id, messages[2].id);

  const badBody = await member.call('POST', `/channels/${general.id}/messages/${messages[2].id}/ack`, { manual: 'yes' });
  assert.equal(badBody.status, 400, badBody.text);
  assert.equal(badBody.body.code, 50035);
  const other = await createGuild(owner, 'Elsewhere');
  const foreign = await send(owner, other.general.id, 'not in general');
  for (const messageId of [NONEXISTENT, foreign.id]) {
    const missing = await member.call('POST', `/channels/${general.id}/messages/${messageId}/ack`, {});
    assert.equal(missing.status, 404, missing.text);
    assert.equal(missing.body.code, 10008);
  }
  // A channel one can't see acks like a missing one.
  assert.equal((await owner.call('POST', `/channels/${other.general.id}/messages/${foreign.id}/ack`, {})).status, 200);
  const seen = await member.call('POST', `/channels/${other.general.id}/messages/${foreign.id}/ack`, {});
  const absent = await member.call('POST', `/channels/${NONEXISTENT}/messages/${foreign.id}/ack`, {});
  assert.equal(seen.status, 404);
  assert.equal(seen.text, absent.text);

  await others.none((f) => f.t === 'MESSAGE_ACK' && f.d.channel_id === general.id, 0);
  assert.ok(!(await readStates(owner)).entries.some((entry) => entry.id === general.id), 'read states are per user');
  const anonymous = await fetch(`${server.url}/api/v1/users/@me/read-states`);
  assert.equal(anonymous.status, 401);
  first.close();
  second.close();
  others.close();
});

test('mention counts: direct, role and @everyone after the marker; READY carries read_state and last_message_id', async () => {
  const owner = await registerUser(server, 'owner');
  const member = await registerUser(server, 'member');
  const bystander = await registerUser(server, 'bystander');
  const { guild, general, invite } = await createGuild(owner, 'Mentions');
  // An @everyone from before the member joined is not theirs to read.
  await send(owner, general.id, '@everyone before you came');
  await sleep(5);
  await join(member, invite);
  await join(bystander, invite);
  const team = (await owner.call('POST', `/guilds/${guild.id}/roles`, { name: 'team', mentionable: true })).body;
  assert.equal((await owner.call('PUT', `/guilds/${guild.id}/members/${member.id}/roles/${team.id}`)).status, 204);

  const direct = await send(owner, general.id, `hi <@${member.id}>`);
  const byRole = await send(owner, general.id, `hey <@&${team.id}>`);
  const everyone = await send(owner, general.id, '@everyone listen');
  await send(owner, general.id, 'plain');
  await send(owner, general.id, `only <@${bystander.id}>`);
  const own = await send(member, general.id, `talking to myself <@${member.id}>`);
  assert.equal(everyone.mention_everyone, true);

  assert.deepEqual(entryOf(await readStates(member), general.id),
    { id: general.id, last_message_id: null, mention_count: 3, last_pin_timestamp: null });
  assert.equal(entryOf(await readStates(bystander), general.id).mention_count, 2, '@everyone and the direct one');
  assert.equal(entryOf(await readStates(owner), general.id), undefined, 'no marker, no mention: no entry');

  const live = connectGateway(server, member.token);
  const ready = await live.ready;
  assert.deepEqual(ready.read_state, await readStates(member));
  const readyGeneral = ready.guilds[0].channels.find((c) => c.id === general.id);
  assert.equal(readyGeneral.last_message_id, own.id);
  assert.equal(readyGeneral.last_pin_timestamp, null);

  await ack(member, general.id, byRole.id);
  const acked = await live.next((f) => f.t === 'MESSAGE_ACK');
  assert.equal(acked.d.mention_count, 1, 'only @everyone is after the marker');
  assert.deepEqual(entryOf(await readStates(member), general.id),
    { id: general.id, last_message_id: byRole.id, mention_count: 1, last_pin_timestamp: null });
  await ack(member, general.id, own.id);
  assert.equal((await live.next((f) => f.t === 'MESSAGE_ACK' && f.d.message_id === own.id)).d.mention_count, 0);
  await ack(member, general.id, direct.id, { manual: true });
  assert.equal((await live.next((f) => f.t === 'MESSAGE_ACK' && f.d.message_id === direct.id)).d.mention_count, 2);

  // Channels carry their newest message; a new one has none.
  assert.equal((await member.call('GET', `/channels/${general.id}`)).body.last_message_id, own.id);
  const fresh = (await owner.call('POST', `/guilds/${guild.id}/channels`, { name: 'fresh', type: 0 })).body;
  assert.equal(fresh.last_message_id, null);
  assert.equal(fresh.last_pin_timestamp, null);
  const listed = (await member.call('GET', `/guilds/${guild.id}/channels`)).body;
  assert.equal(listed.find((c) => c.id === general.id).last_message_id, own.id);
  // It is the newest message sent, deleted or not (Discord: "may not point to an existing
  // message"): deleting it leaves the channel's last_message_id where it was, in READY too.
  assert.equal((await member.call('DELETE', `/channels/${general.id}/messages/${own.id}`)).status, 204);
  assert.equal((await member.call('GET', `/channels/${general.id}`)).body.last_message_id, own.id);
  const again = connectGateway(server, member.token);
  assert.equal((await again.ready).guilds[0].channels.find((c) => c.id === general.id).last_message_id, own.id);
  again.close();
  const later = await send(owner, general.id, 'after the deletion');
  assert.equal((await member.call('GET', `/channels/${general.id}`)).body.last_message_id, later.id);

  // A channel the member can no longer see leaves their read state.
  const side = await send(owner, fresh.id, `psst <@${member.id}>`);
  assert.equal(entryOf(await readStates(member), fresh.id).mention_count, 1);
  assert.equal((await member.call('GET', `/channels/${fresh.id}`)).body.last_message_id, side.id);
  assert.equal((await owner.call('PUT', `/channels/${fresh.id}/permissions/${member.id}`,
    { type: 1, allow: '0', deny: String(VIEW_CHANNEL) })).status, 204);
  assert.equal(entryOf(await readStates(member), fresh.id), undefined);
  live.close();
});

test('threads: an entry per joined thread one can see, read up to joining until acked, with its mentions', async () => {
  const owner = await registerUser(server, 'owner');
  const member = await registerUser(server, 'member');
  const { guild, general, invite } = await createGuild(owner, 'Threads');
  await join(member, invite);
  const thread = (await owner.call('POST', `/channels/${general.id}/threads`, { name: 'plans', type: 11 })).body;
  assert.equal(thread.type, 11);
  const before = await send(owner, thread.id, `before you joined <@${member.id}>`);
  assert.equal(entryOf(await readStates(member), thread.id), undefined, 'not in it: no entry');
  await sleep(5);
  assert.equal((await member.call('PUT', `/channels/${thread.id}/thread-members/@me`)).status, 204);
  // Without an ack, read up to what was there when they joined; that mention isn't theirs.
  assert.deepEqual(entryOf(await readStates(member), thread.id),
    { id: thread.id, last_message_id: before.id, mention_count: 0, last_pin_timestamp: null });

  await sleep(5);
  const mention = await send(owner, thread.id, `hi <@${member.id}>`);
  await send(owner, thread.id, 'plain');
  await send(owner, thread.id, '@everyone look');
  assert.deepEqual(entryOf(await readStates(member), thread.id),
    { id: thread.id, last_message_id: before.id, mention_count: 2, last_pin_timestamp: null });
  assert.equal(entryOf(await readStates(owner), thread.id).mention_count, 0, 'the owner is in it too, mentioning no one');

  const live = connectGateway(server, member.token);
  await live.ready;
  await ack(member, thread.id, mention.id);
  assert.equal((await live.next((f) => f.t === 'MESSAGE_ACK' && f.d.channel_id === thread.id)).d.mention_count, 1);
  const again = await send(owner, thread.id, `again <@${member.id}>`);
  assert.deepEqual(entryOf(await readStates(member), thread.id),
    { id: thread.id, last_message_id: mention.id, mention_count: 2, last_pin_timestamp: null });
  live.close();
  // The mentions inbox has the thread's mentions since joining it.
  const inbox = async () => (await member.call('GET', '/users/@me/mentions')).body.map((m) => m.id);
  const mentioned = await inbox();
  assert.ok(mentioned.includes(again.id) && mentioned.includes(mention.id), JSON.stringify(mentioned));
  assert.ok(!mentioned.includes(before.id), 'not from before joining the thread');

  // READY: the same entries, and the thread with its newest message to compare with.
  const fresh = connectGateway(server, member.token);
  const ready = await fresh.ready;
  assert.deepEqual(ready.read_state, await readStates(member));
  const readyThread = ready.guilds[0].threads.find((t) => t.id === thread.id);
  assert.equal(readyThread.last_message_id, again.id);
  assert.ok(readyThread.member);
  fresh.close();

  // A thread they start has nothing before them; archived threads they are in stay listed.
  const own = (await member.call('POST', `/channels/${general.id}/threads`, { name: 'mine', type: 11 })).body;
  assert.equal(own.type, 11, JSON.stringify(own));
  assert.deepEqual(entryOf(await readStates(member), own.id),
    { id: own.id, last_message_id: null, mention_count: 0, last_pin_timestamp: null });
  assert.equal((await member.call('PATCH', `/channels/${own.id}`, { archived: true })).status, 200);
  assert.ok(entryOf(await readStates(member), own.id), 'archived: still listed');

  // A private thread: listed while a member, gone once removed.
  const secret = (await owner.call('POST', `/channels/${general.id}/threads`, { name: 'secret', type: 12 })).body;
  assert.equal((await owner.call('PUT', `/channels/${secret.id}/thread-members/${member.id}`)).status, 204);
  await sleep(5);
  const psst = await send(owner, secret.id, `psst <@${member.id}>`);
  assert.equal(entryOf(await readStates(member), secret.id).mention_count, 1);
  assert.ok((await inbox()).includes(psst.id));
  assert.equal((await owner.call('DELETE', `/channels/${secret.id}/thread-members/${member.id}`)).status, 204);
  assert.equal(entryOf(await readStates(member), secret.id), undefined);
  assert.ok(!(await inbox()).includes(psst.id), 'out of the private thread: its mentions go from the inbox');

  // A thread whose parent they can no longer see is not listed, though they are still in it.
  const side = (await owner.call('POST', `/guilds/${guild.id}/channels`, { name: 'side', type: 0 })).body;
  const hidden = (await owner.call('POST', `/channels/${side.id}/threads`, { name: 'hidden', type: 11 })).body;
  assert.equal((await member.call('PUT', `/channels/${hidden.id}/thread-members/@me`)).status, 204);
  assert.ok(entryOf(await readStates(member), hidden.id));
  assert.equal((await owner.call('PUT', `/channels/${side.id}/permissions/${member.id}`,
    { type: 1, allow: '0', deny: String(VIEW_CHANNEL) })).status, 204);
  assert.equal(server.db.query(`SELECT count(*) FROM thread_members WHERE thread_id = ${hidden.id} AND user_id = ${member.id}`), '1');
  const after = await readStates(member);
  assert.equal(entryOf(after, hidden.id), undefined);
  assert.ok(entryOf(after, thread.id));
  const readyAfter = connectGateway(server, member.token);
  assert.deepEqual((await readyAfter.ready).read_state, after);
  readyAfter.close();
});

test('pins ack: the read state records the pin time seen; CHANNEL_PINS_ACK to the user', async () => {
  const owner = await registerUser(server, 'owner');
  const { general } = await createGuild(owner, 'Pin acks');
  const message = await send(owner, general.id, 'pin me');
  assert.equal((await owner.call('PUT', `/channels/${general.id}/pins/${message.id}`)).status, 204);
  const pinTime = (await owner.call('GET', `/channels/${general.id}`)).body.last_pin_timestamp;
  assert.ok(pinTime);
  const live = connectGateway(server, owner.token);
  await live.ready;
  assert.equal((await owner.call('POST', `/channels/${general.id}/pins/ack`)).status, 204);
  const acked = await live.next((f) => f.t === 'CHANNEL_PINS_ACK');
  assert.equal(acked.d.channel_id, general.id);
  assert.equal(acked.d.timestamp, pinTime);
  assert.deepEqual(entryOf(await readStates(owner), general.id),
    { id: general.id, last_message_id: null, mention_count: 0, last_pin_timestamp: pinTime });
  live.close();
});

test('the mentions inbox: newest first, direct, role and @everyone, only channels one can read, paged', async () => {
  const owner = await registerUser(server, 'owner');
  const member = await registerUser(server, 'member');
  const a = await createGuild(owner, 'Inbox A');
  const b = await createGuild(owner, 'Inbox B');
  await send(owner, a.general.id, '@everyone before you came');
  await sleep(5);
  await join(member, a.invite);
  await join(member, b.invite);
  const team = (await owner.call('POST', `/guilds/${a.guild.id}/roles`, { name: 'team', mentionable: true })).body;
  assert.equal((await owner.call('PUT', `/guilds/${a.guild.id}/members/${member.id}/roles/${team.id}`)).status, 204);
  const secret = (await owner.call('POST', `/guilds/${a.guild.id}/channels`, { name: 'secret', type: 0 })).body;

  const direct = await send(owner, a.general.id, `hi <@${member.id}>`);
  const byRole = await send(owner, a.general.id, `hey <@&${team.id}>`);
  const everyone = await send(owner, a.general.id, '@everyone listen');
  await send(owner, a.general.id, 'plain');
  await send(member, a.general.id, `me <@${member.id}>`);
  const hiddenLater = await send(owner, secret.id, `secret <@${member.id}>`);
  const otherServer = await send(owner, b.general.id, `over here <@${member.id}>`);

  const inbox = async (query = '') => {
    const answer = await member.call('GET', `/users/@me/mentions${query}`);
    assert.equal(answer.status, 200, answer.text);
    return answer.body.map((m) => m.id);
  };
  assert.deepEqual(await inbox(), [otherServer.id, hiddenLater.id, everyone.id, byRole.id, direct.id]);
  const full = (await member.call('GET', '/users/@me/mentions?limit=1')).body[0];
  assert.equal(full.content, `over here <@${member.id}>`);
  assert.equal(full.channel_id, b.general.id);

  // Losing READ_MESSAGE_HISTORY (or sight) of a channel takes its mentions out.
  assert.equal((await owner.call('PUT', `/channels/${secret.id}/permissions/${member.id}`,
    { type: 1, allow: '0', deny: String(READ_MESSAGE_HISTORY) })).status, 204);
  assert.deepEqual(await inbox(), [otherServer.id, everyone.id, byRole.id, direct.id]);
  assert.deepEqual(await inbox('?limit=2'), [otherServer.id, everyone.id]);
  assert.deepEqual(await inbox(`?before=${everyone.id}`), [byRole.id, direct.id]);
  assert.deepEqual(await inbox(`?guild_id=${a.guild.id}`), [everyone.id, byRole.id, direct.id]);
  assert.deepEqual(await inbox('?roles=false'), [otherServer.id, everyone.id, direct.id]);
  assert.deepEqual(await inbox('?everyone=false'), [otherServer.id, byRole.id, direct.id]);
  assert.deepEqual(await inbox(`?guild_id=${NONEXISTENT}`), []);
  for (const query of ['?limit=0', '?limit=101', '?before=x', '?roles=maybe']) {
    const refused = await member.call('GET', `/users/@me/mentions${query}`);
    assert.equal(refused.status, 400, `${query}: ${refused.text}`);
    assert.equal(refused.body.code, 50035);
  }
  // Leaving a server takes its mentions out too.
  assert.equal((await member.call('DELETE', `/users/@me/guilds/${b.guild.id}`)).status, 204);
  assert.deepEqual(await inbox(), [everyone.id, byRole.id, direct.id]);
  const anonymous = await fetch(`${server.url}/api/v1/users/@me/mentions`);
  assert.equal(anonymous.status, 401);
});
