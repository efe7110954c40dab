// Messages in server text channels against a real hearthd and PostgreSQL: sending, history pages,
// replies, mentions, idempotent nonces, slowmode, edits, deletes, bulk deletes, and refusals that
// reveal nothing about what the caller can't see.
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

const MANAGE_CHANNELS = 1n << 4n;
const VIEW_CHANNEL = 1n << 10n;
const SEND_MESSAGES = 1n << 11n;
const MANAGE_MESSAGES = 1n << 13n;
const READ_MESSAGE_HISTORY = 1n << 16n;
const MENTION_EVERYONE = 1n << 17n;
const DEFAULT_EVERYONE = 2107735977479745n;
const NONEXISTENT = '1234567890123456789';
const SNOWFLAKE_EPOCH = 1420070400000n;

const snowflakeAt = (ms) => ((BigInt(ms) - SNOWFLAKE_EPOCH) << 22n).toString();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const register = () => registerUser(server);

/** A server with its owner, #general, its voice channel and category, and `count` members. */
async function setup(count = 1) {
  const owner = await register();
  const created = await owner.call('POST', '/guilds', { name: 'Message test' });
  assert.equal(created.status, 201, created.text);
  const guild = created.body;
  const channels = (await owner.call('GET', `/guilds/${guild.id}/channels`)).body;
  const general = channels.find((c) => c.name === 'general' && c.type === 0);
  const voice = channels.find((c) => c.type === 2);
  const category = channels.find((c) => c.type === 4);
  const invite = await owner.call('POST', `/channels/${general.id}/invites`, { max_age: 0 });
  assert.equal(invite.status, 200, invite.text);
  const members = [];
  for (let i = 0; i < count; ++i) {
    const member = await register();
    const joined = await member.call('POST', `/invites/${invite.body.code}`);
    assert.equal(joined.status, 200, joined.text);
    members.push(member);
  }
  return { owner, guild, general, voice, category, members, inviteCode: invite.body.code };
}

async function send(actor, channelId, content, extra = {}) {
  const answer = await actor.call('POST', `/channels/${channelId}/messages`, { content, ...extra });
  assert.equal(answer.status, 200, answer.text);
  return answer.body;
}

async function createRole(owner, guildId, body) {
  const role = await owner.call('POST', `/guilds/${guildId}/roles`, body);
  assert.equal(role.status, 200, role.text);
  return role.body;
}

async function giveRole(owner, guildId, user, role) {
  const given = await owner.call('PUT', `/guilds/${guildId}/members/${user.id}/roles/${role.id}`);
  assert.equal(given.status, 204, given.text);
}

async function overwrite(owner, channelId, targetId, type, allow, deny) {
  const put = await owner.call('PUT', `/channels/${channelId}/permissions/${targetId}`, {
    type,
    allow: String(allow),
    deny: String(deny),
  });
  assert.equal(put.status, 204, put.text);
}

test('a message is sent, shaped like Discord, durable at once, and listed', async () => {
  const { owner, guild, general, members } = await setup(1);
  const [member] = members;
  const sent = await member.call('POST', `/channels/${general.id}/messages`, { content: 'hello, hearth' });
  assert.equal(sent.status, 200, sent.text);
  // Durable: the row is there as soon as the answer is.
  assert.equal(server.db.query(`SELECT content FROM messages WHERE id = ${sent.body.id}`), 'hello, hearth');
  const message = sent.body;
  assert.match(message.id, /^\d+$/);
  assert.equal(message.channel_id, general.id);
  assert.equal(message.guild_id, guild.id);
  assert.equal(message.type, 0);
  assert.deepEqual(Object.keys(message.author).sort(), ['avatar', 'global_name', 'id', 'username']);
  assert.equal(message.author.id, member.id);
  assert.equal(message.author.username, member.name);
  assert.equal(message.content, 'hello, hearth');
  assert.ok(!Number.isNaN(Date.parse(message.timestamp)));
  assert.equal(message.edited_timestamp, null);
  assert.equal(message.mention_everyone, false);
  assert.deepEqual(message.mentions, []);
  assert.deepEqual(message.mention_roles, []);
  assert.equal(message.pinned, false);
  assert.ok(!('nonce' in message), 'no nonce sent, none echoed');
  assert.ok(!('message_reference' in message));

  const one = await owner.call('GET', `/channels/${general.id}/messages/${message.id}`);
  assert.equal(one.status, 200, one.text);
  assert.deepEqual(one.body, message);
  const list = await owner.call('GET', `/channels/${general.id}/messages`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.body, [message]);
});

// Sends at the same moment are read and stored in batches (store::Coalescer): each must still get
// its own answer, its own refusal, and be stored exactly once.
test('many sends at once: each answered as its own, refusals stay apart, all stored once', async () => {
  const { owner, guild, general, members } = await setup(3);
  const [ada, bob, gone] = members;
  const hidden = (await owner.call('POST', `/guilds/${guild.id}/channels`, {
    name: 'hidden', permission_overwrites: [{ id: guild.id, type: 0, allow: '0', deny: String(VIEW_CHANNEL) }],
  })).body;
  const first = await send(owner, general.id, 'the first');
  assert.equal((await gone.call('POST', '/auth/logout')).status, 204);

  const attempts = [];
  for (let i = 0; i < 12; ++i) {
    attempts.push({ who: ada, channel: general.id, content: `ada ${i} <@${owner.id}>`, status: 200 });
    attempts.push({ who: bob, channel: general.id, content: `bob ${i}`, status: 200,
      extra: i % 3 === 0 ? { message_reference: { message_id: first.id } } : {} });
    attempts.push({ who: owner, channel: hidden.id, content: `owner ${i}`, status: 200 });
    if (i % 2 === 0) attempts.push({ who: ada, channel: hidden.id, content: `peek ${i}`, status: 404 });
    if (i % 4 === 0) attempts.push({ who: gone, channel: general.id, content: `ghost ${i}`, status: 401 });
  }
  const answers = await Promise.all(attempts.map((a) =>
    a.who.call('POST', `/channels/${a.channel}/messages`, { content: a.content, ...(a.extra ?? {}) })));
  const stored = new Map();
  answers.forEach((answer, i) => {
    const attempt = attempts[i];
    assert.equal(answer.status, attempt.status, `${attempt.content}: ${answer.text}`);
    if (attempt.status !== 200) return;
    assert.equal(answer.body.content, attempt.content);
    assert.equal(answer.body.author.id, attempt.who.id);
    assert.equal(answer.body.channel_id, attempt.channel);
    if (attempt.content.startsWith('ada')) assert.deepEqual(answer.body.mentions.map((m) => m.id), [owner.id]);
    if (attempt.extra?.message_reference) assert.equal(answer.body.referenced_message.id, first.id);
    assert.ok(!stored.has(answer.body.id), 'ids are unique');
    stored.set(answer.body.id, attempt);
  });
  assert.equal(stored.size, 36);
  for (const channel of [general.id, hidden.id]) {
    const listed = (await owner.call('GET', `/channels/${channel}/messages?limit=100`)).body;
    const expected = [...stored.entries()].filter(([, a]) => a.channel === channel);
    const mine = listed.filter((m) => stored.has(m.id));
    assert.equal(mine.length, expected.length, 'each stored exactly once');
    for (const message of mine) assert.equal(message.content, stored.get(message.id).content);
    assert.ok(!listed.some((m) => m.content.startsWith('peek') || m.content.startsWith('ghost')));
  }
});

test('content is 1 to 4000 characters; bodies are checked', async () => {
  const { owner, general } = await setup(0);
  const longest = 'é'.repeat(4000); // characters, not bytes
  assert.equal((await send(owner, general.id, longest)).content, longest);
  for (const content of ['', '   ', 'x'.repeat(4001)]) {
    const refused = await owner.call('POST', `/channels/${general.id}/messages`, { content });
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.body.code, 50035);
    assert.ok(refused.body.errors.content, refused.text);
  }
  for (const body of [{}, { content: 5 }, { content: 'x', nonce: 'n'.repeat(26) }, { content: 'x', nonce: [1] }]) {
    const refused = await owner.call('POST', `/channels/${general.id}/messages`, body);
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.body.code, 50035);
  }
  // U+0000 cannot be stored in PostgreSQL's text: refused whole rather than stored cut short.
  const nul = await owner.call('POST', `/channels/${general.id}/messages`, { content: 'abc\u0000def' });
  assert.equal(nul.status, 400, nul.text);
  assert.equal(nul.body.code, 90004);
  assert.equal(server.db.query(`SELECT count(*) FROM messages WHERE channel_id = ${general.id}`), '1');
});

test('history pages: newest first, before, after, around, limit bounds', async () => {
  const { owner, general } = await setup(0);
  const ids = [];
  for (let i = 0; i < 7; ++i) ids.push((await send(owner, general.id, `m${i}`)).id);
  const page = async (query) => {
    const answer = await owner.call('GET', `/channels/${general.id}/messages${query}`);
    assert.equal(answer.status, 200, answer.text);
    return answer.body.map((m) => m.content);
  };
  assert.deepEqual(await page(''), ['m6', 'm5', 'm4', 'm3', 'm2', 'm1', 'm0']);
  assert.deepEqual(await page('?limit=3'), ['m6', 'm5', 'm4']);
  assert.deepEqual(await page(`?before=${ids[4]}&limit=2`), ['m3', 'm2']);
  assert.deepEqual(await page(`?before=${ids[1]}`), ['m0']);
  assert.deepEqual(await page(`?after=${ids[1]}&limit=2`), ['m3', 'm2'], 'the oldest after it, newest first');
  assert.deepEqual(await page(`?after=${ids[6]}`), []);
  assert.deepEqual(await page(`?around=${ids[3]}&limit=3`), ['m4', 'm3', 'm2']);
  assert.deepEqual(await page(`?around=${ids[3]}&limit=4`), ['m5', 'm4', 'm3', 'm2']);
  assert.deepEqual(await page(`?around=${ids[3]}&limit=1`), ['m3']);
  assert.deepEqual(await page(`?around=${ids[0]}&limit=5`), ['m2', 'm1', 'm0']);
  assert.deepEqual((await page('?limit=100')).length, 7);
  for (const query of ['?limit=0', '?limit=101', '?limit=abc', `?before=${ids[1]}&after=${ids[0]}`, '?before=x']) {
    const refused = await owner.call('GET', `/channels/${general.id}/messages${query}`);
    assert.equal(refused.status, 400, `${query}: ${refused.text}`);
    assert.equal(refused.body.code, 50035);
  }
});

test('history needs READ_MESSAGE_HISTORY; the default page holds 50', async () => {
  const { owner, general, members } = await setup(1);
  const [member] = members;
  for (let i = 0; i < 55; ++i) await send(owner, general.id, `n${i}`);
  const all = await member.call('GET', `/channels/${general.id}/messages`);
  assert.equal(all.body.length, 50);
  assert.equal(all.body[0].content, 'n54');
  await overwrite(owner, general.id, member.id, 1, 0n, READ_MESSAGE_HISTORY);
  const refused = await member.call('GET', `/channels/${general.id}/messages`);
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.body.code, 50013);
  const one = await member.call('GET', `/channels/${general.id}/messages/${all.body[0].id}`);
  assert.equal(one.status, 403);
  // Sending still works without history.
  await send(member, general.id, 'still here');
});

test('replies carry message_reference and the replied-to message', async () => {
  const { owner, guild, general, members } = await setup(1);
  const [member] = members;
  const original = await send(owner, general.id, 'question?');
  const reply = await send(member, general.id, 'answer!', { message_reference: { message_id: original.id } });
  assert.equal(reply.type, 19);
  assert.deepEqual(reply.message_reference, {
    type: 0,
    message_id: original.id,
    channel_id: general.id,
    guild_id: guild.id,
  });
  assert.equal(reply.referenced_message.id, original.id);
  assert.equal(reply.referenced_message.content, 'question?');
  assert.ok(!('referenced_message' in reply.referenced_message), 'one level only');

  const other = await owner.call('POST', `/guilds/${guild.id}/channels`, { name: 'other', type: 0 });
  assert.equal(other.status, 201, other.text);
  const elsewhere = await send(owner, other.body.id, 'elsewhere');
  for (const reference of [{ message_id: NONEXISTENT }, { message_id: elsewhere.id }, { message_id: 'x' }, 'x']) {
    const refused = await member.call('POST', `/channels/${general.id}/messages`, {
      content: 'reply',
      message_reference: reference,
    });
    assert.equal(refused.status, 400, refused.text);
    assert.ok(refused.body.errors.message_reference, refused.text);
  }

  assert.equal((await owner.call('DELETE', `/channels/${general.id}/messages/${original.id}`)).status, 204);
  const after = await member.call('GET', `/channels/${general.id}/messages/${reply.id}`);
  assert.equal(after.status, 200);
  assert.equal(after.body.type, 19);
  assert.equal(after.body.message_reference.message_id, original.id);
  assert.equal(after.body.referenced_message, null, 'deleted since');
});

test('mentions: members who can see the channel, mentionable roles, @everyone with permission', async () => {
  const { owner, guild, general, members } = await setup(3);
  const [alice, bob, hidden] = members;
  const stranger = await register();
  // @everyone loses MENTION_EVERYONE; a role gives it back.
  const everyone = await owner.call('PATCH', `/guilds/${guild.id}/roles/${guild.id}`, {
    permissions: String(DEFAULT_EVERYONE & ~MENTION_EVERYONE),
  });
  assert.equal(everyone.status, 200, everyone.text);
  const loud = await createRole(owner, guild.id, { name: 'loud', permissions: String(MENTION_EVERYONE) });
  const open = await createRole(owner, guild.id, { name: 'open', mentionable: true });
  const closed = await createRole(owner, guild.id, { name: 'closed', mentionable: false });
  await giveRole(owner, guild.id, bob, loud);
  await overwrite(owner, general.id, hidden.id, 1, 0n, VIEW_CHANNEL);

  const text =
    `hi <@${bob.id}> <@!${owner.id}> <@${stranger.id}> <@${hidden.id}> <@${NONEXISTENT}> <@${bob.id}> ` +
    `<@&${open.id}> <@&${closed.id}> <@&${NONEXISTENT}> <@&${guild.id}> @everyone`;
  const plain = await send(alice, general.id, text);
  assert.deepEqual(plain.mentions.map((u) => u.id), [bob.id, owner.id], 'members who see the channel, once each');
  assert.deepEqual(Object.keys(plain.mentions[0]).sort(), ['avatar', 'global_name', 'id', 'username']);
  assert.deepEqual(plain.mention_roles, [open.id], 'only the mentionable role');
  assert.equal(plain.mention_everyone, false, '@everyone is plain text without MENTION_EVERYONE');
  assert.equal(plain.content, text);

  const privileged = await send(bob, general.id, text);
  assert.deepEqual(privileged.mention_roles, [open.id, closed.id], 'MENTION_EVERYONE reaches any role');
  assert.equal(privileged.mention_everyone, true);
  assert.equal((await send(bob, general.id, 'ping @here')).mention_everyone, true);
  assert.equal((await send(owner, general.id, 'no one')).mention_everyone, false);

  // Listing shows the same.
  const listed = (await alice.call('GET', `/channels/${general.id}/messages?limit=4`)).body;
  assert.deepEqual(listed[3].mentions.map((u) => u.id), [bob.id, owner.id]);
  assert.deepEqual(listed[2].mention_roles, [open.id, closed.id]);
});

test('enforce_nonce: a repeat returns the first message, even five at once', async () => {
  const { owner, general, members } = await setup(1);
  const [member] = members;
  const first = await member.call('POST', `/channels/${general.id}/messages`, {
    content: 'once',
    nonce: 'abc-123',
    enforce_nonce: true,
  });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.body.nonce, 'abc-123');
  const again = await member.call('POST', `/channels/${general.id}/messages`, {
    content: 'once (retry)',
    nonce: 'abc-123',
    enforce_nonce: true,
  });
  assert.equal(again.status, 200);
  assert.equal(again.body.id, first.body.id);
  assert.equal(again.body.content, 'once');
  // Another author, or no enforce_nonce, makes a new message.
  const theirs = await send(owner, general.id, 'mine', { nonce: 'abc-123', enforce_nonce: true });
  assert.notEqual(theirs.id, first.body.id);
  const unenforced = await send(member, general.id, 'again', { nonce: 'abc-123' });
  assert.notEqual(unenforced.id, first.body.id);
  assert.equal(unenforced.nonce, 'abc-123');
  // Integer nonces are echoed as integers.
  assert.equal((await send(member, general.id, 'int', { nonce: 42 })).nonce, 42);

  const racing = await Promise.all(
    Array.from({ length: 5 }, () =>
      member.call('POST', `/channels/${general.id}/messages`, { content: 'race', nonce: 'race-1', enforce_nonce: true }),
    ),
  );
  for (const answer of racing) assert.equal(answer.status, 200, answer.text);
  assert.equal(new Set(racing.map((a) => a.body.id)).size, 1, 'one message for five sends');
  assert.equal(
    server.db.query(`SELECT count(*) FROM messages WHERE channel_id = ${general.id} AND content = 'race'`),
    '1',
  );

  // After the five-minute window the nonce makes a new message.
  server.db.query(`UPDATE messages SET created_at = now() - interval '6 minutes' WHERE id = ${first.body.id}`);
  const later = await send(member, general.id, 'later', { nonce: 'abc-123', enforce_nonce: true });
  assert.notEqual(later.id, first.body.id);
});

test('slowmode: 429 with retry_after, then allowed; managers bypass it', async () => {
  const { owner, guild, general, members } = await setup(2);
  const [member, mod] = members;
  const edited = await owner.call('PATCH', `/channels/${general.id}`, { rate_limit_per_user: 1 });
  assert.equal(edited.status, 200, edited.text);
  await send(member, general.id, 'first');
  const limited = await member.call('POST', `/channels/${general.id}/messages`, { content: 'second' });
  assert.equal(limited.status, 429, limited.text);
  assert.equal(limited.body.global, false);
  assert.ok(limited.body.retry_after > 0 && limited.body.retry_after <= 1, limited.text);
  assert.ok(limited.headers.get('retry-after'));
  assert.equal(server.db.query(`SELECT count(*) FROM messages WHERE content = 'second'`), '0');
  await sleep(limited.body.retry_after * 1000 + 150);
  await send(member, general.id, 'second');

  // Parallel sends within the window: exactly one passes.
  await sleep(1150);
  const burst = await Promise.all(
    [1, 2, 3].map((i) => member.call('POST', `/channels/${general.id}/messages`, { content: `burst ${i}` })),
  );
  assert.deepEqual(burst.map((a) => a.status).sort(), [200, 429, 429]);

  const role = await createRole(owner, guild.id, { name: 'mod', permissions: String(MANAGE_MESSAGES) });
  await giveRole(owner, guild.id, mod, role);
  await send(mod, general.id, 'one');
  await send(mod, general.id, 'two');
  await send(owner, general.id, 'owner one');
  await send(owner, general.id, 'owner two');
  const channelManager = await createRole(owner, guild.id, { name: 'chan', permissions: String(MANAGE_CHANNELS) });
  await giveRole(owner, guild.id, member, channelManager);
  await send(member, general.id, 'now free');
  await send(member, general.id, 'still free');
});

test('edits: the author only; edited_timestamp and mentions are updated', async () => {
  const { owner, general, members } = await setup(2);
  const [author, other] = members;
  const message = await send(author, general.id, 'draft');
  const edited = await author.call('PATCH', `/channels/${general.id}/messages/${message.id}`, {
    content: `final <@${other.id}>`,
  });
  assert.equal(edited.status, 200, edited.text);
  assert.equal(edited.body.content, `final <@${other.id}>`);
  assert.ok(!Number.isNaN(Date.parse(edited.body.edited_timestamp)));
  assert.deepEqual(edited.body.mentions.map((u) => u.id), [other.id]);
  assert.equal(edited.body.timestamp, message.timestamp);
  assert.equal(server.db.query(`SELECT content FROM messages WHERE id = ${message.id}`), `final <@${other.id}>`);

  for (const actor of [other, owner]) {
    const refused = await actor.call('PATCH', `/channels/${general.id}/messages/${message.id}`, { content: 'mine' });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.code, 50013);
  }
  const empty = await author.call('PATCH', `/channels/${general.id}/messages/${message.id}`, { content: '' });
  assert.equal(empty.status, 400);
  const missing = await author.call('PATCH', `/channels/${general.id}/messages/${NONEXISTENT}`, { content: 'x' });
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, 10008);
});

test('deletes: own messages, or others with MANAGE_MESSAGES', async () => {
  const { owner, guild, general, members } = await setup(3);
  const [author, other, mod] = members;
  const own = await send(author, general.id, 'mine');
  const refused = await other.call('DELETE', `/channels/${general.id}/messages/${own.id}`);
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.body.code, 50013);
  assert.equal((await author.call('DELETE', `/channels/${general.id}/messages/${own.id}`)).status, 204);
  assert.equal(server.db.query(`SELECT count(*) FROM messages WHERE id = ${own.id}`), '0');
  const gone = await author.call('GET', `/channels/${general.id}/messages/${own.id}`);
  const missing = await author.call('GET', `/channels/${general.id}/messages/${NONEXISTENT}`);
  assert.equal(gone.status, 404);
  assert.equal(gone.text, missing.text);
  assert.equal(gone.body.code, 10008);
  assert.equal((await author.call('DELETE', `/channels/${general.id}/messages/${own.id}`)).status, 404);

  const role = await createRole(owner, guild.id, { name: 'mod', permissions: String(MANAGE_MESSAGES) });
  await giveRole(owner, guild.id, mod, role);
  const theirs = await send(author, general.id, 'moderate me');
  assert.equal((await mod.call('DELETE', `/channels/${general.id}/messages/${theirs.id}`)).status, 204);
  const ownersToo = await send(author, general.id, 'and me');
  assert.equal((await owner.call('DELETE', `/channels/${general.id}/messages/${ownersToo.id}`)).status, 204);
});

test('bulk delete: MANAGE_MESSAGES, 2 to 100 ids, under 14 days old', async () => {
  const { owner, general, members } = await setup(1);
  const [member] = members;
  const a = await send(member, general.id, 'a');
  const b = await send(owner, general.id, 'b');
  const c = await send(owner, general.id, 'c');
  const bulk = (actor, messages) => actor.call('POST', `/channels/${general.id}/messages/bulk-delete`, { messages });

  const refused = await bulk(member, [a.id, b.id]);
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.body.code, 50013);
  for (const ids of [[a.id], Array.from({ length: 101 }, () => a.id), [a.id, a.id], 'x', [a.id, 'x']]) {
    const invalid = await bulk(owner, ids);
    assert.equal(invalid.status, 400, invalid.text);
    assert.equal(invalid.body.code, 50035);
  }

  // An old message (by its id and its time) can't be bulk deleted; nothing is.
  const oldId = snowflakeAt(Date.now() - 15 * 24 * 3600 * 1000);
  server.db.query(
    `INSERT INTO messages (id, channel_id, guild_id, author_id, content, created_at) ` +
      `SELECT ${oldId}, id, guild_id, ${owner.id}, 'ancient', now() - interval '15 days' FROM channels WHERE id = ${general.id}`,
  );
  const old = await bulk(owner, [a.id, oldId]);
  assert.equal(old.status, 400, old.text);
  assert.ok(old.body.errors.messages);
  assert.equal(server.db.query(`SELECT count(*) FROM messages WHERE channel_id = ${general.id}`), '4');

  // Recent ids that don't exist are ignored.
  const recentMissing = snowflakeAt(Date.now() - 1000);
  const done = await bulk(owner, [a.id, b.id, recentMissing]);
  assert.equal(done.status, 204, done.text);
  const left = (await owner.call('GET', `/channels/${general.id}/messages`)).body.map((m) => m.content);
  assert.deepEqual(left, ['c', 'ancient']);
  assert.equal(c.content, 'c');
});

test('refusals: no SEND_MESSAGES 403, non-text 400, hidden or missing 404 alike, timed out 403, kicked 404', async () => {
  const { owner, guild, general, voice, category, members } = await setup(3);
  const [muted, outsider, timedOut] = members;
  const missingChannel = await muted.call('POST', `/channels/${NONEXISTENT}/messages`, { content: 'x' });
  assert.equal(missingChannel.status, 404);
  assert.equal(missingChannel.body.code, 10003);

  await overwrite(owner, general.id, muted.id, 1, 0n, SEND_MESSAGES);
  const noSend = await muted.call('POST', `/channels/${general.id}/messages`, { content: 'x' });
  assert.equal(noSend.status, 403, noSend.text);
  assert.equal(noSend.body.code, 50013);
  assert.equal((await muted.call('GET', `/channels/${general.id}/messages`)).status, 200, 'reading still works');

  for (const channel of [voice, category]) {
    const refused = await owner.call('POST', `/channels/${channel.id}/messages`, { content: 'x' });
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.body.code, 50035);
    assert.ok(refused.body.errors.channel, refused.text);
  }

  // A private channel answers exactly like a missing one, on every route.
  const secret = await owner.call('POST', `/guilds/${guild.id}/channels`, {
    name: 'secret',
    type: 0,
    permission_overwrites: [{ id: guild.id, type: 0, allow: '0', deny: String(VIEW_CHANNEL) }],
  });
  assert.equal(secret.status, 201, secret.text);
  const hiddenMessage = await send(owner, secret.body.id, 'classified');
  const routes = (channel, message) => [
    ['POST', `/channels/${channel}/messages`, { content: 'x' }],
    ['GET', `/channels/${channel}/messages`],
    ['GET', `/channels/${channel}/messages/${message}`],
    ['PATCH', `/channels/${channel}/messages/${message}`, { content: 'x' }],
    ['DELETE', `/channels/${channel}/messages/${message}`],
    ['POST', `/channels/${channel}/messages/bulk-delete`, { messages: [message, message] }],
  ];
  const hidden = routes(secret.body.id, hiddenMessage.id);
  const missing = routes(NONEXISTENT, hiddenMessage.id);
  for (let i = 0; i < hidden.length; ++i) {
    const seen = await outsider.call(...hidden[i]);
    const absent = await outsider.call(...missing[i]);
    assert.equal(seen.status, 404, `${hidden[i][0]} ${hidden[i][1]}`);
    assert.equal(seen.text, absent.text, `${hidden[i][0]} ${hidden[i][1]}`);
  }
  // A message of another channel, through a channel one can see, is an unknown message.
  const crossed = await outsider.call('GET', `/channels/${general.id}/messages/${hiddenMessage.id}`);
  const unknown = await outsider.call('GET', `/channels/${general.id}/messages/${NONEXISTENT}`);
  assert.equal(crossed.status, 404);
  assert.equal(crossed.text, unknown.text);
  assert.equal(crossed.body.code, 10008);

  // Timed out: can read, can't send.
  const until = new Date(Date.now() + 3600 * 1000).toISOString();
  const timeout = await owner.call('PATCH', `/guilds/${guild.id}/members/${timedOut.id}`, {
    communication_disabled_until: until,
  });
  assert.equal(timeout.status, 200, timeout.text);
  const quiet = await timedOut.call('POST', `/channels/${general.id}/messages`, { content: 'x' });
  assert.equal(quiet.status, 403, quiet.text);
  assert.equal(quiet.body.code, 50013);
  assert.equal((await timedOut.call('GET', `/channels/${general.id}/messages`)).status, 200);

  // Kicked: the channel no longer exists for them.
  const before = await send(outsider, general.id, 'before the kick');
  assert.equal((await owner.call('DELETE', `/guilds/${guild.id}/members/${outsider.id}`)).status, 204);
  const kicked = [
    await outsider.call('GET', `/channels/${general.id}/messages`),
    await outsider.call('POST', `/channels/${general.id}/messages`, { content: 'x' }),
    await outsider.call('DELETE', `/channels/${general.id}/messages/${before.id}`),
  ];
  const ghost = [
    await outsider.call('GET', `/channels/${NONEXISTENT}/messages`),
    await outsider.call('POST', `/channels/${NONEXISTENT}/messages`, { content: 'x' }),
    await outsider.call('DELETE', `/channels/${NONEXISTENT}/messages/${before.id}`),
  ];
  for (let i = 0; i < kicked.length; ++i) {
    assert.equal(kicked[i].status, 404);
    assert.equal(kicked[i].text, ghost[i].text);
  }
  const anonymous = await fetch(`${server.url}/api/v1/channels/${general.id}/messages`);
  assert.equal(anonymous.status, 401);
});

test('a sender\'s next send is judged on what changed since the last one, at once', async () => {
  // Sends after the first one may start from the access the last one read (kept per sender and
  // channel, guarded by the server's access version in the insert); every change must still
  // decide the very next send, and a refused send stores nothing.
  const { owner, guild, general, members } = await setup(1);
  const [member] = members;
  const attempt = (content) => member.call('POST', `/channels/${general.id}/messages`, { content });
  await send(member, general.id, 'one');
  await send(member, general.id, 'two');

  await overwrite(owner, general.id, member.id, 1, 0n, SEND_MESSAGES);
  let refused = await attempt('denied by overwrite');
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.body.code, 50013);
  assert.equal((await owner.call('DELETE', `/channels/${general.id}/permissions/${member.id}`)).status, 204);
  await send(member, general.id, 'three');

  // @everyone loses SEND_MESSAGES, then gets it back.
  const withoutSend = DEFAULT_EVERYONE & ~SEND_MESSAGES;
  let everyone = await owner.call('PATCH', `/guilds/${guild.id}/roles/${guild.id}`, { permissions: String(withoutSend) });
  assert.equal(everyone.status, 200, everyone.text);
  refused = await attempt('denied by role');
  assert.equal(refused.status, 403, refused.text);
  everyone = await owner.call('PATCH', `/guilds/${guild.id}/roles/${guild.id}`, { permissions: String(DEFAULT_EVERYONE) });
  assert.equal(everyone.status, 200, everyone.text);
  await send(member, general.id, 'four');

  // Slowmode set after the last send: the next send claims its slot, the one after waits.
  const slow = await owner.call('PATCH', `/channels/${general.id}`, { rate_limit_per_user: 60 });
  assert.equal(slow.status, 200, slow.text);
  await send(member, general.id, 'five');
  refused = await attempt('too soon');
  assert.equal(refused.status, 429, refused.text);
  assert.equal((await owner.call('PATCH', `/channels/${general.id}`, { rate_limit_per_user: 0 })).status, 200);
  await send(member, general.id, 'six');

  // A timeout, then its end.
  const until = new Date(Date.now() + 3600 * 1000).toISOString();
  let timeout = await owner.call('PATCH', `/guilds/${guild.id}/members/${member.id}`, { communication_disabled_until: until });
  assert.equal(timeout.status, 200, timeout.text);
  refused = await attempt('timed out');
  assert.equal(refused.status, 403, refused.text);
  timeout = await owner.call('PATCH', `/guilds/${guild.id}/members/${member.id}`, { communication_disabled_until: null });
  assert.equal(timeout.status, 200, timeout.text);
  await send(member, general.id, 'seven');

  // The channel made private, without the member.
  const hidden = await owner.call('PUT', `/channels/${general.id}/permissions/${guild.id}`, {
    type: 0,
    allow: '0',
    deny: String(VIEW_CHANNEL),
  });
  assert.equal(hidden.status, 204, hidden.text);
  refused = await attempt('hidden');
  assert.equal(refused.status, 404, refused.text);
  assert.equal(refused.body.code, 10003);
  assert.equal((await owner.call('DELETE', `/channels/${general.id}/permissions/${guild.id}`)).status, 204);
  await send(member, general.id, 'eight');

  // Signed out: that token's next send is refused.
  const logout = await fetch(`${server.url}/api/v1/auth/logout`, {
    method: 'POST',
    headers: { authorization: `Bearer ${member.token}` },
  });
  assert.equal(logout.status, 204, await logout.text());
  refused = await attempt('signed out');
  assert.equal(refused.status, 401, refused.text);

  const stored = (await owner.call('GET', `/channels/${general.id}/messages?limit=100`)).body.map((m) => m.content);
  assert.deepEqual(stored.reverse(), ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight']);
});

/** An identified gateway connection collecting dispatches. */
function connect(token) {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/gateway`);
  const events = [];
  const ready = new Promise((resolve) => {
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
    events,
    async next(predicate, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no such event; got ${events.map((e) => e.t).join(', ')}`);
        await sleep(25);
      }
    },
    close: () => socket.close(),
  };
}

test('MESSAGE_CREATE, _UPDATE, _DELETE and _DELETE_BULK reach those who can see the channel', async () => {
  const { owner, guild, general, members } = await setup(2);
  const [reader, blind] = members;
  await overwrite(owner, general.id, blind.id, 1, 0n, VIEW_CHANNEL);
  const readerSocket = connect(reader.token);
  const blindSocket = connect(blind.token);
  await Promise.all([readerSocket.ready, blindSocket.ready]);

  const sent = await send(owner, general.id, 'live', { nonce: 'n-1' });
  const created = await readerSocket.next((e) => e.t === 'MESSAGE_CREATE' && e.d.id === sent.id);
  assert.equal(created.d.content, 'live');
  assert.equal(created.d.nonce, 'n-1');
  assert.equal(created.d.channel_id, general.id);
  assert.equal(created.d.guild_id, guild.id);

  const edited = await owner.call('PATCH', `/channels/${general.id}/messages/${sent.id}`, { content: 'live!' });
  assert.equal(edited.status, 200);
  const updated = await readerSocket.next((e) => e.t === 'MESSAGE_UPDATE' && e.d.id === sent.id);
  assert.equal(updated.d.content, 'live!');
  assert.ok(updated.d.edited_timestamp);

  assert.equal((await owner.call('DELETE', `/channels/${general.id}/messages/${sent.id}`)).status, 204);
  const deleted = await readerSocket.next((e) => e.t === 'MESSAGE_DELETE' && e.d.id === sent.id);
  assert.deepEqual(deleted.d, { id: sent.id, channel_id: general.id, guild_id: guild.id });

  const x = await send(owner, general.id, 'x');
  const y = await send(owner, general.id, 'y');
  const bulk = await owner.call('POST', `/channels/${general.id}/messages/bulk-delete`, { messages: [y.id, x.id] });
  assert.equal(bulk.status, 204, bulk.text);
  const bulkEvent = await readerSocket.next((e) => e.t === 'MESSAGE_DELETE_BULK');
  assert.deepEqual(bulkEvent.d, { ids: [x.id, y.id], channel_id: general.id, guild_id: guild.id });

  // An enforce_nonce repeat creates nothing, so it announces nothing.
  const once = await send(owner, general.id, 'once', { nonce: 'n-2', enforce_nonce: true });
  await send(owner, general.id, 'once', { nonce: 'n-2', enforce_nonce: true });
  await readerSocket.next((e) => e.t === 'MESSAGE_CREATE' && e.d.id === once.id);
  await sleep(300);
  assert.equal(readerSocket.events.filter((e) => e.t === 'MESSAGE_CREATE' && e.d.id === once.id).length, 1);

  assert.equal(blindSocket.events.filter((e) => e.t.startsWith('MESSAGE_')).length, 0, 'no VIEW_CHANNEL, no events');
  readerSocket.close();
  blindSocket.close();
});

test('a ban deletes the banned member\'s messages of the chosen period, and only those', async () => {
  const { owner, guild, general, members } = await setup(2);
  const [banned, other] = members;
  const old = await send(banned, general.id, 'from long ago');
  server.db.query(`UPDATE messages SET created_at = now() - interval '2 hours' WHERE id = ${old.id}`);
  const recent = await send(banned, general.id, 'just now');
  const kept = await send(other, general.id, 'someone else');
  const ban = await owner.call('PUT', `/guilds/${guild.id}/bans/${banned.id}`, { delete_message_seconds: 3600 });
  assert.equal(ban.status, 204, ban.text);
  const left = server.db.query(`SELECT string_agg(id::text, ',' ORDER BY id) FROM messages WHERE channel_id = ${general.id}`);
  assert.deepEqual(left.split(','), [old.id, kept.id].sort(), `recent ${recent.id} is gone, the older one stays`);
});
