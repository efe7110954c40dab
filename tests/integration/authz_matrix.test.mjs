// The authorization matrix: every server and channel route, asked by every kind of member
// (owner, administrator, staff with access, plain member, staff with a member deny overwrite,
// timed-out staff, banned user, non-member, member removed a moment ago), on a private
// channel, and every DM route on a DM between two of them. Nothing may leak: a hidden resource
// answers exactly like a missing one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHearthd } from '../support/hearthd.mjs';
import { registerUser } from '../support/users.mjs';

let server;
after(async () => {
  assert.equal((await server.stop()).code, 0, server.logs());
});

const VIEW_CHANNEL = 1n << 10n;
const ADMINISTRATOR = 1n << 3n;
const MISSING = '1111111111111111111';
const THUMBS = encodeURIComponent('👍');

const register = (label) => registerUser(server, label);

let world;
before(async () => {
  server = await startHearthd({ args: ['--auth-requests-per-minute', '10000'] });
  const owner = await register('owner');
  const guild = (await owner.call('POST', '/guilds', { name: 'Matrix' })).body;
  const general = (await owner.call('GET', `/guilds/${guild.id}/channels`)).body.find((c) => c.name === 'general');
  const admins = (await owner.call('POST', `/guilds/${guild.id}/roles`, { name: 'admins', permissions: String(ADMINISTRATOR) })).body;
  const staff = (await owner.call('POST', `/guilds/${guild.id}/roles`, { name: 'staff', permissions: '0' })).body;
  const priv = (await owner.call('POST', `/guilds/${guild.id}/channels`, {
    name: 'staff-room', type: 0,
    permission_overwrites: [
      { id: guild.id, type: 0, allow: '0', deny: String(VIEW_CHANNEL) },
      { id: staff.id, type: 0, allow: String(VIEW_CHANNEL), deny: '0' },
    ],
  })).body;
  const invite = (await owner.call('POST', `/channels/${general.id}/invites`, { max_age: 0 })).body;

  const actors = { owner };
  for (const label of ['admin', 'staff', 'plain', 'denied', 'timedout', 'banned', 'removed']) {
    actors[label] = await register(label);
    const joined = await actors[label].call('POST', `/invites/${invite.code}`);
    assert.equal(joined.status, 200, joined.text);
  }
  actors.stranger = await register('stranger');
  const give = (who, role) => owner.call('PUT', `/guilds/${guild.id}/members/${actors[who].id}/roles/${role.id}`);
  assert.equal((await give('admin', admins)).status, 204);
  for (const who of ['staff', 'denied', 'timedout', 'banned', 'removed']) assert.equal((await give(who, staff)).status, 204);
  assert.equal((await owner.call('PUT', `/channels/${priv.id}/permissions/${actors.denied.id}`,
    { type: 1, allow: '0', deny: String(VIEW_CHANNEL) })).status, 204);
  const until = new Date(Date.now() + 3600_000).toISOString();
  assert.equal((await owner.call('PATCH', `/guilds/${guild.id}/members/${actors.timedout.id}`,
    { communication_disabled_until: until })).status, 200);
  assert.equal((await owner.call('PUT', `/guilds/${guild.id}/bans/${actors.banned.id}`, {})).status, 204);
  assert.equal((await owner.call('DELETE', `/guilds/${guild.id}/members/${actors.removed.id}`)).status, 204);
  const secret = await owner.call('POST', `/channels/${priv.id}/messages`, { content: 'staff only: the plan' });
  assert.equal(secret.status, 200, secret.text);
  // A DM between the owner and staff (they share the server): theirs alone.
  const dm = await owner.call('POST', '/users/@me/channels', { recipient_id: actors.staff.id });
  assert.equal(dm.status, 200, dm.text);
  const whisper = await actors.staff.call('POST', `/channels/${dm.body.id}/messages`, { content: 'between us' });
  assert.equal(whisper.status, 200, whisper.text);
  const thread = await owner.call('POST', `/channels/${priv.id}/threads`, { name: 'plans', type: 11 });
  assert.equal(thread.status, 201, thread.text);
  const privateThread = await owner.call('POST', `/channels/${priv.id}/threads`, { name: 'owners', type: 12 });
  assert.equal(privateThread.status, 201, privateThread.text);
  world = { guild, general, priv, staff, actors, message: secret.body, dm: dm.body, whisper: whisper.body,
    thread: thread.body, privateThread: privateThread.body };
});

// Who may do what. "see" = view the private channel; "member" = still in the server;
// "manage" = change the channel; "invite" = create an invite to it.
const ROLES = {
  owner: { member: true, see: true, manage: true, invite: true, audit: true },
  admin: { member: true, see: true, manage: true, invite: true, audit: true },
  staff: { member: true, see: true, manage: false, invite: true, audit: false },
  plain: { member: true, see: false, manage: false, invite: false, audit: false },
  denied: { member: true, see: false, manage: false, invite: false, audit: false },
  timedout: { member: true, see: true, manage: false, invite: false, audit: false },
  banned: { member: false, see: false, manage: false, invite: false, audit: false },
  removed: { member: false, see: false, manage: false, invite: false, audit: false },
  stranger: { member: false, see: false, manage: false, invite: false, audit: false },
};

// Routes on the private channel: [method, path, body]. The missing twin uses MISSING for its id.
const channelRoutes = (id) => [
  ['GET', `/channels/${id}`],
  ['PATCH', `/channels/${id}`, { topic: 'changed' }],
  ['PUT', `/channels/${id}/permissions/${MISSING}`, { type: 1, allow: '0', deny: '0' }],
  ['DELETE', `/channels/${id}/permissions/${MISSING}`],
  ['POST', `/channels/${id}/invites`, { max_age: 60 }],
  ['GET', `/channels/${id}/invites`],
  ['DELETE', `/channels/${id}`],
];
// Message routes in the private channel (messages, reactions, pins, acks); the twin uses a
// missing channel.
const messageRoutes = (channel, message) => [
  ['GET', `/channels/${channel}/messages?limit=50`, undefined, 'read'],
  ['GET', `/channels/${channel}/messages/${message}`, undefined, 'read'],
  ['POST', `/channels/${channel}/messages`, { content: 'hello' }, 'send'],
  ['PATCH', `/channels/${channel}/messages/${message}`, { content: 'edited' }, 'edit'],
  ['POST', `/channels/${channel}/messages/bulk-delete`, { messages: [message, MISSING] }, 'manage'],
  ['DELETE', `/channels/${channel}/messages/${message}`, undefined, 'manage'],
  // Reactions, pins and acks on the same message.
  ['PUT', `/channels/${channel}/messages/${message}/reactions/${THUMBS}/@me`, undefined, 'react'],
  ['GET', `/channels/${channel}/messages/${message}/reactions/${THUMBS}`, undefined, 'read'],
  ['DELETE', `/channels/${channel}/messages/${message}/reactions/${THUMBS}/@me`, undefined, 'own'],
  ['DELETE', `/channels/${channel}/messages/${message}/reactions/${THUMBS}/${MISSING}`, undefined, 'manage'],
  ['DELETE', `/channels/${channel}/messages/${message}/reactions/${THUMBS}`, undefined, 'manage'],
  ['DELETE', `/channels/${channel}/messages/${message}/reactions`, undefined, 'manage'],
  ['GET', `/channels/${channel}/pins`, undefined, 'read'],
  ['PUT', `/channels/${channel}/pins/${message}`, undefined, 'manage'],
  ['DELETE', `/channels/${channel}/pins/${message}`, undefined, 'manage'],
  ['POST', `/channels/${channel}/pins/ack`, undefined, 'own'],
  ['POST', `/channels/${channel}/messages/${message}/ack`, {}, 'own'],
];
// Thread routes; "need" is what it takes once the thread is visible. The new name differs per
// actor, so that no PATCH is a no-op.
const threadRoutes = (id, label) => [
  ['GET', `/channels/${id}`, undefined, 'read'],
  ['GET', `/channels/${id}/messages`, undefined, 'read'],
  ['GET', `/channels/${id}/thread-members`, undefined, 'read'],
  ['POST', `/channels/${id}/messages`, { content: 'in the thread' }, 'send'],
  ['PATCH', `/channels/${id}`, { name: `renamed by ${label}` }, 'manage'],
  ['PUT', `/channels/${id}/thread-members/@me`, undefined, 'join'],
];
const guildRoutes = (id) => [
  ['GET', `/guilds/${id}`],
  ['GET', `/guilds/${id}/channels`],
  ['GET', `/guilds/${id}/roles`],
  ['GET', `/guilds/${id}/members?limit=100`],
  ['GET', `/guilds/${id}/members/${MISSING}`],
  ['GET', `/guilds/${id}/bans`],
  ['GET', `/guilds/${id}/invites`],
  ['GET', `/guilds/${id}/audit-logs`],
  ['PATCH', `/guilds/${id}`, { description: 'x' }],
  ['POST', `/guilds/${id}/roles`, { name: 'sneaky' }],
  ['POST', `/guilds/${id}/channels`, { name: 'sneaky' }],
];

for (const [label, may] of Object.entries(ROLES)) {
  test(`${label}: sees and changes only what it may`, async () => {
    const { guild, priv, actors } = world;
    const actor = actors[label];

    // Outsiders: every server route answers like a server that does not exist.
    const serverList = guildRoutes(guild.id);
    const missingList = guildRoutes(MISSING);
    for (let i = 0; i < serverList.length; i++) {
      const [method, path, body] = serverList[i];
      const real = await actor.call(method, path, body);
      if (!may.member) {
        const twin = await actor.call(missingList[i][0], missingList[i][1], missingList[i][2]);
        assert.equal(real.status, 404, `${label} ${method} ${path}`);
        assert.equal(real.text, twin.text, `${label} ${method} ${path}: same body as a missing server`);
      } else {
        assert.notEqual(real.body?.code, 10004, `${label} ${method} ${path}: members find the server`);
      }
    }

    // The private channel: invisible ones answer exactly like a missing channel, on every route.
    const routes = channelRoutes(priv.id);
    const twins = channelRoutes(MISSING);
    for (let i = 0; i < routes.length; i++) {
      const [method, path, body] = routes[i];
      if (method === 'DELETE' && path === `/channels/${priv.id}`) {
        if (may.manage) continue; // don't actually delete it; refusal is what's under test
      }
      const real = await actor.call(method, path, body);
      if (!may.see) {
        const twin = await actor.call(twins[i][0], twins[i][1], twins[i][2]);
        assert.equal(real.status, 404, `${label} ${method} ${path}`);
        assert.equal(real.text, twin.text, `${label} ${method} ${path}: same body as a missing channel`);
        continue;
      }
      const allowed =
        method === 'GET' && !path.endsWith('/invites') ? true
        : path.endsWith('/invites') && method === 'POST' ? may.invite
        : may.manage;
      if (allowed) {
        assert.ok(real.status >= 200 && real.status < 300 || (path.includes(MISSING) && real.status === 404 && method === 'PUT'),
          `${label} ${method} ${path}: ${real.status} ${real.text}`);
      } else {
        assert.equal(real.status, 403, `${label} ${method} ${path}: ${real.text}`);
        assert.equal(real.body.code, 50013);
      }
    }

    // Its messages: hidden exactly like a missing channel's; visible ones by permission.
    const messages = messageRoutes(priv.id, world.message.id);
    const missingMessages = messageRoutes(MISSING, world.message.id);
    for (let i = 0; i < messages.length; i++) {
      const [method, path, body, need] = messages[i];
      if (may.see && (need === 'manage' || need === 'edit')) {
        // Only refusals are exercised here (the message must survive for the other actors).
        if (may.manage) continue;
      }
      const real = await actor.call(method, path, body);
      if (!may.see) {
        const twin = await actor.call(missingMessages[i][0], missingMessages[i][1], missingMessages[i][2]);
        assert.equal(real.status, 404, `${label} ${method} ${path}`);
        assert.equal(real.text, twin.text, `${label} ${method} ${path}: same body as a missing channel`);
        continue;
      }
      if (need === 'read') {
        assert.equal(real.status, 200, `${label} ${method} ${path}: ${real.text}`);
        if (path.includes('?')) assert.ok(real.body.some((m) => m.id === world.message.id));
      } else if (need === 'send') {
        assert.equal(real.status, may.manage || label === 'staff' ? 200 : 403, `${label} send: ${real.text}`);
      } else if (need === 'react') {
        // Everyone who sees it may react (ADD_REACTIONS is @everyone's), except while timed out.
        assert.equal(real.status, label === 'timedout' ? 403 : 204, `${label} react: ${real.text}`);
      } else if (need === 'own') {
        // One's own reaction and read state need nothing more than sight of the channel.
        assert.ok(real.status === 200 || real.status === 204, `${label} ${method} ${path}: ${real.text}`);
      } else {
        assert.equal(real.status, 403, `${label} ${method} ${path}: only the author or MANAGE_MESSAGES`);
      }
    }

    // Its threads: the public one is seen with the channel; the private one (the owner's) only by
    // those with MANAGE_THREADS (owner, admin) among these actors. Hidden ones answer like missing.
    for (const [thread, sees] of [[world.thread, may.see], [world.privateThread, may.see && may.manage]]) {
      const list = threadRoutes(thread.id, label);
      const twins = threadRoutes(MISSING, label);
      for (let i = 0; i < list.length; i++) {
        const [method, path, body, need] = list[i];
        const real = await actor.call(method, path, body);
        if (!sees) {
          const twin = await actor.call(twins[i][0], twins[i][1], twins[i][2]);
          assert.equal(real.status, 404, `${label} ${method} ${path}`);
          assert.equal(real.text, twin.text, `${label} ${method} ${path}: same body as a missing channel`);
          continue;
        }
        const allowed = need === 'read' || need === 'join' || (need === 'send' ? label !== 'timedout' : may.manage);
        if (allowed) {
          assert.ok(real.status >= 200 && real.status < 300, `${label} ${method} ${path}: ${real.status} ${real.text}`);
        } else {
          assert.equal(real.status, 403, `${label} ${method} ${path}: ${real.text}`);
          assert.equal(real.body.code, 50013);
        }
      }
    }

    // The channel list shows the private channel exactly to those who may see it.
    if (may.member) {
      const listed = (await actor.call('GET', `/guilds/${guild.id}/channels`)).body.map((c) => c.id);
      assert.equal(listed.includes(priv.id), may.see, `${label}: channel list`);
      const audit = await actor.call('GET', `/guilds/${guild.id}/audit-logs`);
      assert.equal(audit.status, may.audit ? 200 : 403, `${label}: audit log`);
    }
  });
}

// Every route on a DM: [method, path, body]; the twin uses a missing channel.
const dmRoutes = (channel, message) => [
  ['GET', `/channels/${channel}`],
  ['PATCH', `/channels/${channel}`, { name: 'x' }],
  ['GET', `/channels/${channel}/messages?limit=50`],
  ['GET', `/channels/${channel}/messages/${message}`],
  ['POST', `/channels/${channel}/messages`, { content: 'hello' }],
  ['PATCH', `/channels/${channel}/messages/${message}`, { content: 'edited' }],
  ['DELETE', `/channels/${channel}/messages/${message}`],
  ['POST', `/channels/${channel}/messages/bulk-delete`, { messages: [message, MISSING] }],
  ['PUT', `/channels/${channel}/recipients/${MISSING}`],
  ['DELETE', `/channels/${channel}/recipients/${MISSING}`],
  ['POST', `/channels/${channel}/invites`, { max_age: 60 }],
  ['DELETE', `/channels/${channel}`],
];

test('a DM between two members is hidden from every other actor exactly like a missing channel', async () => {
  const { actors, dm, whisper } = world;
  for (const label of Object.keys(ROLES)) {
    const routes = dmRoutes(dm.id, whisper.id);
    const twins = dmRoutes(MISSING, whisper.id);
    if (label === 'owner' || label === 'staff') {
      const read = await actors[label].call('GET', `/channels/${dm.id}/messages/${whisper.id}`);
      assert.equal(read.status, 200, `${label}: ${read.text}`);
      // Server powers mean nothing in a DM: even the server's owner can't delete the other's message.
      const moderate = await actors.owner.call('DELETE', `/channels/${dm.id}/messages/${whisper.id}`);
      assert.equal(moderate.status, 403);
      continue;
    }
    for (let i = 0; i < routes.length; i++) {
      const [method, path, body] = routes[i];
      const real = await actors[label].call(method, path, body);
      const twin = await actors[label].call(twins[i][0], twins[i][1], twins[i][2]);
      assert.equal(real.status, 404, `${label} ${method} ${path}`);
      assert.equal(real.text, twin.text, `${label} ${method} ${path}: same body as a missing channel`);
    }
  }
  assert.equal((await actors.owner.call('GET', `/channels/${dm.id}/messages`)).body[0].content, 'between us');
});

test('a banned or removed user cannot come back through an invite unless unbanned', async () => {
  const { guild, general, actors } = world;
  const invite = (await actors.owner.call('POST', `/channels/${general.id}/invites`, { max_age: 0 })).body;
  const banned = await actors.banned.call('POST', `/invites/${invite.code}`);
  assert.equal(banned.status, 403);
  assert.equal(banned.body.code, 40007);
  const removed = await actors.removed.call('POST', `/invites/${invite.code}`);
  assert.equal(removed.status, 200, 'a kick is not a ban');
  const back = (await actors.removed.call('GET', `/guilds/${guild.id}/channels`)).body.map((c) => c.name);
  assert.ok(!back.includes('staff-room'), 'roles do not survive leaving');
  assert.equal((await actors.owner.call('DELETE', `/guilds/${guild.id}/members/${actors.removed.id}`)).status, 204);
});
