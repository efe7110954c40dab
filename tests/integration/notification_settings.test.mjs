// Notification settings against a real hearthd and PostgreSQL (docs/notifications.md): the
// PATCH answer's shape, partial updates with channel overrides merged by channel id, mutes that
// end by themselves, READY's user_guild_settings, USER_GUILD_SETTINGS_UPDATE to the user's other
// session only, DM settings under "@me", validation errors, servers one isn't in, and the
// server's default_message_notifications (MANAGE_GUILD).
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

async function createGuild(owner, name) {
  const guild = (await owner.call('POST', '/guilds', { name })).body;
  const channels = (await owner.call('GET', `/guilds/${guild.id}/channels`)).body;
  const general = channels.find((c) => c.name === 'general');
  const invite = (await owner.call('POST', `/channels/${general.id}/invites`, { max_age: 0 })).body;
  return { guild, channels, general, invite };
}

async function patch(user, guildId, body, status = 200) {
  const answer = await user.call('PATCH', `/users/@me/guilds/${guildId}/settings`, body);
  assert.equal(answer.status, status, answer.text);
  return answer.body;
}

test('PATCH answers the whole object, merges overrides by channel, and reaches the user\'s other sessions', async () => {
  const owner = await registerUser(server, 'owner');
  const other = await registerUser(server, 'other');
  const { guild, channels, general, invite } = await createGuild(owner, 'Settings');
  assert.equal((await other.call('POST', `/invites/${invite.code}`)).status, 200);
  const category = channels.find((c) => c.type === 4);
  const elsewhere = connectGateway(server, owner.token);
  const watcher = connectGateway(server, other.token);
  const readyBefore = await elsewhere.ready;
  await watcher.ready;
  assert.deepEqual(readyBefore.user_guild_settings, { version: 0, partial: false, entries: [] });

  const first = await patch(owner, guild.id, {
    message_notifications: 1,
    suppress_everyone: true,
    channel_overrides: [{ channel_id: general.id, message_notifications: 0 }],
  });
  assert.deepEqual(first, {
    guild_id: guild.id,
    message_notifications: 1,
    muted: false,
    mute_config: null,
    suppress_everyone: true,
    suppress_roles: false,
    channel_overrides: [
      { channel_id: general.id, message_notifications: 0, muted: false, mute_config: null, collapsed: false },
    ],
    version: first.version,
  });
  assert.ok(first.version > 0);
  const event = await elsewhere.next((f) => f.t === 'USER_GUILD_SETTINGS_UPDATE');
  assert.deepEqual(event.d, first);
  await watcher.none((f) => f.t === 'USER_GUILD_SETTINGS_UPDATE', 300);

  // A second PATCH keeps what it doesn't name; overrides are merged (Discord's keyed form too).
  const end = new Date(Date.now() + 3600_000).toISOString();
  const second = await patch(owner, guild.id, {
    muted: true,
    mute_config: { end_time: end, selected_time_window: 3600 },
    channel_overrides: { [category.id]: { muted: true, mute_config: null, collapsed: true } },
  });
  assert.equal(second.message_notifications, 1);
  assert.equal(second.suppress_everyone, true);
  assert.equal(second.muted, true);
  assert.equal(new Date(second.mute_config.end_time).getTime(), new Date(end).getTime());
  assert.equal(second.mute_config.selected_time_window, 3600);
  assert.ok(second.version > first.version);
  const ids = second.channel_overrides.map((o) => o.channel_id);
  assert.deepEqual(new Set(ids), new Set([general.id, category.id]));
  const folded = second.channel_overrides.find((o) => o.channel_id === category.id);
  assert.deepEqual(folded.mute_config, { end_time: null, selected_time_window: -1 });
  assert.equal(folded.collapsed, true);

  // An override back to inheriting everything is dropped; unmuting clears the mute config.
  const third = await patch(owner, guild.id, {
    muted: false,
    channel_overrides: [{ channel_id: general.id, message_notifications: null }],
  });
  assert.deepEqual(third.channel_overrides.map((o) => o.channel_id), [category.id]);
  assert.equal(third.muted, false);
  assert.equal(third.mute_config, null);

  // GET one, GET all, and a new READY carry the same.
  const one = await owner.call('GET', `/users/@me/guilds/${guild.id}/settings`);
  assert.deepEqual(one.body, third);
  const all = await owner.call('GET', '/users/@me/guilds/settings');
  assert.deepEqual(all.body, { version: third.version, partial: false, entries: [third] });
  const fresh = connectGateway(server, owner.token);
  const ready = await fresh.ready;
  assert.deepEqual(ready.user_guild_settings, { version: third.version, partial: false, entries: [third] });
  [elsewhere, watcher, fresh].forEach((c) => c.close());
});

test('a mute whose end time has passed reads as no mute', async () => {
  const owner = await registerUser(server, 'owner');
  const { guild, general } = await createGuild(owner, 'Expiry');
  const past = new Date(Date.now() - 1000).toISOString();
  const answer = await patch(owner, guild.id, {
    muted: true,
    mute_config: { end_time: past, selected_time_window: 900 },
    channel_overrides: [{ channel_id: general.id, muted: true, mute_config: { end_time: past } }],
  });
  assert.equal(answer.muted, false);
  assert.equal(answer.mute_config, null);
  assert.deepEqual(answer.channel_overrides, []);
  // No event marks the end of a mute (it is computed on read), so this one waits out a short mute.
  const soon = Date.now() + 1000;
  const muted = await patch(owner, guild.id, {
    muted: true,
    mute_config: { end_time: new Date(soon).toISOString(), selected_time_window: 900 },
  });
  assert.equal(muted.muted, true);
  await new Promise((resolve) => setTimeout(resolve, soon + 50 - Date.now()));
  const later = await owner.call('GET', `/users/@me/guilds/${guild.id}/settings`);
  assert.equal(later.body.muted, false);
  assert.equal(later.body.mute_config, null);
});

test('DM settings live under @me, with overrides for the user\'s own DM channels', async () => {
  const owner = await registerUser(server, 'owner');
  const friend = await registerUser(server, 'friend');
  const stranger = await registerUser(server, 'stranger');
  const { invite } = await createGuild(owner, 'Meeting place');
  await friend.call('POST', `/invites/${invite.code}`);
  await stranger.call('POST', `/invites/${invite.code}`);
  const dm = (await owner.call('POST', '/users/@me/channels', { recipient_id: friend.id })).body;
  const theirs = (await friend.call('POST', '/users/@me/channels', { recipient_id: stranger.id })).body;
  const answer = await patch(owner, '@me', { channel_overrides: [{ channel_id: dm.id, muted: true }] });
  assert.equal(answer.guild_id, null);
  assert.equal(answer.channel_overrides[0].channel_id, dm.id);
  assert.equal(answer.channel_overrides[0].muted, true);
  const refused = await patch(owner, '@me', { channel_overrides: [{ channel_id: theirs.id, muted: true }] }, 400);
  assert.equal(refused.code, 50035);
  assert.ok(refused.errors['channel_overrides.0.channel_id'], JSON.stringify(refused));
  const all = (await owner.call('GET', '/users/@me/guilds/settings')).body;
  assert.deepEqual(all.entries.map((e) => e.guild_id), [null]);
});

test('bad values are refused with field errors; servers one is not in are unknown', async () => {
  const owner = await registerUser(server, 'owner');
  const stranger = await registerUser(server, 'stranger');
  const { guild, general } = await createGuild(owner, 'Checks');
  const { general: foreign } = await createGuild(stranger, 'Elsewhere');
  const bad = await patch(
    owner,
    guild.id,
    {
      message_notifications: 7,
      muted: 'yes',
      mute_config: { end_time: 'tomorrow' },
      channel_overrides: [{ channel_id: 'x' }, { channel_id: general.id, message_notifications: -1 }],
    },
    400,
  );
  assert.equal(bad.code, 50035);
  assert.deepEqual(Object.keys(bad.errors).sort(), [
    'channel_overrides.0.channel_id',
    'channel_overrides.1.message_notifications',
    'message_notifications',
    'mute_config.end_time',
    'muted',
  ]);
  // A channel of another server (or one that doesn't exist) is not the user's to override.
  const wrong = await patch(owner, guild.id, { channel_overrides: [{ channel_id: foreign.id, muted: true }] }, 400);
  assert.ok(wrong.errors['channel_overrides.0.channel_id']);
  // Nothing was written by the refused requests.
  assert.equal((await owner.call('GET', '/users/@me/guilds/settings')).body.entries.length, 0);
  for (const method of ['PATCH', 'GET']) {
    const refused = await stranger.call(method, `/users/@me/guilds/${guild.id}/settings`, method === 'PATCH' ? {} : undefined);
    assert.equal(refused.status, 404, refused.text);
    assert.equal(refused.body.code, 10004);
  }
});

test('the server default: MANAGE_GUILD sets default_message_notifications, 0 or 1', async () => {
  const owner = await registerUser(server, 'owner');
  const member = await registerUser(server, 'member');
  const { guild, invite } = await createGuild(owner, 'Defaults');
  await member.call('POST', `/invites/${invite.code}`);
  assert.equal(guild.default_message_notifications, 0);
  const watcher = connectGateway(server, member.token);
  await watcher.ready;
  const changed = await owner.call('PATCH', `/guilds/${guild.id}`, { default_message_notifications: 1 });
  assert.equal(changed.status, 200, changed.text);
  assert.equal(changed.body.default_message_notifications, 1);
  const update = await watcher.next((f) => f.t === 'GUILD_UPDATE');
  assert.equal(update.d.default_message_notifications, 1);
  assert.equal((await member.call('GET', `/guilds/${guild.id}`)).body.default_message_notifications, 1);
  const ready = await connectGateway(server, member.token).ready;
  assert.equal(ready.guilds.find((g) => g.id === guild.id).default_message_notifications, 1);
  const forbidden = await member.call('PATCH', `/guilds/${guild.id}`, { default_message_notifications: 0 });
  assert.equal(forbidden.status, 403, forbidden.text);
  const bad = await owner.call('PATCH', `/guilds/${guild.id}`, { default_message_notifications: 2 });
  assert.equal(bad.status, 400);
  assert.ok(bad.body.errors.default_message_notifications);
  const log = (await owner.call('GET', `/guilds/${guild.id}/audit-logs`)).body;
  assert.ok(
    log.audit_log_entries.some((e) => (e.changes ?? []).some((c) => c.key === 'default_message_notifications')),
    JSON.stringify(log),
  );
  watcher.close();
});
