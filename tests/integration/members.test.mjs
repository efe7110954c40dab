// Members, invites, bans and moderation against a real hearthd and PostgreSQL: joining by invite
// (limits, expiry, racing joins, the verified-email hold), kicks, bans, timeouts, roles and nicks
// with the role hierarchy, the audit log rows they write, and 404s that reveal nothing.
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

const KICK_MEMBERS = 1n << 1n;
const BAN_MEMBERS = 1n << 2n;
const ADMINISTRATOR = 1n << 3n;
const MANAGE_CHANNELS = 1n << 4n;
const MANAGE_GUILD = 1n << 5n;
const VIEW_CHANNEL = 1n << 10n;
const MANAGE_NICKNAMES = 1n << 27n;
const MANAGE_ROLES = 1n << 28n;
const MODERATE_MEMBERS = 1n << 40n;
const NONEXISTENT = '1234567890123456789';

const register = (target = server) => registerUser(target);

async function anonymous(method, path, target = server) {
  const answer = await fetch(`${target.url}/api/v1${path}`, { method });
  const text = await answer.text();
  return { status: answer.status, text, body: text ? JSON.parse(text) : null };
}

/** A new server owned by `owner`, with its #general channel. */
async function createServer(owner, name = 'Moderation test') {
  const created = await owner.call('POST', '/guilds', { name });
  assert.equal(created.status, 201, created.text);
  const channels = await owner.call('GET', `/guilds/${created.body.id}/channels`);
  assert.equal(channels.status, 200, channels.text);
  const general = channels.body.find((channel) => channel.name === 'general' && channel.type === 0);
  assert.ok(general, 'a new server has #general');
  return { guild: created.body, general };
}

async function invite(actor, channelId, body = {}) {
  const created = await actor.call('POST', `/channels/${channelId}/invites`, body);
  assert.equal(created.status, 200, created.text);
  assert.match(created.body.code, /^[A-Za-z0-9]{8}$/);
  return created.body;
}

async function joined(user, code) {
  const answer = await user.call('POST', `/invites/${code}`);
  assert.equal(answer.status, 200, answer.text);
  return answer.body;
}

async function createRole(owner, guildId, name, permissions) {
  const role = await owner.call('POST', `/guilds/${guildId}/roles`, { name, permissions: permissions.toString() });
  assert.equal(role.status, 200, role.text);
  return role.body;
}

const auditRows = (guildId, action) =>
  server.db
    .query(
      `SELECT user_id || '|' || coalesce(target_id::text, '') || '|' || coalesce(reason, '') || '|' || changes::text ` +
        `FROM audit_log WHERE guild_id = ${guildId} AND action_type = ${action} ORDER BY id`,
    )
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [user, target, reason, ...changes] = line.split('|');
      return { user, target, reason, changes: JSON.parse(changes.join('|')) };
    });

const inHours = (hours) => new Date(Date.now() + hours * 3600 * 1000).toISOString();

/**
 * A server with a ladder of roles, bottom to top: helper, admin (ADMINISTRATOR), mod (kick, ban,
 * roles, nicknames, timeouts), senior. Members: mod, senior, plain (no role), helperUser.
 */
async function ladder() {
  const owner = await register();
  const { guild, general } = await createServer(owner, 'Ladder');
  // New roles go in just above @everyone, so create them top first.
  const senior = await createRole(owner, guild.id, 'senior', KICK_MEMBERS);
  const mod = await createRole(
    owner,
    guild.id,
    'mod',
    KICK_MEMBERS | BAN_MEMBERS | MANAGE_ROLES | MANAGE_NICKNAMES | MODERATE_MEMBERS,
  );
  const admin = await createRole(owner, guild.id, 'admin', ADMINISTRATOR);
  const helper = await createRole(owner, guild.id, 'helper', 0n);
  const roles = (await owner.call('GET', `/guilds/${guild.id}/roles`)).body;
  const position = (role) => roles.find((r) => r.id === role.id).position;
  assert.ok(position(helper) < position(admin) && position(admin) < position(mod) && position(mod) < position(senior));

  const code = (await invite(owner, general.id, { max_age: 0 })).code;
  const people = {};
  for (const name of ['modUser', 'seniorUser', 'plain', 'helperUser', 'adminUser']) {
    people[name] = await register();
    await joined(people[name], code);
  }
  const give = async (user, role) =>
    assert.equal((await owner.call('PUT', `/guilds/${guild.id}/members/${user.id}/roles/${role.id}`)).status, 204);
  await give(people.modUser, mod);
  await give(people.seniorUser, senior);
  await give(people.helperUser, helper);
  await give(people.adminUser, admin);
  return { owner, guild, general, roles: { senior, mod, admin, helper }, ...people };
}

test('an invite previews without signing in, joins once, and lists the new member', async () => {
  const owner = await register();
  const { guild, general } = await createServer(owner, 'Invite club');
  const created = await invite(owner, general.id);
  assert.equal(created.max_age, 86400);
  assert.equal(created.max_uses, 0);
  assert.equal(created.uses, 0);
  assert.equal(created.inviter.id, owner.id);
  assert.ok(Date.parse(created.expires_at) > Date.now() + 86000 * 1000);

  const preview = await anonymous('GET', `/invites/${created.code}?with_counts=true`);
  assert.equal(preview.status, 200, preview.text);
  assert.equal(preview.body.code, created.code);
  assert.deepEqual(preview.body.guild, { id: guild.id, name: 'Invite club', icon: null, description: null });
  assert.deepEqual(preview.body.channel, { id: general.id, name: 'general', type: 0 });
  assert.deepEqual(Object.keys(preview.body.inviter).sort(), ['avatar', 'global_name', 'id', 'username']);
  assert.equal(preview.body.approximate_member_count, 1);
  assert.equal(preview.body.max_uses, 0);
  assert.ok(!('approximate_member_count' in (await anonymous('GET', `/invites/${created.code}`)).body));
  assert.equal((await anonymous('POST', `/invites/${created.code}`)).status, 401, 'joining needs an account');

  const member = await register();
  const joinedGuild = await joined(member, created.code);
  assert.equal(joinedGuild.id, guild.id);
  assert.equal(joinedGuild.approximate_member_count, 2);
  const again = await member.call('POST', `/invites/${created.code}`);
  assert.equal(again.status, 200, 'joining twice is harmless');
  assert.equal(again.body.id, guild.id);
  assert.equal(server.db.query(`SELECT uses FROM invites WHERE code = '${created.code}'`), '1', 'counted once');

  const one = await member.call('GET', `/guilds/${guild.id}/members`);
  assert.equal(one.status, 200);
  assert.equal(one.body.length, 1, 'limit defaults to 1');
  const all = await member.call('GET', `/guilds/${guild.id}/members?limit=1000`);
  assert.deepEqual(
    all.body.map((m) => m.user.id),
    [owner.id, member.id].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)),
  );
  const next = await member.call('GET', `/guilds/${guild.id}/members?limit=1000&after=${all.body[0].user.id}`);
  assert.deepEqual(next.body.map((m) => m.user.id), [all.body[1].user.id]);
  assert.equal((await member.call('GET', `/guilds/${guild.id}/members?limit=0`)).status, 400);
  assert.equal((await member.call('GET', `/guilds/${guild.id}/members?limit=1001`)).status, 400);

  const self = await member.call('GET', `/guilds/${guild.id}/members/${member.id}`);
  assert.equal(self.status, 200);
  assert.deepEqual(Object.keys(self.body).sort(), [
    'communication_disabled_until', 'deaf', 'joined_at', 'mute', 'nick', 'roles', 'user',
  ]);
  assert.deepEqual(self.body.roles, []);
  assert.equal(self.body.nick, null);
  assert.equal(self.body.communication_disabled_until, null);
  assert.equal(self.body.user.username, member.name);
  assert.ok(!('email' in self.body.user), 'no private fields');
  assert.ok(!Number.isNaN(Date.parse(self.body.joined_at)));
  const unknown = await member.call('GET', `/guilds/${guild.id}/members/${NONEXISTENT}`);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.code, 10007);
});

test('invite limits: max_uses holds against parallel joins; expired and used-up invites are unknown', async () => {
  const owner = await register();
  const { guild, general } = await createServer(owner, 'Limits');
  const limited = await invite(owner, general.id, { max_uses: 3, unique: true });
  assert.equal(limited.max_uses, 3);
  const joiners = await Promise.all(Array.from({ length: 8 }, () => register()));
  const answers = await Promise.all(joiners.map((user) => user.call('POST', `/invites/${limited.code}`)));
  const statuses = answers.map((answer) => answer.status).sort();
  assert.deepEqual(statuses, [200, 200, 200, 404, 404, 404, 404, 404], answers.map((a) => a.text).join('\n'));
  for (const answer of answers.filter((a) => a.status === 404)) assert.equal(answer.body.code, 10006);
  assert.equal(server.db.query(`SELECT uses FROM invites WHERE code = '${limited.code}'`), '3');
  assert.equal(server.db.query(`SELECT count(*) FROM members WHERE guild_id = ${guild.id}`), '4');

  const unknown = await anonymous('GET', '/invites/ZZZZZZZZ');
  assert.equal(unknown.status, 404);
  assert.deepEqual(unknown.body, { code: 10006, message: 'Unknown Invite' });
  const usedUp = await anonymous('GET', `/invites/${limited.code}`);
  assert.equal(usedUp.status, unknown.status);
  assert.equal(usedUp.text, unknown.text, 'a used-up invite reads exactly like an unknown one');

  const expiring = await invite(owner, general.id, { max_age: 60, unique: true });
  server.db.query(`UPDATE invites SET expires_at = now() - interval '1 second' WHERE code = '${expiring.code}'`);
  const expired = await anonymous('GET', `/invites/${expiring.code}`);
  assert.equal(expired.text, unknown.text, 'an expired invite reads exactly like an unknown one');
  const late = await register();
  const lateJoin = await late.call('POST', `/invites/${expiring.code}`);
  assert.equal(lateJoin.status, 404);
  assert.equal(lateJoin.body.code, 10006);

  const forever = await invite(owner, general.id, { max_age: 0, unique: true });
  assert.equal(forever.expires_at, null);
  const same = await invite(owner, general.id, { max_age: 0 });
  assert.equal(same.code, forever.code, 'without unique, a similar live invite is handed out again');
  for (const body of [{ max_age: 604801 }, { max_uses: 101 }, { max_age: -1 }, { max_uses: 'many' }]) {
    const refused = await owner.call('POST', `/channels/${general.id}/invites`, body);
    assert.equal(refused.status, 400, JSON.stringify(body));
    assert.equal(refused.body.code, 50035);
  }

  // The count kept with the server (migration 0010) follows the parallel joins, a kick and a leave.
  const count = async () =>
    (await anonymous('GET', `/invites/${forever.code}?with_counts=true`)).body.approximate_member_count;
  assert.equal(await count(), 4);
  const [kicked, leaving] = joiners.filter((_, i) => answers[i].status === 200);
  assert.equal((await owner.call('DELETE', `/guilds/${guild.id}/members/${kicked.id}`)).status, 204);
  assert.equal((await leaving.call('DELETE', `/users/@me/guilds/${guild.id}`)).status, 204);
  assert.equal(await count(), 2);
  assert.equal(server.db.query(`SELECT member_count FROM guilds WHERE id = ${guild.id}`), '2');
});

test('banned users cannot join; bans list, read and lift; banning a non-member works', async () => {
  const owner = await register();
  const { guild, general } = await createServer(owner, 'Bans');
  const code = (await invite(owner, general.id, { max_age: 0 })).code;
  const troll = await register();
  await joined(troll, code);

  const banned = await owner.call('PUT', `/guilds/${guild.id}/bans/${troll.id}`, { delete_message_seconds: 3600 }, {
    'X-Audit-Log-Reason': 'spam%20links',
  });
  assert.equal(banned.status, 204, banned.text);
  assert.equal((await troll.call('GET', `/guilds/${guild.id}`)).status, 404, 'no longer a member');
  const refused = await troll.call('POST', `/invites/${code}`);
  assert.equal(refused.status, 403);
  assert.deepEqual(refused.body, { code: 40007, message: 'You are banned from this server' });

  const stranger = await register();
  assert.equal((await owner.call('PUT', `/guilds/${guild.id}/bans/${stranger.id}`)).status, 204, 'a bare PUT');
  assert.equal((await stranger.call('POST', `/invites/${code}`)).status, 403);
  const nobody = await owner.call('PUT', `/guilds/${guild.id}/bans/${NONEXISTENT}`);
  assert.equal(nobody.status, 404);
  assert.equal(nobody.body.code, 10013);
  const tooLong = await owner.call('PUT', `/guilds/${guild.id}/bans/${stranger.id}`, {
    delete_message_seconds: 604801,
  });
  assert.equal(tooLong.status, 400);

  const list = await owner.call('GET', `/guilds/${guild.id}/bans`);
  assert.equal(list.status, 200);
  const expected = [troll.id, stranger.id].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  assert.deepEqual(list.body.map((ban) => ban.user.id), expected);
  assert.equal(list.body.find((ban) => ban.user.id === troll.id).reason, 'spam links');
  assert.deepEqual((await owner.call('GET', `/guilds/${guild.id}/bans?limit=1`)).body.map((b) => b.user.id), [
    expected[0],
  ]);
  assert.deepEqual(
    (await owner.call('GET', `/guilds/${guild.id}/bans?after=${expected[0]}`)).body.map((b) => b.user.id),
    [expected[1]],
  );
  assert.deepEqual(
    (await owner.call('GET', `/guilds/${guild.id}/bans?before=${expected[1]}`)).body.map((b) => b.user.id),
    [expected[0]],
  );
  const one = await owner.call('GET', `/guilds/${guild.id}/bans/${troll.id}`);
  assert.deepEqual(one.body, {
    reason: 'spam links',
    user: { id: troll.id, username: troll.name, global_name: null, avatar: null },
  });

  // Reading bans needs BAN_MEMBERS.
  const member = await register();
  await joined(member, code);
  const denied = await member.call('GET', `/guilds/${guild.id}/bans`);
  assert.equal(denied.status, 403);
  assert.equal(denied.body.code, 50013);

  assert.equal((await owner.call('DELETE', `/guilds/${guild.id}/bans/${troll.id}`)).status, 204);
  const gone = await owner.call('DELETE', `/guilds/${guild.id}/bans/${troll.id}`);
  assert.equal(gone.status, 404);
  assert.equal(gone.body.code, 10026);
  await joined(troll, code);

  const adds = auditRows(guild.id, 22);
  assert.equal(adds.length, 2);
  assert.deepEqual(adds[0], {
    user: owner.id,
    target: troll.id,
    reason: 'spam links',
    changes: [{ key: 'delete_message_seconds', new_value: 3600 }],
  });
  assert.equal(auditRows(guild.id, 23).length, 1);
  assert.equal(auditRows(guild.id, 23)[0].target, troll.id);
});

test('kicks follow the hierarchy: below only, never the owner, never oneself', async () => {
  const s = await ladder();
  const kick = (actor, target, headers) => actor.call('DELETE', `/guilds/${s.guild.id}/members/${target.id}`, undefined, headers);
  for (const [actor, target, why] of [
    [s.modUser, s.seniorUser, 'a higher member'],
    [s.modUser, s.owner, 'the owner'],
    [s.modUser, s.modUser, 'oneself'],
    [s.seniorUser, s.owner, 'the owner'],
    [s.plain, s.helperUser, 'no KICK_MEMBERS'],
    [s.adminUser, s.modUser, 'administrators still rank by role'],
  ]) {
    const refused = await kick(actor, target);
    assert.equal(refused.status, 403, `${why}: ${refused.text}`);
    assert.equal(refused.body.code, 50013);
  }
  assert.equal((await kick(s.modUser, s.helperUser, { 'X-Audit-Log-Reason': 'bye' })).status, 204);
  assert.equal((await s.helperUser.call('GET', `/guilds/${s.guild.id}`)).status, 404, 'kicked out');
  const again = await kick(s.modUser, s.helperUser);
  assert.equal(again.status, 404);
  assert.equal(again.body.code, 10007);
  assert.equal((await kick(s.seniorUser, s.modUser)).status, 204, 'a higher role kicks a lower one');
  assert.equal((await kick(s.owner, s.seniorUser)).status, 204, 'the owner kicks anyone');
  const kicks = auditRows(s.guild.id, 20);
  assert.deepEqual(
    kicks.map((row) => [row.user, row.target, row.reason]),
    [
      [s.modUser.id, s.helperUser.id, 'bye'],
      [s.seniorUser.id, s.modUser.id, ''],
      [s.owner.id, s.seniorUser.id, ''],
    ],
  );
});

test('bans follow the hierarchy too', async () => {
  const s = await ladder();
  const ban = (actor, target) => actor.call('PUT', `/guilds/${s.guild.id}/bans/${target.id}`, {});
  assert.equal((await ban(s.modUser, s.seniorUser)).status, 403);
  assert.equal((await ban(s.modUser, s.owner)).status, 403);
  assert.equal((await ban(s.modUser, s.modUser)).status, 403);
  assert.equal((await ban(s.plain, s.helperUser)).status, 403);
  assert.equal(server.db.query(`SELECT count(*) FROM bans WHERE guild_id = ${s.guild.id}`), '0');
  assert.equal((await ban(s.modUser, s.plain)).status, 204);
  assert.equal(server.db.query(`SELECT count(*) FROM members WHERE guild_id = ${s.guild.id} AND user_id = ${s.plain.id}`), '0');
});

test('roles: MANAGE_ROLES reaches only roles and members below one\'s own; audit shows $add and $remove', async () => {
  const s = await ladder();
  const { guild, roles } = s;
  const put = (actor, target, role) => actor.call('PUT', `/guilds/${guild.id}/members/${target.id}/roles/${role.id}`);
  const del = (actor, target, role) =>
    actor.call('DELETE', `/guilds/${guild.id}/members/${target.id}/roles/${role.id}`);

  assert.equal((await put(s.modUser, s.plain, roles.helper)).status, 204);
  assert.equal((await put(s.modUser, s.plain, roles.helper)).status, 204, 'already there: nothing to do');
  assert.equal((await put(s.modUser, s.plain, roles.senior)).status, 403, 'a higher role');
  assert.equal((await put(s.modUser, s.plain, roles.mod)).status, 403, 'one\'s own highest role');
  assert.equal((await put(s.modUser, s.seniorUser, roles.helper)).status, 403, 'a higher member');
  assert.equal((await del(s.modUser, s.owner, roles.helper)).status, 403, 'the owner');
  assert.equal((await put(s.plain, s.plain, roles.helper)).status, 403, 'no MANAGE_ROLES');
  const everyone = await put(s.owner, s.plain, { id: guild.id });
  assert.equal(everyone.status, 404);
  assert.equal(everyone.body.code, 10011);
  assert.equal((await put(s.owner, s.plain, { id: NONEXISTENT })).body.code, 10011);

  const patched = await s.modUser.call('PATCH', `/guilds/${guild.id}/members/${s.plain.id}`, {
    roles: [roles.admin.id],
  });
  assert.equal(patched.status, 200, patched.text);
  assert.deepEqual(patched.body.roles, [roles.admin.id]);
  for (const body of [{ roles: [roles.senior.id, roles.helper.id] }, { roles: [] }]) {
    const answer = await s.modUser.call('PATCH', `/guilds/${guild.id}/members/${s.seniorUser.id}`, body);
    assert.equal(answer.status, 403, `a higher member: ${JSON.stringify(body)}`);
  }
  const higherRole = await s.modUser.call('PATCH', `/guilds/${guild.id}/members/${s.plain.id}`, {
    roles: [roles.admin.id, roles.senior.id],
  });
  assert.equal(higherRole.status, 403, 'a higher role');
  const invalid = await s.owner.call('PATCH', `/guilds/${guild.id}/members/${s.plain.id}`, { roles: [guild.id] });
  assert.equal(invalid.status, 400, '@everyone is not assignable');
  const stranger = await s.owner.call('PATCH', `/guilds/${guild.id}/members/${s.plain.id}`, { roles: [NONEXISTENT] });
  assert.equal(stranger.status, 400, 'roles of this server only');

  // Moving helper above mod takes it out of the mod's reach.
  assert.equal((await put(s.owner, s.plain, roles.helper)).status, 204);
  const moved = await s.owner.call('PATCH', `/guilds/${guild.id}/roles`, [{ id: roles.helper.id, position: 4 }]);
  assert.equal(moved.status, 200, moved.text);
  assert.equal((await del(s.modUser, s.plain, roles.helper)).status, 403, 'helper now ranks above mod');
  assert.equal((await del(s.owner, s.plain, roles.helper)).status, 204);

  const rows = auditRows(guild.id, 25).filter((row) => row.target === s.plain.id);
  assert.deepEqual(rows.map((row) => row.changes), [
    [{ key: '$add', new_value: [{ id: roles.helper.id, name: 'helper' }] }],
    [
      { key: '$add', new_value: [{ id: roles.admin.id, name: 'admin' }] },
      { key: '$remove', new_value: [{ id: roles.helper.id, name: 'helper' }] },
    ],
    [{ key: '$add', new_value: [{ id: roles.helper.id, name: 'helper' }] }],
    [{ key: '$remove', new_value: [{ id: roles.helper.id, name: 'helper' }] }],
  ]);
});

test('timeouts: MODERATE_MEMBERS, at most 28 days, not on administrators or the owner, lifted with null', async () => {
  const s = await ladder();
  const { guild, general } = s;
  const timeout = (actor, target, until) =>
    actor.call('PATCH', `/guilds/${guild.id}/members/${target.id}`, { communication_disabled_until: until });

  const until = inHours(1);
  const done = await timeout(s.modUser, s.plain, until);
  assert.equal(done.status, 200, done.text);
  assert.equal(Date.parse(done.body.communication_disabled_until), Date.parse(until));
  // Timed out: only VIEW_CHANNEL and READ_MESSAGE_HISTORY remain.
  assert.equal((await s.plain.call('POST', `/channels/${general.id}/invites`, {})).status, 403);

  assert.equal((await timeout(s.modUser, s.adminUser, inHours(1))).body?.message, "Administrators can't be timed out");
  assert.equal((await timeout(s.modUser, s.seniorUser, inHours(1))).status, 403, 'a higher member');
  assert.equal((await timeout(s.modUser, s.owner, inHours(1))).status, 403, 'the owner');
  assert.equal((await timeout(s.modUser, s.modUser, inHours(1))).status, 403, 'oneself');
  assert.equal((await timeout(s.helperUser, s.plain, inHours(1))).status, 403, 'no MODERATE_MEMBERS');
  const tooLong = await timeout(s.modUser, s.helperUser, inHours(24 * 28 + 1));
  assert.equal(tooLong.status, 400);
  assert.equal(tooLong.body.errors.communication_disabled_until._errors[0].code, 'COMMUNICATION_DISABLED_TOO_LONG');
  const garbage = await timeout(s.modUser, s.helperUser, 'next tuesday');
  assert.equal(garbage.status, 400);
  assert.equal((await timeout(s.modUser, s.helperUser, inHours(24 * 27))).status, 200, 'within 28 days');

  const lifted = await timeout(s.modUser, s.plain, null);
  assert.equal(lifted.status, 200);
  assert.equal(lifted.body.communication_disabled_until, null);
  assert.equal((await s.plain.call('POST', `/channels/${general.id}/invites`, {})).status, 200, 'can act again');

  const rows = auditRows(guild.id, 24).filter((row) => row.target === s.plain.id);
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[0].changes, [{ key: 'communication_disabled_until', new_value: until }]);
  assert.equal(rows[1].changes[0].key, 'communication_disabled_until');
  assert.ok(rows[1].changes[0].old_value && !('new_value' in rows[1].changes[0]));
});

test('nicknames: one\'s own with CHANGE_NICKNAME, others\' with MANAGE_NICKNAMES below one\'s rank; mute and deaf', async () => {
  const s = await ladder();
  const { guild } = s;
  const nick = (actor, target, value) => actor.call('PATCH', `/guilds/${guild.id}/members/${target}`, { nick: value });

  const own = await nick(s.plain, '@me', '  Plain Jane ');
  assert.equal(own.status, 200, own.text);
  assert.equal(own.body.nick, 'Plain Jane');
  assert.equal((await nick(s.plain, s.helperUser.id, 'Helper')).status, 403, 'no MANAGE_NICKNAMES');
  assert.equal((await nick(s.modUser, s.plain.id, 'Renamed')).body.nick, 'Renamed');
  assert.equal((await nick(s.modUser, s.seniorUser.id, 'x')).status, 403, 'a higher member');
  assert.equal((await nick(s.modUser, s.owner.id, 'x')).status, 403, 'the owner');
  assert.equal((await nick(s.owner, s.owner.id, 'Boss')).status, 200, 'the owner renames themselves');
  const long = await nick(s.plain, '@me', 'x'.repeat(33));
  assert.equal(long.status, 400);
  assert.equal(long.body.errors.nick._errors[0].code, 'BASE_TYPE_BAD_LENGTH');
  // @me accepts only the nick: other fields are ignored, not applied.
  const sneaky = await s.plain.call('PATCH', `/guilds/${guild.id}/members/@me`, { nick: null, mute: true });
  assert.equal(sneaky.status, 200);
  assert.equal(sneaky.body.nick, null);
  assert.equal(sneaky.body.mute, false);

  // Taking CHANGE_NICKNAME from @everyone stops self-renames.
  const everyone = (await s.owner.call('GET', `/guilds/${guild.id}/roles`)).body.find((r) => r.id === guild.id);
  const without = (BigInt(everyone.permissions) & ~(1n << 26n)).toString();
  assert.equal((await s.owner.call('PATCH', `/guilds/${guild.id}/roles/${guild.id}`, { permissions: without })).status, 200);
  assert.equal((await nick(s.plain, '@me', 'Nope')).status, 403);

  // mute/deaf are stored now and enforced once voice exists; they need their own permissions.
  assert.equal((await s.modUser.call('PATCH', `/guilds/${guild.id}/members/${s.plain.id}`, { mute: true })).status, 403);
  const muted = await s.owner.call('PATCH', `/guilds/${guild.id}/members/${s.plain.id}`, { mute: true, deaf: true });
  assert.equal(muted.status, 200);
  assert.equal(muted.body.mute, true);
  assert.equal(muted.body.deaf, true);
  assert.equal((await s.owner.call('PATCH', `/guilds/${guild.id}/members/${s.plain.id}`, { mute: 'yes' })).status, 400);

  const rows = auditRows(guild.id, 24).filter((row) => row.target === s.plain.id);
  assert.deepEqual(rows.map((row) => row.changes), [
    [{ key: 'nick', new_value: 'Plain Jane' }],
    [{ key: 'nick', old_value: 'Plain Jane', new_value: 'Renamed' }],
    [{ key: 'nick', old_value: 'Renamed' }],
    [
      { key: 'mute', old_value: false, new_value: true },
      { key: 'deaf', old_value: false, new_value: true },
    ],
  ]);
});

test('invites: listing and deleting need MANAGE_CHANNELS or MANAGE_GUILD; audit rows 40 and 42', async () => {
  const owner = await register();
  const { guild, general } = await createServer(owner, 'Invite admin');
  const first = await invite(owner, general.id, { unique: true });
  const member = await register();
  await joined(member, first.code);
  const second = await invite(member, general.id, { max_uses: 5 });
  assert.equal(second.inviter.id, member.id);

  assert.equal((await member.call('GET', `/channels/${general.id}/invites`)).status, 403);
  assert.equal((await member.call('GET', `/guilds/${guild.id}/invites`)).status, 403);
  const byChannel = await owner.call('GET', `/channels/${general.id}/invites`);
  assert.deepEqual(byChannel.body.map((i) => i.code).sort(), [first.code, second.code].sort());
  const byGuild = await owner.call('GET', `/guilds/${guild.id}/invites`);
  assert.deepEqual(byGuild.body.map((i) => i.code).sort(), [first.code, second.code].sort());
  assert.equal(byGuild.body.find((i) => i.code === first.code).uses, 1);

  const refused = await member.call('DELETE', `/invites/${first.code}`);
  assert.equal(refused.status, 403);
  const managers = await createRole(owner, guild.id, 'channel managers', MANAGE_CHANNELS);
  await owner.call('PUT', `/guilds/${guild.id}/members/${member.id}/roles/${managers.id}`);
  const deleted = await member.call('DELETE', `/invites/${first.code}`, undefined, { 'X-Audit-Log-Reason': 'leaked' });
  assert.equal(deleted.status, 200, deleted.text);
  assert.equal(deleted.body.code, first.code);
  assert.equal((await anonymous('GET', `/invites/${first.code}`)).status, 404);
  assert.equal((await owner.call('DELETE', `/invites/${first.code}`)).status, 404);
  const serverManagers = await createRole(owner, guild.id, 'server managers', MANAGE_GUILD);
  await owner.call('PUT', `/guilds/${guild.id}/members/${member.id}/roles/${serverManagers.id}`);
  assert.equal((await member.call('GET', `/guilds/${guild.id}/invites`)).status, 200, 'MANAGE_GUILD lists them');

  const created = auditRows(guild.id, 40);
  assert.equal(created.length, 2);
  assert.deepEqual(created[0].changes.find((c) => c.key === 'code'), { key: 'code', new_value: first.code });
  assert.deepEqual(created[1].changes.find((c) => c.key === 'max_uses'), { key: 'max_uses', new_value: 5 });
  const removed = auditRows(guild.id, 42);
  assert.equal(removed.length, 1);
  assert.equal(removed[0].user, member.id);
  assert.equal(removed[0].reason, 'leaked');
  assert.deepEqual(removed[0].changes.find((c) => c.key === 'code'), { key: 'code', old_value: first.code });
});

test('hidden and missing resources answer byte for byte alike', async () => {
  const owner = await register();
  const { guild, general } = await createServer(owner, 'Secrets');
  const outsider = await register();
  for (const suffix of ['/members', `/members/${owner.id}`, '/bans', `/bans/${owner.id}`, '/invites']) {
    const hidden = await outsider.call('GET', `/guilds/${guild.id}${suffix}`);
    const missing = await outsider.call('GET', `/guilds/${NONEXISTENT}${suffix}`);
    assert.equal(hidden.status, 404, suffix);
    assert.equal(hidden.status, missing.status, suffix);
    assert.equal(hidden.text, missing.text, suffix);
  }
  const kick = await outsider.call('DELETE', `/guilds/${guild.id}/members/${owner.id}`);
  assert.equal(kick.text, (await outsider.call('DELETE', `/guilds/${NONEXISTENT}/members/${owner.id}`)).text);
  assert.equal(kick.body.code, 10004);

  // A channel the member may not view is as absent as one that doesn't exist.
  const member = await register();
  await joined(member, (await invite(owner, general.id)).code);
  const secret = await owner.call('POST', `/guilds/${guild.id}/channels`, {
    name: 'staff',
    type: 0,
    permission_overwrites: [{ id: guild.id, type: 0, allow: '0', deny: VIEW_CHANNEL.toString() }],
  });
  assert.equal(secret.status, 201, secret.text);
  for (const method of ['GET', 'POST']) {
    const hidden = await member.call(method, `/channels/${secret.body.id}/invites`, method === 'POST' ? {} : undefined);
    const missing = await member.call(method, `/channels/${NONEXISTENT}/invites`, method === 'POST' ? {} : undefined);
    assert.equal(hidden.status, 404, method);
    assert.equal(hidden.text, missing.text, method);
    assert.equal(hidden.body.code, 10003);
  }
  assert.equal((await owner.call('POST', `/channels/${secret.body.id}/invites`, {})).status, 200);
});

test('the verified-email hold: unverified accounts cannot join servers', async () => {
  const held = await startHearthd({ args: ['--auth-requests-per-minute', '10000', '--require-verified-email', 'on'] });
  try {
    const owner = await register(held);
    held.db.query(`UPDATE users SET email_verified = true WHERE id = ${owner.id}`);
    const created = await owner.call('POST', '/guilds', { name: 'Verified only' });
    assert.equal(created.status, 201, created.text);
    const channels = (await owner.call('GET', `/guilds/${created.body.id}/channels`)).body;
    const general = channels.find((channel) => channel.name === 'general');
    const code = (await owner.call('POST', `/channels/${general.id}/invites`, {})).body.code;

    const newcomer = await register(held);
    const refused = await newcomer.call('POST', `/invites/${code}`);
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.body, { code: 50001, message: 'Verify your email address to join servers' });
    assert.equal(held.db.query(`SELECT uses FROM invites WHERE code = '${code}'`), '0', 'no use spent');
    assert.equal((await anonymous('GET', `/invites/${code}`, held)).status, 200, 'the preview still works');

    held.db.query(`UPDATE users SET email_verified = true WHERE id = ${newcomer.id}`);
    assert.equal((await newcomer.call('POST', `/invites/${code}`)).status, 200);
  } finally {
    assert.equal((await held.stop()).code, 0, held.logs());
  }
});
