// Servers, channels, overwrites, roles and the audit log against a real hearthd and PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHearthd } from '../support/hearthd.mjs';
import { registerUser } from '../support/users.mjs';

let server;
before(async () => {
  server = await startHearthd({ args: ['--auth-requests-per-minute', '1000'] });
});
after(async () => {
  assert.equal((await server.stop()).code, 0, server.logs());
});

const VIEW_CHANNEL = 1n << 10n;
const SEND_MESSAGES = 1n << 11n;
const MANAGE_CHANNELS = 1n << 4n;
const MANAGE_ROLES = 1n << 28n;
const ADMINISTRATOR = 1n << 3n;
const KICK_MEMBERS = 1n << 1n;
const MANAGE_MESSAGES = 1n << 13n;

const register = () => registerUser(server);

// Joining by invite belongs to the members routes; these tests make members directly.
function addMember(guildId, userId, roleIds = []) {
  server.db.query(`INSERT INTO members (guild_id, user_id) VALUES (${guildId}, ${userId})`);
  for (const role of roleIds) server.db.query(`INSERT INTO member_roles VALUES (${guildId}, ${userId}, ${role})`);
}

test('a new server has @everyone, #general and General voice, and only its members see it', async () => {
  const owner = await register();
  const created = await owner.call('POST', '/guilds', { name: '  Hearth Club ' });
  assert.equal(created.status, 201);
  const guild = created.body;
  assert.equal(guild.name, 'Hearth Club');
  assert.equal(guild.owner_id, owner.id);
  assert.equal(guild.approximate_member_count, 1);
  assert.equal(guild.roles.length, 1);
  assert.equal(guild.roles[0].id, guild.id, '@everyone has the server id');
  assert.equal(guild.roles[0].name, '@everyone');
  assert.equal(BigInt(guild.roles[0].permissions) & VIEW_CHANNEL, VIEW_CHANNEL);

  const channels = (await owner.call('GET', `/guilds/${guild.id}/channels`)).body;
  const byName = Object.fromEntries(channels.map((c) => [c.name, c]));
  assert.equal(byName.general.type, 0);
  assert.equal(byName.General.type, 2);
  assert.equal(byName.General.bitrate, 64000);
  assert.equal(byName.general.parent_id, byName['Text Channels'].id);
  assert.equal(byName['Text Channels'].type, 4);

  const list = (await owner.call('GET', '/users/@me/guilds')).body;
  assert.deepEqual(list.map((g) => g.id), [guild.id]);
  assert.equal(list[0].owner, true);

  // A stranger gets exactly what a server that doesn't exist gets.
  const stranger = await register();
  const hidden = await stranger.call('GET', `/guilds/${guild.id}`);
  const missing = await stranger.call('GET', '/guilds/1234567890123456789');
  assert.equal(hidden.status, 404);
  assert.equal(hidden.text, missing.text);
  for (const path of [`/guilds/${guild.id}/channels`, `/guilds/${guild.id}/roles`, `/channels/${byName.general.id}`]) {
    assert.equal((await stranger.call('GET', path)).status, 404, path);
  }
  assert.equal((await stranger.call('POST', '/guilds', { name: 'x' })).status, 400, 'names are 2-100 characters');
});

test('a private channel: hidden from members without access, 404 like a missing channel', async () => {
  const owner = await register();
  const member = await register();
  const guild = (await owner.call('POST', '/guilds', { name: 'Private test' })).body;
  addMember(guild.id, member.id);
  const mods = (await owner.call('POST', `/guilds/${guild.id}/roles`, { name: 'mods', permissions: '0' })).body;
  const created = await owner.call('POST', `/guilds/${guild.id}/channels`, {
    name: 'Secret Plans', type: 0, topic: 'shh',
    permission_overwrites: [
      { id: guild.id, type: 0, allow: '0', deny: String(VIEW_CHANNEL) },
      { id: mods.id, type: 0, allow: String(VIEW_CHANNEL), deny: '0' },
    ],
  });
  assert.equal(created.status, 201, created.text);
  const secret = created.body;
  assert.equal(secret.name, 'secret-plans', 'text channel names are lower-case with dashes');

  const seen = (await member.call('GET', `/guilds/${guild.id}/channels`)).body.map((c) => c.name);
  assert.ok(seen.includes('general'));
  assert.ok(!seen.includes('secret-plans'));
  const hidden = await member.call('GET', `/channels/${secret.id}`);
  const missing = await member.call('GET', '/channels/1234567890123456789');
  assert.equal(hidden.status, 404);
  assert.equal(hidden.text, missing.text);
  assert.equal((await member.call('PATCH', `/channels/${secret.id}`, { name: 'mine' })).status, 404);

  // Given the role, the member sees it; with a member overwrite denying it again, not.
  server.db.query(`INSERT INTO member_roles VALUES (${guild.id}, ${member.id}, ${mods.id})`);
  assert.equal((await member.call('GET', `/channels/${secret.id}`)).status, 200);
  const denied = await owner.call('PUT', `/channels/${secret.id}/permissions/${member.id}`,
    { type: 1, allow: '0', deny: String(VIEW_CHANNEL) });
  assert.equal(denied.status, 204);
  assert.equal((await member.call('GET', `/channels/${secret.id}`)).status, 404);
  assert.equal((await owner.call('DELETE', `/channels/${secret.id}/permissions/${member.id}`)).status, 204);
  assert.equal((await member.call('GET', `/channels/${secret.id}`)).status, 200);
});

test('channel management needs MANAGE_CHANNELS; overwrites need MANAGE_ROLES and only grant what one has', async () => {
  const owner = await register();
  const member = await register();
  const guild = (await owner.call('POST', '/guilds', { name: 'Manage test' })).body;
  const general = (await owner.call('GET', `/guilds/${guild.id}/channels`)).body.find((c) => c.name === 'general');
  const helpers = (await owner.call('POST', `/guilds/${guild.id}/roles`,
    { name: 'helpers', permissions: String(MANAGE_CHANNELS | MANAGE_ROLES | VIEW_CHANNEL) })).body;
  addMember(guild.id, member.id);

  const refused = await member.call('POST', `/guilds/${guild.id}/channels`, { name: 'nope' });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.code, 50013);

  server.db.query(`INSERT INTO member_roles VALUES (${guild.id}, ${member.id}, ${helpers.id})`);
  const made = await member.call('POST', `/guilds/${guild.id}/channels`, { name: 'helpers-only', parent_id: general.parent_id });
  assert.equal(made.status, 201, made.text);
  const edited = await member.call('PATCH', `/channels/${made.body.id}`,
    { topic: 'For helpers', rate_limit_per_user: 30 }, { 'X-Audit-Log-Reason': 'tidy%20up' });
  assert.equal(edited.status, 200);
  assert.equal(edited.body.topic, 'For helpers');
  assert.equal(edited.body.rate_limit_per_user, 30);
  assert.equal((await member.call('PATCH', `/channels/${made.body.id}`, { rate_limit_per_user: 21601 })).status, 400);

  // Granting a bit the helper doesn't have (MANAGE_MESSAGES) is refused; one they have is fine.
  const grant = await member.call('PUT', `/channels/${made.body.id}/permissions/${guild.id}`,
    { type: 0, allow: String(MANAGE_MESSAGES), deny: '0' });
  assert.equal(grant.status, 403, grant.text);
  const allowed = await member.call('PUT', `/channels/${made.body.id}/permissions/${guild.id}`,
    { type: 0, allow: '0', deny: String(SEND_MESSAGES) });
  assert.equal(allowed.status, 204, allowed.text);
  assert.equal((await member.call('GET', `/channels/${made.body.id}`)).body.permission_overwrites[0].deny, String(SEND_MESSAGES));
  const serverOnly = await owner.call('PUT', `/channels/${made.body.id}/permissions/${guild.id}`,
    { type: 0, allow: String(KICK_MEMBERS), deny: '0' });
  assert.equal(serverOnly.status, 400);

  const log = (await owner.call('GET', `/guilds/${guild.id}/audit-logs?action_type=11`)).body.audit_log_entries;
  assert.equal(log.length, 1);
  assert.equal(log[0].user_id, member.id);
  assert.equal(log[0].reason, 'tidy up');
  assert.deepEqual(log[0].changes.find((c) => c.key === 'topic'), { key: 'topic', old_value: '', new_value: 'For helpers' });
  assert.equal((await member.call('GET', `/guilds/${guild.id}/audit-logs`)).status, 403, 'VIEW_AUDIT_LOG');
});

test('role hierarchy: manage only roles below your highest; grant only what you have', async () => {
  const owner = await register();
  const manager = await register();
  const guild = (await owner.call('POST', '/guilds', { name: 'Roles test' })).body;
  const low = (await owner.call('POST', `/guilds/${guild.id}/roles`, { name: 'low' })).body;
  const managers = (await owner.call('POST', `/guilds/${guild.id}/roles`,
    { name: 'managers', permissions: String(MANAGE_ROLES | VIEW_CHANNEL), hoist: true, color: 0x3366ff })).body;
  const high = (await owner.call('POST', `/guilds/${guild.id}/roles`, { name: 'high' })).body;
  // Order (bottom to top): @everyone, low, managers, high.
  const ordered = await owner.call('PATCH', `/guilds/${guild.id}/roles`, [
    { id: low.id, position: 1 }, { id: managers.id, position: 2 }, { id: high.id, position: 3 }]);
  assert.equal(ordered.status, 200, ordered.text);
  assert.deepEqual(ordered.body.map((r) => r.name), ['@everyone', 'low', 'managers', 'high']);
  addMember(guild.id, manager.id, [managers.id]);

  assert.equal((await manager.call('PATCH', `/guilds/${guild.id}/roles/${low.id}`, { name: 'lower' })).status, 200);
  assert.equal((await manager.call('PATCH', `/guilds/${guild.id}/roles/${high.id}`, { name: 'mine' })).status, 403);
  assert.equal((await manager.call('PATCH', `/guilds/${guild.id}/roles/${managers.id}`, { name: 'self' })).status, 403,
    'not even their own highest role');
  assert.equal((await manager.call('PATCH', `/guilds/${guild.id}/roles/${low.id}`,
    { permissions: String(ADMINISTRATOR) })).status, 403, 'cannot grant what they do not have');
  assert.equal((await manager.call('PATCH', `/guilds/${guild.id}/roles`, [{ id: low.id, position: 3 }])).status, 403);
  assert.equal((await manager.call('DELETE', `/guilds/${guild.id}/roles/${high.id}`)).status, 403);
  assert.equal((await manager.call('DELETE', `/guilds/${guild.id}/roles/${guild.id}`)).status, 400, '@everyone stays');
  assert.equal((await manager.call('DELETE', `/guilds/${guild.id}/roles/${low.id}`)).status, 204);
  assert.equal((await owner.call('PATCH', `/guilds/${guild.id}/roles/${high.id}`, { permissions: '140737488355328' })).status,
    400, 'bit 47 is not a permission');
  const roles = (await owner.call('GET', `/guilds/${guild.id}/roles`)).body;
  assert.deepEqual(roles.map((r) => [r.name, r.position]), [['@everyone', 0], ['managers', 1], ['high', 2]]);
});

test('only the owner deletes or transfers the server; the owner cannot leave', async () => {
  const owner = await register();
  const admin = await register();
  const guild = (await owner.call('POST', '/guilds', { name: 'Owner test' })).body;
  const admins = (await owner.call('POST', `/guilds/${guild.id}/roles`, { name: 'admins', permissions: String(ADMINISTRATOR) })).body;
  addMember(guild.id, admin.id, [admins.id]);
  assert.equal((await admin.call('PATCH', `/guilds/${guild.id}`, { name: 'Renamed' })).status, 200);
  assert.equal((await admin.call('DELETE', `/guilds/${guild.id}`)).status, 403);
  assert.equal((await admin.call('PATCH', `/guilds/${guild.id}`, { owner_id: admin.id })).status, 403);
  assert.equal((await owner.call('DELETE', `/users/@me/guilds/${guild.id}`)).status, 400);
  const transferred = await owner.call('PATCH', `/guilds/${guild.id}`, { owner_id: admin.id });
  assert.equal(transferred.status, 200);
  assert.equal(transferred.body.owner_id, admin.id);
  assert.equal((await owner.call('DELETE', `/users/@me/guilds/${guild.id}`)).status, 204);
  assert.equal((await owner.call('GET', `/guilds/${guild.id}`)).status, 404);
  const log = (await admin.call('GET', `/guilds/${guild.id}/audit-logs?action_type=1`)).body.audit_log_entries;
  assert.deepEqual(log.map((e) => e.changes[0].key), ['owner_id', 'name']);
  assert.equal((await admin.call('DELETE', `/guilds/${guild.id}`)).status, 204);
  assert.equal(server.db.query(`SELECT count(*) FROM channels WHERE guild_id = ${guild.id}`), '0');
});

test('server icons are stored by hash and served as images', async () => {
  const owner = await register();
  // A whole 2x3 PNG: icons are decoded and re-encoded (docs/files.md), so a header alone is refused.
  const png = Buffer.from(
    '89504e470d0a1a0a0000000d4948445200000002000000030806000000b9eade810000001149444154789c63f8cfc0f01f8419301800a1790bf54dc49a070000000049454e44ae426082',
    'hex');
  const created = await owner.call('POST', '/guilds', { name: 'Icon test', icon: `data:image/png;base64,${png.toString('base64')}` });
  assert.equal(created.status, 201, created.text);
  assert.match(created.body.icon, /^[0-9a-f]{32}$/);
  const icon = await fetch(`${server.url}/api/v1/icons/${created.body.id}/${created.body.icon}`);
  assert.equal(icon.status, 200);
  assert.equal(icon.headers.get('content-type'), 'image/png');
  const bad = await owner.call('PATCH', `/guilds/${created.body.id}`, { icon: 'data:image/png;base64,PHN2Zz4=' });
  assert.equal(bad.status, 400);
  assert.equal((await owner.call('PATCH', `/guilds/${created.body.id}`, { icon: null })).body.icon, null);
});

test('audit log pages: limit 1-100 and snowflake filters are checked, not clamped', async () => {
  const owner = await register();
  const guild = (await owner.call('POST', '/guilds', { name: 'Audit pages' })).body;
  for (const name of ['one', 'two', 'three']) {
    assert.equal((await owner.call('POST', `/guilds/${guild.id}/channels`, { name, type: 0 })).status, 201);
  }
  const url = (query) => `/guilds/${guild.id}/audit-logs?action_type=10&${query}`;
  const all = (await owner.call('GET', url(''))).body.audit_log_entries;
  assert.equal(all.length, 3);
  const page = (await owner.call('GET', url('limit=2'))).body.audit_log_entries;
  assert.deepEqual(page.map((e) => e.id), all.slice(0, 2).map((e) => e.id), 'newest first, two of them');
  const older = (await owner.call('GET', url(`limit=100&before=${page[1].id}`))).body.audit_log_entries;
  assert.deepEqual(older.map((e) => e.id), [all[2].id]);
  assert.equal((await owner.call('GET', url(`user_id=${owner.id}&limit=1`))).body.audit_log_entries.length, 1);
  for (const query of ['limit=0', 'limit=101', 'limit=abc', 'limit=-5', 'limit=2.5', 'before=x', 'user_id=me']) {
    const refused = await owner.call('GET', url(query));
    assert.equal(refused.status, 400, query);
    assert.equal(refused.body.code, 50035, query);
    assert.equal(typeof refused.body.message, 'string', query);
  }
  const field = (await owner.call('GET', url('limit=500'))).body.errors.limit._errors[0];
  assert.equal(field.code, 'NUMBER_TYPE_MAX');
});
