// Message search against a real hearthd and PostgreSQL: full-text matching (prefix of the last
// word, case, other scripts) and ranking, every filter, paging and totals, and, above all, that
// results come only from what the searcher may read now: private channels, channels without
// READ_MESSAGE_HISTORY, private threads they are not in, servers they were removed from, DMs
// they are not in. Bad parameters answer 400 50035.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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
const READ_MESSAGE_HISTORY = 1n << 16n;
const MANAGE_THREADS = 1n << 34n;
const MISSING = '1111111111111111111';

const register = (label) => registerUser(server, label);

/** A server owned by `owner` that the others join. Resolves to {guild, general, invite}. */
async function world(owner, ...members) {
  const guild = (await owner.call('POST', '/guilds', { name: 'Search' })).body;
  const general = (await owner.call('GET', `/guilds/${guild.id}/channels`)).body.find((c) => c.name === 'general');
  const invite = (await owner.call('POST', `/channels/${general.id}/invites`, { max_age: 0 })).body;
  for (const member of members) {
    const joined = await member.call('POST', `/invites/${invite.code}`);
    assert.equal(joined.status, 200, joined.text);
  }
  return { guild, general };
}

async function textChannel(owner, guild, name, permission_overwrites = []) {
  const made = await owner.call('POST', `/guilds/${guild.id}/channels`, { name, type: 0, permission_overwrites });
  assert.equal(made.status, 201, made.text);
  return made.body;
}

async function send(user, channelId, content) {
  const sent = await user.call('POST', `/channels/${channelId}/messages`, { content });
  assert.equal(sent.status, 200, sent.text);
  return sent.body;
}

/** GET .../messages/search with `params` (an object; arrays repeat the parameter). */
async function search(user, where, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) query.append(name, String(item));
  }
  const path = where.guild ? `/guilds/${where.guild}/messages/search` : `/channels/${where.channel}/messages/search`;
  return user.call('GET', `${path}?${query}`);
}

/** The ids found, in order; asserts a 200 and Discord's shape (each hit wrapped in an array). */
async function found(user, where, params) {
  const answer = await search(user, where, params);
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(Object.keys(answer.body).sort(), ['messages', 'total_results']);
  for (const hit of answer.body.messages) {
    assert.ok(Array.isArray(hit) && hit.length === 1, `each hit is [message]: ${JSON.stringify(hit)}`);
  }
  return { ids: answer.body.messages.map((hit) => hit[0].id), total: answer.body.total_results, body: answer.body };
}

test('words match whole or as the last word\'s prefix, any case, any script; ranked by relevance', async () => {
  const ada = await register('ada');
  const { guild, general } = await world(ada);
  const once = await send(ada, general.id, 'I saw a fox in the garden today');
  const thrice = await send(ada, general.id, 'fox fox fox!');
  const foxtrot = await send(ada, general.id, 'We danced the foxtrot');
  await send(ada, general.id, 'nothing to see here');
  const german = await send(ada, general.id, 'Grüße aus München');
  const russian = await send(ada, general.id, 'Привет, мир');

  const fox = await found(ada, { guild: guild.id }, { content: 'fox' });
  assert.equal(fox.total, 3);
  assert.equal(fox.ids[0], thrice.id, 'the message with the word three times ranks first');
  assert.deepEqual(new Set(fox.ids), new Set([thrice.id, foxtrot.id, once.id]));

  // The hit is the message object the messages API answers.
  const direct = await ada.call('GET', `/channels/${general.id}/messages/${thrice.id}`);
  assert.deepEqual(fox.body.messages[0][0], direct.body);

  assert.deepEqual((await found(ada, { guild: guild.id }, { content: 'FOX garden' })).ids, [once.id], 'all words, any case');
  assert.deepEqual((await found(ada, { guild: guild.id }, { content: 'garden fox' })).ids, [once.id]);
  assert.deepEqual(new Set((await found(ada, { guild: guild.id }, { content: 'the fox' })).ids),
    new Set([once.id, foxtrot.id]), '"the" and a word starting with "fox"');
  assert.deepEqual((await found(ada, { guild: guild.id }, { content: 'foxt' })).ids, [foxtrot.id], 'last word as prefix');
  assert.deepEqual((await found(ada, { guild: guild.id }, { content: 'fo garden' })).ids, [],
    'only the last word is a prefix');
  assert.deepEqual((await found(ada, { guild: guild.id }, { content: 'münchen' })).ids, [german.id]);
  assert.deepEqual((await found(ada, { guild: guild.id }, { content: 'мир' })).ids, [russian.id]);
  assert.deepEqual((await found(ada, { guild: guild.id }, { content: 'Прив' })).ids, [russian.id]);
  assert.equal((await found(ada, { guild: guild.id }, { content: 'giraffe' })).total, 0);
  assert.equal((await found(ada, { guild: guild.id }, { content: '!!! ?' })).total, 0, 'no word: nothing');
  assert.equal((await found(ada, { guild: guild.id }, { content: "it's a \\ 'quote' & | ! :* (" })).total, 0,
    'tsquery syntax in the text is only text');

  // By time, newest first or oldest first.
  assert.deepEqual((await found(ada, { guild: guild.id }, { content: 'fox', sort_by: 'timestamp' })).ids,
    [foxtrot.id, thrice.id, once.id]);
  assert.deepEqual((await found(ada, { guild: guild.id }, { content: 'fox', sort_by: 'timestamp', sort_order: 'asc' })).ids,
    [once.id, thrice.id, foxtrot.id]);
  // No text: every message, newest first.
  const all = await found(ada, { guild: guild.id });
  assert.equal(all.total, 6);
  assert.equal(all.ids[0], russian.id);
});

test('filters: author, mentions, channel, has, min/max id, pinned; each narrows', async () => {
  const ada = await register('ada');
  const bob = await register('bob');
  const cat = await register('cat');
  const { guild, general } = await world(ada, bob, cat);
  const other = await textChannel(ada, guild, 'other');
  const a1 = await send(ada, general.id, 'report one by ada');
  const b1 = await send(bob, general.id, `report two by bob for <@${cat.id}>`);
  const c1 = await send(cat, other.id, 'report three by cat, see https://example.org/page');
  const a2 = await send(ada, other.id, `report four by ada for <@${bob.id}> and http://x.io`);
  assert.equal((await ada.call('PUT', `/channels/${general.id}/pins/${b1.id}`)).status, 204);
  const g = { guild: guild.id };
  const ids = async (params) => (await found(ada, g, { content: 'report', sort_by: 'timestamp', ...params })).ids;

  assert.deepEqual(await ids({}), [a2.id, c1.id, b1.id, a1.id]);
  assert.deepEqual(await ids({ author_id: ada.id }), [a2.id, a1.id]);
  assert.deepEqual(await ids({ author_id: [bob.id, cat.id] }), [c1.id, b1.id], 'repeated: any of them');
  assert.deepEqual(await ids({ mentions: cat.id }), [b1.id]);
  assert.deepEqual(await ids({ mentions: bob.id }), [a2.id]);
  assert.deepEqual(await ids({ channel_id: other.id }), [a2.id, c1.id]);
  assert.deepEqual(await ids({ channel_id: [other.id, general.id] }), [a2.id, c1.id, b1.id, a1.id]);
  assert.deepEqual(await ids({ channel_id: MISSING }), [], 'a channel not in the server finds nothing');
  assert.deepEqual(await ids({ has: 'link' }), [a2.id, c1.id]);
  assert.deepEqual(await ids({ has: '-link' }), [b1.id, a1.id]);
  assert.deepEqual(await ids({ has: 'file' }), [], 'no attachments yet');
  assert.deepEqual(await ids({ has: 'image' }), []);
  assert.deepEqual(await ids({ has: '-image' }), [a2.id, c1.id, b1.id, a1.id]);
  assert.deepEqual(await ids({ min_id: b1.id }), [a2.id, c1.id], 'after, not including');
  assert.deepEqual(await ids({ max_id: c1.id }), [b1.id, a1.id], 'before, not including');
  assert.deepEqual(await ids({ min_id: a1.id, max_id: a2.id }), [c1.id, b1.id]);
  assert.deepEqual(await ids({ pinned: true }), [b1.id]);
  assert.deepEqual(await ids({ pinned: false }), [a2.id, c1.id, a1.id]);
  assert.deepEqual(await ids({ author_id: ada.id, channel_id: other.id, has: 'link' }), [a2.id], 'all together');
  const pinned = await found(ada, g, { pinned: true });
  assert.equal(pinned.body.messages[0][0].pinned, true);
});

test('paging: offset and limit over one ordering, total_results counts every match', async () => {
  const ada = await register('ada');
  const { guild, general } = await world(ada);
  const sent = [];
  for (let n = 0; n < 30; n += 1) sent.push((await send(ada, general.id, `page item ${n}`)).id);
  await send(ada, general.id, 'unrelated');
  const newest = [...sent].reverse();
  const g = { guild: guild.id };

  const first = await found(ada, g, { content: 'item', sort_by: 'timestamp' });
  assert.equal(first.total, 30);
  assert.deepEqual(first.ids, newest.slice(0, 25), 'limit 25 by default');
  const rest = await found(ada, g, { content: 'item', sort_by: 'timestamp', offset: 25 });
  assert.equal(rest.total, 30);
  assert.deepEqual(rest.ids, newest.slice(25));
  const middle = await found(ada, g, { content: 'item', sort_by: 'timestamp', offset: 10, limit: 7 });
  assert.deepEqual(middle.ids, newest.slice(10, 17));
  const past = await found(ada, g, { content: 'item', offset: 9975 });
  assert.deepEqual(past.ids, []);
  assert.equal(past.total, 30, 'the total even past the end');
  // Relevance pages don't repeat or skip: all the ids once.
  const pages = [];
  for (const offset of [0, 10, 20]) pages.push(...(await found(ada, g, { content: 'item', limit: 10, offset })).ids);
  assert.deepEqual([...pages].sort(), [...sent].sort());
});

test('a private channel, or one without READ_MESSAGE_HISTORY, is never searched for those who lack it', async () => {
  const ada = await register('ada');
  const bob = await register('bob');
  const cat = await register('cat');
  const { guild, general } = await world(ada, bob, cat);
  const secret = await textChannel(ada, guild, 'secret', [
    { id: guild.id, type: 0, allow: '0', deny: String(VIEW_CHANNEL) },
    { id: cat.id, type: 1, allow: String(VIEW_CHANNEL), deny: '0' },
  ]);
  const noHistory = await textChannel(ada, guild, 'no-history', [
    { id: guild.id, type: 0, allow: '0', deny: String(READ_MESSAGE_HISTORY) },
  ]);
  const open = await send(ada, general.id, 'treasure map in the open');
  const hidden = await send(ada, secret.id, 'treasure map in the secret room');
  const unread = await send(ada, noHistory.id, 'treasure map without history');
  const g = { guild: guild.id };

  assert.deepEqual(new Set((await found(ada, g, { content: 'treasure' })).ids), new Set([open.id, hidden.id, unread.id]),
    'the owner sees all');
  assert.deepEqual(new Set((await found(cat, g, { content: 'treasure' })).ids), new Set([open.id, hidden.id]),
    'a member allowed in');
  const bobs = await found(bob, g, { content: 'treasure' });
  assert.deepEqual(bobs.ids, [open.id]);
  assert.equal(bobs.total, 1, 'the total does not count hidden messages either');
  assert.deepEqual((await found(bob, g, { content: 'treasure', channel_id: secret.id })).ids, [],
    'asking for the channel by id changes nothing');
  assert.equal((await found(bob, g, { channel_id: secret.id })).total, 0);

  // Access taken away: gone from the results at once; given back: found again.
  const taken = await ada.call('PUT', `/channels/${secret.id}/permissions/${cat.id}`, { type: 1, allow: '0', deny: '0' });
  assert.equal(taken.status, 204, taken.text);
  assert.deepEqual((await found(cat, g, { content: 'treasure' })).ids, [open.id]);
  // The channel search route answers as for a missing channel.
  const direct = await search(bob, { channel: secret.id }, { content: 'treasure' });
  const missing = await search(bob, { channel: MISSING }, { content: 'treasure' });
  assert.equal(direct.status, 404);
  assert.equal(direct.text, missing.text);
  const refused = await search(bob, { channel: noHistory.id }, { content: 'treasure' });
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.body.code, 50013);
});

test('a private thread is searched only by its members and MANAGE_THREADS holders; public threads by all', async () => {
  const ada = await register('ada');
  const bob = await register('bob');
  const cat = await register('cat');
  const mod = await register('mod');
  const { guild, general } = await world(ada, bob, cat, mod);
  const role = await ada.call('POST', `/guilds/${guild.id}/roles`, { name: 'mods', permissions: String(MANAGE_THREADS) });
  assert.equal((await ada.call('PUT', `/guilds/${guild.id}/members/${mod.id}/roles/${role.body.id}`)).status, 204);
  const privateThread = (await bob.call('POST', `/channels/${general.id}/threads`, { name: 'plot', type: 12 })).body;
  assert.equal(privateThread.type, 12);
  const publicThread = (await bob.call('POST', `/channels/${general.id}/threads`, { name: 'chat', type: 11 })).body;
  assert.equal(publicThread.type, 11);
  const inPrivate = await send(bob, privateThread.id, 'surprise party on friday');
  const inPublic = await send(bob, publicThread.id, 'surprise visit maybe');
  const g = { guild: guild.id };
  const ids = async (user) => new Set((await found(user, g, { content: 'surprise' })).ids);

  assert.deepEqual(await ids(bob), new Set([inPrivate.id, inPublic.id]), 'the member');
  assert.deepEqual(await ids(cat), new Set([inPublic.id]), 'not a member');
  assert.deepEqual(await ids(mod), new Set([inPrivate.id, inPublic.id]), 'MANAGE_THREADS');
  assert.deepEqual(await ids(ada), new Set([inPrivate.id, inPublic.id]), 'the owner');
  assert.deepEqual((await found(cat, g, { content: 'surprise', channel_id: privateThread.id })).ids, []);

  // Added to the thread: found; removed: gone again.
  assert.equal((await bob.call('PUT', `/channels/${privateThread.id}/thread-members/${cat.id}`)).status, 204);
  assert.deepEqual(await ids(cat), new Set([inPrivate.id, inPublic.id]));
  assert.equal((await bob.call('DELETE', `/channels/${privateThread.id}/thread-members/${cat.id}`)).status, 204);
  assert.deepEqual(await ids(cat), new Set([inPublic.id]));

  // Threads go with their parent: hide the parent and both are gone.
  const hide = await ada.call('PUT', `/channels/${general.id}/permissions/${guild.id}`,
    { type: 0, allow: '0', deny: String(VIEW_CHANNEL) });
  assert.equal(hide.status, 204, hide.text);
  assert.deepEqual(await ids(bob), new Set());
});

test('a member removed from the server is refused, like a stranger and like a missing server', async () => {
  const ada = await register('ada');
  const bob = await register('bob');
  const eve = await register('eve');
  const { guild, general } = await world(ada, bob);
  await send(ada, general.id, 'launch codes are 1234');
  assert.equal((await found(bob, { guild: guild.id }, { content: 'launch' })).total, 1);

  const kicked = await ada.call('DELETE', `/guilds/${guild.id}/members/${bob.id}`);
  assert.equal(kicked.status, 204, kicked.text);
  const missing = await search(bob, { guild: MISSING }, { content: 'launch' });
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, 10004);
  for (const user of [bob, eve]) {
    const refused = await search(user, { guild: guild.id }, { content: 'launch' });
    assert.equal(refused.status, 404, refused.text);
    assert.equal(refused.text, missing.text);
    const byChannel = await search(user, { channel: general.id }, { content: 'launch' });
    assert.equal(byChannel.status, 404, byChannel.text);
    assert.equal(byChannel.body.code, 10003);
  }
  const anonymous = await fetch(`${server.url}/api/v1/guilds/${guild.id}/messages/search?content=launch`);
  assert.equal(anonymous.status, 401);
});

test('DM search: the recipients find the DM\'s messages; anyone else is answered as for a missing channel', async () => {
  const ada = await register('ada');
  const bob = await register('bob');
  const eve = await register('eve');
  const { general } = await world(ada, bob, eve);
  const dm = (await ada.call('POST', '/users/@me/channels', { recipient_id: bob.id })).body;
  assert.equal(dm.type, 1);
  const first = await send(ada, dm.id, 'the password is swordfish');
  const second = await send(bob, dm.id, 'swordfish noted, https://example.org');
  await send(ada, general.id, 'swordfish in the server');

  for (const user of [ada, bob]) {
    const hits = await found(user, { channel: dm.id }, { content: 'swordfish', sort_by: 'timestamp' });
    assert.deepEqual(hits.ids, [second.id, first.id], 'only the DM\'s messages');
    assert.equal(hits.body.messages[0][0].guild_id, undefined);
  }
  assert.deepEqual((await found(ada, { channel: dm.id }, { author_id: bob.id })).ids, [second.id]);
  assert.deepEqual((await found(ada, { channel: dm.id }, { has: 'link' })).ids, [second.id]);
  const stranger = await search(eve, { channel: dm.id }, { content: 'swordfish' });
  const missing = await search(eve, { channel: MISSING }, { content: 'swordfish' });
  assert.equal(stranger.status, 404);
  assert.equal(stranger.body.code, 10003);
  assert.equal(stranger.text, missing.text);
  // A server channel through the channel route: that channel only.
  assert.equal((await found(eve, { channel: general.id }, { content: 'swordfish' })).total, 1);
});

test('bad parameters answer 400 50035 naming the field', async () => {
  const ada = await register('ada');
  const bob = await register('bob');
  const { guild } = await world(ada, bob);
  const dm = (await ada.call('POST', '/users/@me/channels', { recipient_id: bob.id })).body;
  const cases = [
    [{ limit: 0 }, 'limit'], [{ limit: 26 }, 'limit'], [{ limit: 'ten' }, 'limit'],
    [{ offset: 9976 }, 'offset'], [{ offset: -1 }, 'offset'], [{ offset: '1e3' }, 'offset'],
    [{ sort_by: 'date' }, 'sort_by'], [{ sort_order: 'up' }, 'sort_order'],
    [{ has: 'gif' }, 'has'], [{ has: ['link', 'nothing'] }, 'has'],
    [{ author_id: 'ada' }, 'author_id'], [{ author_id: [ada.id, '-5'] }, 'author_id'],
    [{ mentions: 'x' }, 'mentions'], [{ channel_id: '12ab' }, 'channel_id'],
    [{ min_id: 'yesterday' }, 'min_id'], [{ max_id: '1.5' }, 'max_id'],
    [{ pinned: 'yes' }, 'pinned'], [{ content: 'x'.repeat(1025) }, 'content'],
  ];
  for (const [params, field] of cases) {
    const answer = await search(ada, { guild: guild.id }, params);
    assert.equal(answer.status, 400, `${JSON.stringify(params)}: ${answer.text}`);
    assert.equal(answer.body.code, 50035);
    assert.ok(answer.body.errors?.[field], `${JSON.stringify(params)} names ${field}: ${answer.text}`);
  }
  const inDm = await search(ada, { channel: dm.id }, { channel_id: dm.id });
  assert.equal(inDm.status, 400, inDm.text);
  assert.ok(inDm.body.errors?.channel_id);
  // The limits themselves are fine.
  for (const params of [{ limit: 1 }, { limit: 25 }, { offset: 0 }, { offset: 9975 }, { content: 'x'.repeat(1024) }]) {
    assert.equal((await search(ada, { guild: guild.id }, params)).status, 200, JSON.stringify(params));
  }
});
