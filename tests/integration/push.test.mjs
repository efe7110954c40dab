// Web Push against a real hearthd and a local push service (tests/support/push_service.mjs):
// subscriptions per session, VAPID and RFC 8291 checked and decrypted on the receiving side, the
// foreground rule, 410 removal, and the SSRF refusals at subscribe time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startHearthd } from '../support/hearthd.mjs';
import { registerUser } from '../support/users.mjs';
import { startPushService, subscriptionKeys, decryptPush, checkVapid } from '../support/push_service.mjs';

let server;
let service;
before(async () => {
  service = await startPushService();
  server = await startHearthd({ args: ['--auth-requests-per-minute', '10000', '--push-allow-insecure-loopback'] });
});
after(async () => {
  await service.close();
  assert.equal((await server.stop()).code, 0, server.logs());
});

/** A gateway connection; `presence(afk)` sends op 3 and resolves once the server has read it. */
async function connect(token) {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/gateway`);
  let acked = () => {};
  const ready = new Promise((resolve) => {
    socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      if (frame.op === 10) socket.send(JSON.stringify({ op: 2, d: { token, properties: {} } }));
      if (frame.op === 11) acked();
      if (frame.op === 0 && frame.t === 'READY') resolve(frame.d);
    });
  });
  await ready;
  return {
    // Frames are handled in order: the heartbeat's ACK comes after op 3 took effect.
    presence: (afk) => new Promise((resolve) => {
      acked = resolve;
      socket.send(JSON.stringify({ op: 3, d: { since: afk ? Date.now() : 0, activities: [], status: 'online', afk } }));
      socket.send(JSON.stringify({ op: 1, d: null }));
    }),
    close: () => socket.close(),
  };
}

async function subscribe(user, path, keys = subscriptionKeys()) {
  const answer = await user.call('POST', '/users/@me/push-subscriptions', {
    endpoint: `${service.origin}${path}`, keys: keys.json, expirationTime: null,
  });
  return { answer, keys };
}

async function openPush(path, keys, skip = 0) {
  const request = await service.next(path, { skip });
  return { request, payload: JSON.parse(decryptPush(request.body, keys.ecdh, keys.auth)) };
}

test('mentions and DMs are pushed, encrypted and VAPID-signed, unless a session is in the foreground', async () => {
  const ada = await registerUser(server, 'ada');
  const bob = await registerUser(server, 'bob');
  const cat = await registerUser(server, 'cat');
  const guild = (await ada.call('POST', '/guilds', { name: 'Pushy' })).body;
  const general = (await ada.call('GET', `/guilds/${guild.id}/channels`)).body.find((c) => c.name === 'general');
  const invite = (await ada.call('POST', `/channels/${general.id}/invites`, {})).body;
  for (const user of [bob, cat]) assert.equal((await user.call('POST', `/invites/${invite.code}`)).status, 200);

  const vapid = await fetch(`${server.url}/api/v1/push/vapid-public-key`).then((r) => r.json());
  assert.match(vapid.public_key, /^B[A-Za-z0-9_-]{86}$/);

  const bobPath = '/push/bob';
  const first = await subscribe(bob, bobPath);
  assert.equal(first.answer.status, 201, first.answer.text);
  const { answer: again, keys: bobKeys } = await subscribe(bob, bobPath); // the session's one, replaced
  assert.equal(again.status, 200, again.text);
  const catPath = '/push/cat';
  const { keys: catKeys } = await subscribe(cat, catPath);

  // Bob has no gateway session: a mention reaches his push service.
  const mention = (await ada.call('POST', `/channels/${general.id}/messages`, { content: `hey <@${bob.id}> look` })).body;
  const { request, payload } = await openPush(bobPath, bobKeys);
  assert.equal(request.method, 'POST');
  assert.equal(request.headers['content-encoding'], 'aes128gcm');
  assert.equal(request.headers.urgency, 'high');
  assert.ok(Number(request.headers.ttl) > 0);
  checkVapid(request.headers.authorization, vapid.public_key, service.origin);
  assert.deepEqual(payload, {
    type: 'message', message_id: mention.id, channel_id: general.id, guild_id: guild.id,
    author: { id: ada.id, username: ada.name, global_name: null },
    content: `hey <@${bob.id}> look`, title: `Pushy #general`,
  });
  assert.equal(service.count(catPath), 0, 'cat was not mentioned');

  // In the foreground (a session with afk false): nothing. Own messages: nothing. Then afk: pushed.
  // Cat (no session) is mentioned alongside: once her push arrives, Bob's was decided.
  const bobLive = await connect(bob.token);
  const looking = (await ada.call('POST', `/channels/${general.id}/messages`, { content: `<@${bob.id}> <@${cat.id}> look` })).body;
  assert.equal((await openPush(catPath, catKeys)).payload.message_id, looking.id);
  const own = (await bob.call('POST', `/channels/${general.id}/messages`, { content: `me <@${bob.id}> and <@${cat.id}>` })).body;
  assert.equal((await openPush(catPath, catKeys, 1)).payload.message_id, own.id);
  await bobLive.presence(true);
  const later = (await ada.call('POST', `/channels/${general.id}/messages`, { content: `<@${bob.id}> <@${cat.id}> away?` })).body;
  assert.equal((await openPush(bobPath, bobKeys, 1)).payload.message_id, later.id);
  assert.equal((await openPush(catPath, catKeys, 2)).payload.message_id, later.id);
  assert.equal(service.count(bobPath), 2, 'nothing for the foreground mention nor bob\'s own message');

  // A DM is pushed without a mention; its title is the author.
  const dm = (await ada.call('POST', '/users/@me/channels', { recipient_id: bob.id })).body;
  const direct = (await ada.call('POST', `/channels/${dm.id}/messages`, { content: 'psst' })).body;
  const dmPush = (await openPush(bobPath, bobKeys, 2)).payload;
  assert.equal(dmPush.message_id, direct.id);
  assert.equal(dmPush.guild_id, undefined);
  assert.equal(dmPush.title, ada.name);
  bobLive.close();

  // 410 from the push service removes the subscription: the next mention is not sent to it.
  service.statusFor[bobPath] = 410;
  await ada.call('POST', `/channels/${general.id}/messages`, { content: `<@${bob.id}> gone?` });
  await service.next(bobPath, { skip: 3 });
  const deadline = Date.now() + 5000;
  while (server.db.query(`SELECT count(*) FROM push_subscriptions WHERE user_id = ${bob.id}`) !== '0') {
    assert.ok(Date.now() < deadline, 'the gone subscription was removed');
    await new Promise((r) => setTimeout(r, 20));
  }
  const last = (await ada.call('POST', `/channels/${general.id}/messages`, { content: `<@${bob.id}> <@${cat.id}> again` })).body;
  assert.equal((await openPush(catPath, catKeys, 3)).payload.message_id, last.id);
  assert.equal(service.count(bobPath), 4);

  // DELETE, and signing out, remove the session's subscription.
  assert.equal((await cat.call('DELETE', '/users/@me/push-subscriptions')).status, 204);
  assert.equal(server.db.query(`SELECT count(*) FROM push_subscriptions WHERE user_id = ${cat.id}`), '0');
  assert.equal((await subscribe(cat, catPath)).answer.status, 201);
  assert.equal((await cat.call('POST', '/auth/logout')).status, 204);
  assert.equal(server.db.query(`SELECT count(*) FROM push_subscriptions WHERE user_id = ${cat.id}`), '0');
});

test('subscriptions are validated strictly; private and plain-http endpoints are refused', async () => {
  const eve = await registerUser(server, 'eve');
  const keys = subscriptionKeys().json;
  const refused = async (endpoint, k = keys) => {
    const answer = await eve.call('POST', '/users/@me/push-subscriptions', { endpoint, keys: k });
    assert.equal(answer.status, 400, `${endpoint}: ${answer.text}`);
    assert.equal(answer.body.code, 50035);
    return answer.body.errors;
  };
  for (const endpoint of ['https://10.0.0.7/push', 'https://127.0.0.1/push', 'https://[::1]/push',
    'https://169.254.169.254/latest', 'https://localhost/push', 'http://push.example.org/x',
    `http://localhost:${server.port}/x`, 'https://user@push.example.org/x', 'ftp://push.example.org/']) {
    await refused(endpoint);
  }
  const badPoint = Buffer.from(keys.p256dh, 'base64url');
  badPoint[40] ^= 1;
  const errors = await refused('https://push.example.org/x', { p256dh: badPoint.toString('base64url'), auth: 'AAAA' });
  assert.ok(errors['keys.p256dh'] || JSON.stringify(errors).includes('p256dh'), JSON.stringify(errors));
  assert.ok(JSON.stringify(errors).includes('auth'), JSON.stringify(errors));
  assert.equal((await eve.call('POST', '/users/@me/push-subscriptions', { endpoint: `${service.origin}/x`, keys })).status, 201);
  assert.equal((await fetch(`${server.url}/api/v1/users/@me/push-subscriptions`, { method: 'DELETE' })).status, 401);

  // Without --push-allow-insecure-loopback, the loopback push service is refused too.
  const strict = await startHearthd();
  try {
    const frank = await registerUser(strict, 'frank');
    const answer = await frank.call('POST', '/users/@me/push-subscriptions', { endpoint: `${service.origin}/x`, keys });
    assert.equal(answer.status, 400, answer.text);
  } finally {
    assert.equal((await strict.stop()).code, 0, strict.logs());
  }
});

test("pushes follow the user's notification settings: Nothing silences, a mute lets mentions through", async () => {
  const ada = await registerUser(server, 'ada');
  const dan = await registerUser(server, 'dan');
  const eve = await registerUser(server, 'eve');
  const guild = (await ada.call('POST', '/guilds', { name: 'Quiet' })).body;
  const general = (await ada.call('GET', `/guilds/${guild.id}/channels`)).body.find((c) => c.name === 'general');
  const invite = (await ada.call('POST', `/channels/${general.id}/invites`, {})).body;
  for (const user of [dan, eve]) assert.equal((await user.call('POST', `/invites/${invite.code}`)).status, 200);
  const { keys: danKeys } = await subscribe(dan, '/push/dan');
  const { keys: eveKeys } = await subscribe(eve, '/push/eve');
  const settings = (body) => dan.call('PATCH', `/users/@me/guilds/${guild.id}/settings`, body);

  // Nothing: Dan's mention is not pushed (Eve, mentioned alongside, shows it was decided).
  assert.equal((await settings({ message_notifications: 2 })).status, 200);
  const quiet = (await ada.call('POST', `/channels/${general.id}/messages`, { content: `<@${dan.id}> <@${eve.id}> one` })).body;
  assert.equal((await openPush('/push/eve', eveKeys, 0)).payload.message_id, quiet.id);
  assert.equal(service.count('/push/dan'), 0, 'nothing pushed at Nothing');

  // Muted (the server default level again): a mention still gets through, as in Discord.
  const end = new Date(Date.now() + 3600_000).toISOString();
  assert.equal((await settings({ message_notifications: 3, muted: true, mute_config: { end_time: end, selected_time_window: 3600 } })).status, 200);
  const muted = (await ada.call('POST', `/channels/${general.id}/messages`, { content: `<@${dan.id}> <@${eve.id}> two` })).body;
  assert.equal((await openPush('/push/eve', eveKeys, 1)).payload.message_id, muted.id);
  assert.equal((await openPush('/push/dan', danKeys, 0)).payload.message_id, muted.id);

  // A muted DM stays silent.
  const dm = (await ada.call('POST', '/users/@me/channels', { recipient_id: dan.id })).body;
  assert.equal((await dan.call('PATCH', '/users/@me/guilds/@me/settings', { channel_overrides: [{ channel_id: dm.id, muted: true }] })).status, 200);
  await ada.call('POST', `/channels/${dm.id}/messages`, { content: 'psst' });
  const marker = (await ada.call('POST', `/channels/${general.id}/messages`, { content: `<@${eve.id}> three` })).body;
  assert.equal((await openPush('/push/eve', eveKeys, 2)).payload.message_id, marker.id);
  assert.equal(service.count('/push/dan'), 1, 'nothing pushed for the muted DM');
});
