// Reactions and pins against a real hearthd and PostgreSQL: adding, counting and removing
// reactions, who reacted, moderation, the permission rules and limits, pins with their audit log
// entries, and the gateway events, which reach exactly those who can see the channel.
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

const ADD_REACTIONS = 1n << 6n;
const VIEW_CHANNEL = 1n << 10n;
const MANAGE_MESSAGES = 1n << 13n;
const READ_MESSAGE_HISTORY = 1n << 16n;
const NONEXISTENT = '1234567890123456789';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const e = encodeURIComponent;

/** A server with its owner, #general and `count` members. */
async function setup(count = 1) {
  const owner = await registerUser(server, 'owner');
  const guild = (await owner.call('POST', '/guilds', { name: 'Reactions' })).body;
  const general = (await owner.call('GET', `/guilds/${guild.id}/channels`)).body.find((c) => c.name === 'general');
  const invite = (await owner.call('POST', `/channels/${general.id}/invites`, { max_age: 0 })).body;
  const members = [];
  for (let i = 0; i < count; ++i) {
    const member = await registerUser(server, 'member');
    assert.equal((await member.call('POST', `/invites/${invite.code}`)).status, 200);
    members.push(member);
  }
  return { owner, guild, general, members };
}

async function send(actor, channelId, content) {
  const answer = await actor.call('POST', `/channels/${channelId}/messages`, { content });
  assert.equal(answer.status, 200, answer.text);
  return answer.body;
}

async function react(actor, channelId, messageId, emoji, expected = 204) {
  const answer = await actor.call('PUT', `/channels/${channelId}/messages/${messageId}/reactions/${e(emoji)}/@me`);
  assert.equal(answer.status, expected, `${emoji}: ${answer.text}`);
  return answer;
}

async function overwrite(owner, channelId, targetId, type, allow, deny) {
  const put = await owner.call('PUT', `/channels/${channelId}/permissions/${targetId}`, {
    type, allow: String(allow), deny: String(deny),
  });
  assert.equal(put.status, 204, put.text);
}

const reaction = (name, count, me) => ({
  count, count_details: { burst: 0, normal: count }, me, me_burst: false, burst_colors: [], emoji: { id: null, name },
});

test('reactions: add, counts in first-reacted order, me per reader, who reacted, remove', async () => {
  const { owner, general, members } = await setup(2);
  const [ada, bob] = members;
  const message = await send(owner, general.id, 'react to me');
  const base = `/channels/${general.id}/messages/${message.id}`;
  await react(ada, general.id, message.id, '👍');
  await react(bob, general.id, message.id, '👍');
  await react(ada, general.id, message.id, '🔥');
  await react(owner, general.id, message.id, '❤️');
  await react(ada, general.id, message.id, '👍'); // again: nothing changes
  assert.equal(server.db.query(`SELECT count(*) FROM reactions WHERE message_id = ${message.id}`), '4');

  const seenByAda = (await ada.call('GET', base)).body;
  assert.deepEqual(seenByAda.reactions, [reaction('👍', 2, true), reaction('🔥', 1, true), reaction('❤️', 1, false)]);
  const page = (await owner.call('GET', `/channels/${general.id}/messages`)).body;
  assert.deepEqual(page[0].reactions, [reaction('👍', 2, false), reaction('🔥', 1, false), reaction('❤️', 1, true)]);
  const around = (await bob.call('GET', `/channels/${general.id}/messages?around=${message.id}&limit=1`)).body;
  assert.deepEqual(around[0].reactions.map((r) => r.me), [true, false, false]);

  // Who reacted: user objects by id, paged with after/limit.
  const byId = [ada, bob].map((u) => u.id).sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
  const users = await owner.call('GET', `${base}/reactions/${e('👍')}`);
  assert.equal(users.status, 200, users.text);
  assert.deepEqual(users.body.map((u) => u.id), byId);
  assert.deepEqual(Object.keys(users.body[0]).sort(), ['avatar', 'global_name', 'id', 'username']);
  assert.deepEqual((await owner.call('GET', `${base}/reactions/${e('👍')}?limit=1`)).body.map((u) => u.id), [byId[0]]);
  assert.deepEqual((await owner.call('GET', `${base}/reactions/${e('👍')}?after=${byId[0]}`)).body.map((u) => u.id),
    [byId[1]]);
  assert.deepEqual((await owner.call('GET', `${base}/reactions/${e('😀')}`)).body, []);
  for (const limit of ['0', '101', 'x']) {
    const refused = await owner.call('GET', `${base}/reactions/${e('👍')}?limit=${limit}`);
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.body.code, 50035);
  }

  // Removing one's own: 204, and 204 again when there is nothing left to remove.
  for (let i = 0; i < 2; ++i) {
    const removed = await ada.call('DELETE', `${base}/reactions/${e('👍')}/@me`);
    assert.equal(removed.status, 204, removed.text);
  }
  assert.deepEqual((await ada.call('GET', base)).body.reactions,
    [reaction('👍', 1, false), reaction('🔥', 1, true), reaction('❤️', 1, false)]);
  // An emoji added again after it was gone goes to the end.
  assert.equal((await ada.call('DELETE', `${base}/reactions/${e('🔥')}/@me`)).status, 204);
  await react(bob, general.id, message.id, '🔥');
  assert.deepEqual((await bob.call('GET', base)).body.reactions.map((r) => r.emoji.name), ['👍', '❤️', '🔥']);
});

test('only Unicode emoji: anything else is 400 10014; unknown messages are 404 10008', async () => {
  const { owner, general } = await setup(0);
  const message = await send(owner, general.id, 'x');
  const base = `/channels/${general.id}/messages/${message.id}`;
  for (const emoji of ['abc', e('name:123456789012345678'), e('👍👍'), '%F0%9F', e('1'), e('👍 '), '%', e('🇫')]) {
    for (const [method, path] of [['PUT', `${base}/reactions/${emoji}/@me`], ['GET', `${base}/reactions/${emoji}`],
      ['DELETE', `${base}/reactions/${emoji}/@me`], ['DELETE', `${base}/reactions/${emoji}`]]) {
      const refused = await owner.call(method, path);
      assert.equal(refused.status, 400, `${method} ${path}: ${refused.text}`);
      assert.deepEqual(refused.body, { code: 10014, message: 'Unknown Emoji' });
    }
  }
  // Sequences of several code points are one emoji: keycap, flag, ZWJ family, skin tone.
  for (const emoji of ['1️⃣', '🇫🇷', '👩‍👩‍👧‍👦', '👍🏽', '🏴󠁧󠁢󠁳󠁣󠁴󠁿']) await react(owner, general.id, message.id, emoji);
  assert.deepEqual((await owner.call('GET', base)).body.reactions.map((r) => r.emoji.name),
    ['1️⃣', '🇫🇷', '👩‍👩‍👧‍👦', '👍🏽', '🏴󠁧󠁢󠁳󠁣󠁴󠁿']);

  const other = await owner.call('POST', `/guilds`, { name: 'Elsewhere' });
  const elsewhere = (await owner.call('GET', `/guilds/${other.body.id}/channels`)).body.find((c) => c.name === 'general');
  const foreign = await send(owner, elsewhere.id, 'in another channel');
  for (const messageId of [NONEXISTENT, foreign.id, 'not-a-snowflake']) {
    const missing = await owner.call('PUT', `/channels/${general.id}/messages/${messageId}/reactions/${e('👍')}/@me`);
    assert.equal(missing.status, 404, missing.text);
    assert.equal(missing.body.code, 10008);
    const users = await owner.call('GET', `/channels/${general.id}/messages/${messageId}/reactions/${e('👍')}`);
    assert.equal(users.body.code, 10008);
  }
});

test('moderation: others\' reactions, all of them, or one emoji need MANAGE_MESSAGES', async () => {
  const { owner, general, members } = await setup(2);
  const [ada, bob] = members;
  const message = await send(ada, general.id, 'moderate me');
  const base = `/channels/${general.id}/messages/${message.id}`;
  await react(ada, general.id, message.id, '👍');
  await react(bob, general.id, message.id, '👍');
  await react(bob, general.id, message.id, '🔥');

  const refusals = [
    ['DELETE', `${base}/reactions/${e('👍')}/${bob.id}`],
    ['DELETE', `${base}/reactions/${e('👍')}`],
    ['DELETE', `${base}/reactions`],
  ];
  for (const [method, path] of refusals) {
    const refused = await ada.call(method, path);
    assert.equal(refused.status, 403, `${method} ${path}: ${refused.text}`);
    assert.equal(refused.body.code, 50013);
  }
  // One's own reaction through {user_id} is one's own to remove.
  assert.equal((await ada.call('DELETE', `${base}/reactions/${e('👍')}/${ada.id}`)).status, 204);
  assert.equal((await owner.call('DELETE', `${base}/reactions/${e('👍')}/${bob.id}`)).status, 204);
  assert.deepEqual((await owner.call('GET', base)).body.reactions, [reaction('🔥', 1, false)]);

  await react(ada, general.id, message.id, '👍');
  assert.equal((await owner.call('DELETE', `${base}/reactions/${e('🔥')}`)).status, 204);
  assert.deepEqual((await owner.call('GET', base)).body.reactions, [reaction('👍', 1, false)]);
  assert.equal((await owner.call('DELETE', `${base}/reactions`)).status, 204);
  const cleared = (await owner.call('GET', base)).body;
  assert.ok(!('reactions' in cleared), 'no reactions, no field');
  assert.equal(server.db.query(`SELECT count(*) FROM reactions WHERE message_id = ${message.id}`), '0');
  // Nothing left: still 204.
  assert.equal((await owner.call('DELETE', `${base}/reactions`)).status, 204);
  // Deleting the message takes its reactions along.
  await react(ada, general.id, message.id, '👍');
  assert.equal((await ada.call('DELETE', base)).status, 204);
  assert.equal(server.db.query(`SELECT count(*) FROM reactions WHERE message_id = ${message.id}`), '0');
});

test('refusals: ADD_REACTIONS only for new emoji, timed out, no history, 20 emoji, hidden like missing', async () => {
  const { owner, guild, general, members } = await setup(4);
  const [quiet, timedOut, blindToHistory, outsider] = members;
  const message = await send(owner, general.id, 'rules');
  const base = `/channels/${general.id}/messages/${message.id}`;

  // Without ADD_REACTIONS: no new emoji, but joining one already there is fine.
  await overwrite(owner, general.id, quiet.id, 1, 0n, ADD_REACTIONS);
  const refused = await react(quiet, general.id, message.id, '🎉', 403);
  assert.equal(refused.body.code, 50013);
  await react(owner, general.id, message.id, '🎉');
  await react(quiet, general.id, message.id, '🎉');

  // Timed out: can read, can't react at all, not even to an existing emoji.
  const until = new Date(Date.now() + 3600 * 1000).toISOString();
  assert.equal((await owner.call('PATCH', `/guilds/${guild.id}/members/${timedOut.id}`,
    { communication_disabled_until: until })).status, 200);
  assert.equal((await react(timedOut, general.id, message.id, '🎉', 403)).body.code, 50013);
  assert.equal((await timedOut.call('GET', `${base}/reactions/${e('🎉')}`)).status, 200);

  // Without READ_MESSAGE_HISTORY nothing about reactions is readable or writable.
  await overwrite(owner, general.id, blindToHistory.id, 1, 0n, READ_MESSAGE_HISTORY);
  for (const [method, path] of [['PUT', `${base}/reactions/${e('🎉')}/@me`], ['GET', `${base}/reactions/${e('🎉')}`],
    ['DELETE', `${base}/reactions/${e('🎉')}/@me`], ['GET', `/channels/${general.id}/pins`]]) {
    const answer = await blindToHistory.call(method, path);
    assert.equal(answer.status, 403, `${method} ${path}: ${answer.text}`);
  }

  // At most 20 distinct emoji on a message; joining one of them still works.
  const twenty = ['😀', '😁', '😂', '🤣', '😃', '😄', '😅', '😆', '😉', '😊', '😋', '😎', '😍', '😘', '🥰', '😗', '😙', '🥲', '😚'];
  for (const emoji of twenty) await react(owner, general.id, message.id, emoji); // 19 + 🎉 = 20
  const full = await react(owner, general.id, message.id, '🙂', 400);
  assert.deepEqual(full.body, { code: 30010, message: 'Maximum number of reactions reached (20)' });
  await react(outsider, general.id, message.id, '😀');
  assert.equal((await owner.call('GET', base)).body.reactions.length, 20);

  // 20 requests at once for a fresh message: never more than 20 emoji.
  const fresh = await send(owner, general.id, 'race');
  const racers = [...twenty, '🎉', '🙂', '🙃', '🫠'];
  const answers = await Promise.all(racers.map((emoji) =>
    owner.call('PUT', `/channels/${general.id}/messages/${fresh.id}/reactions/${e(emoji)}/@me`)));
  assert.equal(answers.filter((a) => a.status === 204).length, 20, answers.map((a) => a.status).join(','));
  assert.equal(answers.filter((a) => a.status === 400 && a.body.code === 30010).length, 3);

  // A channel one can't see answers exactly like one that doesn't exist, on every route.
  const secret = (await owner.call('POST', `/guilds/${guild.id}/channels`, {
    name: 'secret', permission_overwrites: [{ id: guild.id, type: 0, allow: '0', deny: String(VIEW_CHANNEL) }],
  })).body;
  const hidden = await send(owner, secret.id, 'classified');
  await react(owner, secret.id, hidden.id, '👍');
  const stranger = await registerUser(server, 'stranger');
  const routes = (channel) => [
    ['PUT', `/channels/${channel}/messages/${hidden.id}/reactions/${e('👍')}/@me`],
    ['PUT', `/channels/${channel}/messages/${hidden.id}/reactions/abc/@me`],
    ['DELETE', `/channels/${channel}/messages/${hidden.id}/reactions/${e('👍')}/@me`],
    ['DELETE', `/channels/${channel}/messages/${hidden.id}/reactions/${e('👍')}/${owner.id}`],
    ['GET', `/channels/${channel}/messages/${hidden.id}/reactions/${e('👍')}`],
    ['DELETE', `/channels/${channel}/messages/${hidden.id}/reactions/${e('👍')}`],
    ['DELETE', `/channels/${channel}/messages/${hidden.id}/reactions`],
    ['GET', `/channels/${channel}/pins`],
    ['PUT', `/channels/${channel}/pins/${hidden.id}`],
    ['DELETE', `/channels/${channel}/pins/${hidden.id}`],
  ];
  for (const actor of [outsider, stranger]) {
    const real = routes(secret.id);
    const twin = routes(NONEXISTENT);
    for (let i = 0; i < real.length; ++i) {
      const seen = await actor.call(...real[i]);
      const absent = await actor.call(...twin[i]);
      assert.equal(seen.status, 404, `${actor.label} ${real[i][0]} ${real[i][1]}`);
      assert.equal(seen.text, absent.text, `${actor.label} ${real[i][0]} ${real[i][1]}`);
    }
  }
  assert.equal(server.db.query(`SELECT count(*) FROM reactions WHERE message_id = ${hidden.id}`), '1');
  const anonymous = await fetch(`${server.url}/api/v1${base}/reactions/${e('👍')}/@me`, { method: 'PUT' });
  assert.equal(anonymous.status, 401);
});

test('MESSAGE_REACTION_* events reach those who can see the channel, and no one else', async () => {
  const { owner, guild, general, members } = await setup(3);
  const [reader, blind, reactor] = members;
  await overwrite(owner, general.id, blind.id, 1, 0n, VIEW_CHANNEL);
  const message = await send(owner, general.id, 'live');
  const readerLive = connectGateway(server, reader.token);
  const blindLive = connectGateway(server, blind.token);
  await Promise.all([readerLive.ready, blindLive.ready]);

  await react(reactor, general.id, message.id, '👍');
  const added = await readerLive.next((f) => f.t === 'MESSAGE_REACTION_ADD');
  assert.deepEqual(added.d, {
    channel_id: general.id, message_id: message.id, guild_id: guild.id, user_id: reactor.id,
    emoji: { id: null, name: '👍' }, message_author_id: owner.id, burst: false, type: 0,
  });
  await react(reactor, general.id, message.id, '👍'); // already there: no event

  // An edit of a message with reactions: the author's answer carries their `me`, the event none.
  await react(owner, general.id, message.id, '👍');
  await readerLive.next((f) => f.t === 'MESSAGE_REACTION_ADD' && f.d.user_id === owner.id);
  const edited = await owner.call('PATCH', `/channels/${general.id}/messages/${message.id}`, { content: 'live!' });
  assert.deepEqual(edited.body.reactions, [reaction('👍', 2, true)]);
  const updated = await readerLive.next((f) => f.t === 'MESSAGE_UPDATE');
  assert.deepEqual(updated.d.reactions, [reaction('👍', 2, false)]);

  assert.equal((await reactor.call('DELETE', `/channels/${general.id}/messages/${message.id}/reactions/${e('👍')}/@me`)).status, 204);
  const removed = await readerLive.next((f) => f.t === 'MESSAGE_REACTION_REMOVE');
  assert.deepEqual(removed.d, {
    channel_id: general.id, message_id: message.id, guild_id: guild.id, user_id: reactor.id,
    emoji: { id: null, name: '👍' }, burst: false, type: 0,
  });
  await react(reactor, general.id, message.id, '🔥');
  assert.equal((await owner.call('DELETE', `/channels/${general.id}/messages/${message.id}/reactions/${e('🔥')}`)).status, 204);
  const emojiGone = await readerLive.next((f) => f.t === 'MESSAGE_REACTION_REMOVE_EMOJI');
  assert.deepEqual(emojiGone.d, { channel_id: general.id, message_id: message.id, guild_id: guild.id, emoji: { id: null, name: '🔥' } });
  assert.equal((await owner.call('DELETE', `/channels/${general.id}/messages/${message.id}/reactions`)).status, 204);
  const allGone = await readerLive.next((f) => f.t === 'MESSAGE_REACTION_REMOVE_ALL');
  assert.deepEqual(allGone.d, { channel_id: general.id, message_id: message.id, guild_id: guild.id });

  await sleep(300);
  assert.equal(readerLive.all((f) => f.t === 'MESSAGE_REACTION_ADD' && f.d.user_id === reactor.id && f.d.emoji.name === '👍').length, 1,
    'adding a reaction one already has announces nothing');
  // Removing what isn't there announces nothing either.
  assert.equal((await owner.call('DELETE', `/channels/${general.id}/messages/${message.id}/reactions`)).status, 204);
  await readerLive.none((f) => f.t === 'MESSAGE_REACTION_REMOVE_ALL' && f !== allGone);
  await blindLive.none((f) => f.t.startsWith('MESSAGE_'), 0);
  readerLive.close();
  blindLive.close();
});

test('pins: pin, list most recent first, unpin, events, audit log entries, 50 per channel', async () => {
  const { owner, guild, general, members } = await setup(2);
  const [member, blind] = members;
  await overwrite(owner, general.id, blind.id, 1, 0n, VIEW_CHANNEL);
  const first = await send(member, general.id, 'first');
  const second = await send(owner, general.id, 'second');
  const memberLive = connectGateway(server, member.token);
  const blindLive = connectGateway(server, blind.token);
  await Promise.all([memberLive.ready, blindLive.ready]);
  assert.equal((await owner.call('GET', `/channels/${general.id}`)).body.last_pin_timestamp, null);

  const pinned = await owner.call('PUT', `/channels/${general.id}/pins/${first.id}`, undefined,
    { 'X-Audit-Log-Reason': 'worth%20keeping' });
  assert.equal(pinned.status, 204, pinned.text);
  const update = await memberLive.next((f) => f.t === 'MESSAGE_UPDATE' && f.d.id === first.id);
  assert.equal(update.d.pinned, true);
  assert.equal(update.d.content, 'first');
  const pinsUpdate = await memberLive.next((f) => f.t === 'CHANNEL_PINS_UPDATE');
  assert.deepEqual(Object.keys(pinsUpdate.d).sort(), ['channel_id', 'guild_id', 'last_pin_timestamp']);
  assert.equal(pinsUpdate.d.channel_id, general.id);
  assert.equal(pinsUpdate.d.guild_id, guild.id);
  assert.ok(!Number.isNaN(Date.parse(pinsUpdate.d.last_pin_timestamp)), pinsUpdate.d.last_pin_timestamp);
  const channel = (await owner.call('GET', `/channels/${general.id}`)).body;
  assert.equal(channel.last_pin_timestamp, pinsUpdate.d.last_pin_timestamp);

  assert.equal((await owner.call('PUT', `/channels/${general.id}/pins/${second.id}`)).status, 204);
  const list = await member.call('GET', `/channels/${general.id}/pins`);
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.body.map((m) => m.id), [second.id, first.id], 'most recently pinned first');
  assert.ok(list.body.every((m) => m.pinned));
  assert.equal((await member.call('GET', `/channels/${general.id}/messages/${first.id}`)).body.pinned, true);
  // Pinning again changes nothing and announces nothing.
  assert.equal((await owner.call('PUT', `/channels/${general.id}/pins/${second.id}`)).status, 204);

  // Members without MANAGE_MESSAGES can read the pins but not change them.
  for (const method of ['PUT', 'DELETE']) {
    const refused = await member.call(method, `/channels/${general.id}/pins/${first.id}`);
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.code, 50013);
  }
  const missing = await owner.call('PUT', `/channels/${general.id}/pins/${NONEXISTENT}`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, 10008);

  assert.equal((await owner.call('DELETE', `/channels/${general.id}/pins/${second.id}`, undefined,
    { 'X-Audit-Log-Reason': 'stale' })).status, 204);
  const unpinned = await memberLive.next((f) => f.t === 'MESSAGE_UPDATE' && f.d.id === second.id && !f.d.pinned);
  assert.equal(unpinned.d.pinned, false);
  assert.deepEqual((await member.call('GET', `/channels/${general.id}/pins`)).body.map((m) => m.id), [first.id]);
  assert.equal((await owner.call('DELETE', `/channels/${general.id}/pins/${first.id}`)).status, 204);
  assert.deepEqual((await member.call('GET', `/channels/${general.id}/pins`)).body, []);
  const cleared = await memberLive.next((f) => f.t === 'CHANNEL_PINS_UPDATE' && f.d.last_pin_timestamp === null);
  assert.equal(cleared.d.channel_id, general.id);
  assert.equal((await owner.call('GET', `/channels/${general.id}`)).body.last_pin_timestamp, null);

  // The audit log: 74 MESSAGE_PIN / 75 MESSAGE_UNPIN, target = the author, options = where.
  const log = (await owner.call('GET', `/guilds/${guild.id}/audit-logs`)).body.audit_log_entries;
  const pins = log.filter((entry) => entry.action_type === 74 || entry.action_type === 75);
  assert.deepEqual(pins.map((entry) => [entry.action_type, entry.target_id, entry.options.message_id]), [
    [75, member.id, first.id], [75, owner.id, second.id], [74, owner.id, second.id], [74, member.id, first.id],
  ]);
  assert.ok(pins.every((entry) => entry.user_id === owner.id && entry.options.channel_id === general.id));
  assert.equal(pins[3].reason, 'worth keeping');
  assert.equal(pins[1].reason, 'stale');
  assert.equal(pins[0].reason, null);

  await sleep(300);
  assert.equal(memberLive.all((f) => f.t === 'MESSAGE_UPDATE' && f.d.id === second.id && f.d.pinned).length, 1);
  await blindLive.none((f) => f.t === 'MESSAGE_UPDATE' || f.t === 'CHANNEL_PINS_UPDATE', 0);

  // 50 pins per channel, even when 51 pins race.
  const many = [];
  for (let i = 0; i < 51; ++i) many.push(await send(owner, general.id, `pin ${i}`));
  const answers = await Promise.all(many.map((m) => owner.call('PUT', `/channels/${general.id}/pins/${m.id}`)));
  assert.equal(answers.filter((a) => a.status === 204).length, 50, answers.map((a) => a.status).join(','));
  const over = answers.find((a) => a.status !== 204);
  assert.equal(over.status, 400);
  assert.deepEqual(over.body, { code: 30003, message: 'Maximum number of pins reached (50)' });
  assert.equal((await owner.call('GET', `/channels/${general.id}/pins`)).body.length, 50);
  memberLive.close();
  blindLive.close();
});
