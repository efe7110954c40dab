// Friends and blocks against a real hearthd and PostgreSQL: requests by username and by id,
// accept, decline, cancel, unfriend, block and unblock, each with its events on both sides and
// nothing to anyone else; a block stays private; friend requests are rate-limited.
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

const FRIEND = 1;
const BLOCKED = 2;
const INCOMING = 3;
const OUTGOING = 4;
const MISSING = '1111111111111111111';

const register = (label) => registerUser(server, label);

/** A registered user with a live gateway connection. */
async function live(label) {
  const user = await register(label);
  user.live = connectGateway(server, user.token);
  await user.live.ready;
  return user;
}

const relationshipsOf = async (user) => {
  const answer = await user.call('GET', '/users/@me/relationships');
  assert.equal(answer.status, 200, answer.text);
  return answer.body;
};
const typesOf = async (user) => Object.fromEntries((await relationshipsOf(user)).map((r) => [r.id, r.type]));

const added = (other, type) => (e) => e.t === 'RELATIONSHIP_ADD' && e.d.id === other.id && e.d.type === type;
const removed = (other, type) => (e) => e.t === 'RELATIONSHIP_REMOVE' && e.d.id === other.id && e.d.type === type;
const anyRelationship = (e) => e.t.startsWith('RELATIONSHIP_');

test('request by username, accept, unfriend: both sides hear each step, a bystander nothing', async () => {
  const ada = await live('ada');
  const bob = await live('bob');
  const eve = await live('eve');

  // Usernames are matched without regard to case.
  const sent = await ada.call('POST', '/users/@me/relationships', { username: bob.name.toUpperCase() });
  assert.equal(sent.status, 204, sent.text);
  const outgoing = await ada.live.next(added(bob, OUTGOING));
  assert.deepEqual(Object.keys(outgoing.d).sort(), ['id', 'nickname', 'since', 'type', 'user']);
  assert.deepEqual(outgoing.d.user, { id: bob.id, username: bob.name, global_name: null, avatar: null });
  assert.ok(!Number.isNaN(Date.parse(outgoing.d.since)));
  const incoming = await bob.live.next(added(ada, INCOMING));
  assert.equal(incoming.d.user.id, ada.id);

  const listed = await relationshipsOf(ada);
  assert.equal(listed.length, 1);
  assert.deepEqual(Object.keys(listed[0]).sort(), ['id', 'nickname', 'since', 'type', 'user']);
  assert.equal(listed[0].id, bob.id);
  assert.equal(listed[0].type, OUTGOING);
  assert.equal(listed[0].nickname, null);
  assert.deepEqual(listed[0].user, outgoing.d.user);
  assert.deepEqual(await typesOf(bob), { [ada.id]: INCOMING });

  // A repeat changes nothing and says nothing.
  assert.equal((await ada.call('PUT', `/users/@me/relationships/${bob.id}`, {})).status, 204);
  await ada.live.none((e) => e.t === 'RELATIONSHIP_ADD' && e.d.type !== OUTGOING);

  // Accepting is the same PUT from the other side: both become friends.
  const accepted = await bob.call('PUT', `/users/@me/relationships/${ada.id}`, { type: 1 });
  assert.equal(accepted.status, 204, accepted.text);
  await ada.live.next(added(bob, FRIEND));
  await bob.live.next(added(ada, FRIEND));
  assert.deepEqual(await typesOf(ada), { [bob.id]: FRIEND });
  assert.deepEqual(await typesOf(bob), { [ada.id]: FRIEND });

  const unfriended = await bob.call('DELETE', `/users/@me/relationships/${ada.id}`);
  assert.equal(unfriended.status, 204, unfriended.text);
  const gone = await ada.live.next(removed(bob, FRIEND));
  assert.deepEqual(gone.d, { id: bob.id, type: FRIEND });
  await bob.live.next(removed(ada, FRIEND));
  assert.deepEqual(await relationshipsOf(ada), []);
  assert.deepEqual(await relationshipsOf(bob), []);
  // Nothing to do is still fine.
  assert.equal((await bob.call('DELETE', `/users/@me/relationships/${ada.id}`)).status, 204);

  await eve.live.none(anyRelationship);
  for (const user of [ada, bob, eve]) user.live.close();
});

test('decline, cancel, and requests crossing each other', async () => {
  const ada = await live('ada');
  const bob = await live('bob');

  // Declined by the receiver.
  assert.equal((await ada.call('PUT', `/users/@me/relationships/${bob.id}`)).status, 204);
  await bob.live.next(added(ada, INCOMING));
  assert.equal((await bob.call('DELETE', `/users/@me/relationships/${ada.id}`)).status, 204);
  await bob.live.next(removed(ada, INCOMING));
  await ada.live.next(removed(bob, OUTGOING));
  assert.deepEqual(await relationshipsOf(ada), []);

  // Cancelled by the sender.
  ada.live.clear();
  bob.live.clear();
  assert.equal((await ada.call('PUT', `/users/@me/relationships/${bob.id}`, {})).status, 204);
  await bob.live.next(added(ada, INCOMING));
  assert.equal((await ada.call('DELETE', `/users/@me/relationships/${bob.id}`)).status, 204);
  await ada.live.next(removed(bob, OUTGOING));
  await bob.live.next(removed(ada, INCOMING));
  assert.deepEqual(await relationshipsOf(bob), []);

  // Both ask at once: whoever comes second accepts, and they end up friends either way.
  const [first, second] = await Promise.all([
    ada.call('PUT', `/users/@me/relationships/${bob.id}`, {}),
    bob.call('PUT', `/users/@me/relationships/${ada.id}`, {}),
  ]);
  assert.equal(first.status, 204, first.text);
  assert.equal(second.status, 204, second.text);
  assert.deepEqual(await typesOf(ada), { [bob.id]: FRIEND });
  assert.deepEqual(await typesOf(bob), { [ada.id]: FRIEND });
  ada.live.close();
  bob.live.close();
});

test('a block drops the friendship, stays private, and is lifted by DELETE', async () => {
  const ada = await live('ada');
  const bob = await live('bob');
  const full = await register('full');

  assert.equal((await ada.call('PUT', `/users/@me/relationships/${bob.id}`, {})).status, 204);
  assert.equal((await bob.call('PUT', `/users/@me/relationships/${ada.id}`, {})).status, 204);
  await ada.live.next(added(bob, FRIEND));
  await bob.live.next(added(ada, FRIEND));
  ada.live.clear();

  const blocked = await bob.call('PUT', `/users/@me/relationships/${ada.id}`, { type: 2 });
  assert.equal(blocked.status, 204, blocked.text);
  await bob.live.next(added(ada, BLOCKED));
  // Ada sees what an unfriend looks like, nothing more.
  const lost = await ada.live.next(removed(bob, FRIEND));
  assert.deepEqual(lost.d, { id: bob.id, type: FRIEND });
  await ada.live.none((e) => e.t === 'RELATIONSHIP_ADD' || (anyRelationship(e) && e.d.type === BLOCKED));
  assert.deepEqual(await relationshipsOf(ada), []);
  assert.deepEqual(await typesOf(bob), { [ada.id]: BLOCKED });
  ada.live.clear();

  // Her requests to him are refused exactly like a request to someone at the friend limit.
  const refusedByBlock = await ada.call('PUT', `/users/@me/relationships/${bob.id}`, {});
  assert.equal(refusedByBlock.status, 400, refusedByBlock.text);
  assert.equal(refusedByBlock.body.code, 80000);
  const byName = await ada.call('POST', '/users/@me/relationships', { username: bob.name });
  assert.equal(byName.text, refusedByBlock.text);
  server.db.query(
    `INSERT INTO users (id, email, username, password_hash) SELECT 900000000000 + g, 'f' || g || '@x', ` +
      `'full_friend_' || g, 'x' FROM generate_series(1, 1000) g`,
  );
  server.db.query(
    `INSERT INTO relationships (user_id, other_id, type) SELECT ${full.id}, 900000000000 + g, 1 ` +
      `FROM generate_series(1, 1000) g`,
  );
  const refusedByLimit = await ada.call('PUT', `/users/@me/relationships/${full.id}`, {});
  assert.equal(refusedByLimit.status, 400);
  assert.equal(refusedByLimit.text, refusedByBlock.text, 'a block looks like any other refusal');
  // Whoever is at the limit is told so.
  const atLimit = await full.call('PUT', `/users/@me/relationships/${ada.id}`, {});
  assert.equal(atLimit.status, 400);
  assert.equal(atLimit.body.code, 30002);
  await ada.live.none(anyRelationship);

  // Blocking back keeps both blocks; unblocking removes only one's own.
  assert.equal((await ada.call('PUT', `/users/@me/relationships/${bob.id}`, { type: 2 })).status, 204);
  await ada.live.next(added(bob, BLOCKED));
  await bob.live.none((e) => e.t === 'RELATIONSHIP_REMOVE');
  assert.equal((await ada.call('DELETE', `/users/@me/relationships/${bob.id}`)).status, 204);
  await ada.live.next(removed(bob, BLOCKED));
  assert.deepEqual(await typesOf(bob), { [ada.id]: BLOCKED });

  // Bob unblocks: only he hears of it, and requests work again.
  bob.live.clear();
  ada.live.clear();
  assert.equal((await bob.call('DELETE', `/users/@me/relationships/${ada.id}`)).status, 204);
  await bob.live.next(removed(ada, BLOCKED));
  await ada.live.none((e) => e.t === 'RELATIONSHIP_REMOVE' && e.d.id === bob.id && e.d.type === BLOCKED);
  assert.equal((await ada.call('PUT', `/users/@me/relationships/${bob.id}`, {})).status, 204);
  await bob.live.next(added(ada, INCOMING));

  // Blocking someone with a pending request to you: their request just disappears.
  ada.live.clear();
  assert.equal((await bob.call('PUT', `/users/@me/relationships/${ada.id}`, { type: 2 })).status, 204);
  await ada.live.next(removed(bob, OUTGOING));
  // Sending a request to someone you blocked replaces your block.
  assert.equal((await bob.call('PUT', `/users/@me/relationships/${ada.id}`)).status, 204);
  assert.deepEqual(await typesOf(bob), { [ada.id]: OUTGOING });
  assert.deepEqual(await typesOf(ada), { [bob.id]: INCOMING });
  ada.live.close();
  bob.live.close();
});

test('clear refusals: unknown username, yourself, unknown ids, bad bodies, no token', async () => {
  const ada = await register('ada');
  const unknown = await ada.call('POST', '/users/@me/relationships', { username: 'nobody_has_this_name' });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.code, 80004);
  const self = await ada.call('POST', '/users/@me/relationships', { username: ada.name });
  assert.equal(self.status, 400);
  assert.equal(self.body.code, 80003);
  assert.equal((await ada.call('PUT', `/users/@me/relationships/${ada.id}`, {})).body.code, 80003);
  const blockSelf = await ada.call('PUT', `/users/@me/relationships/${ada.id}`, { type: 2 });
  assert.equal(blockSelf.status, 400);
  assert.equal(blockSelf.body.code, 50035);
  const missing = await ada.call('PUT', `/users/@me/relationships/${MISSING}`, {});
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, 10013);
  assert.equal((await ada.call('PUT', `/users/@me/relationships/${MISSING}`, { type: 2 })).status, 404);
  assert.equal((await ada.call('PUT', '/users/@me/relationships/not-an-id', {})).status, 404);
  for (const type of [3, 4, 0, '1']) {
    const bad = await ada.call('PUT', `/users/@me/relationships/${MISSING}`, { type });
    assert.equal(bad.status, 400, `type ${JSON.stringify(type)}`);
    assert.equal(bad.body.code, 50035);
  }
  for (const body of [{}, { username: 5 }, { username: '' }]) {
    const bad = await ada.call('POST', '/users/@me/relationships', body);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 50035);
  }
  assert.equal((await fetch(`${server.url}/api/v1/users/@me/relationships`)).status, 401);
  assert.deepEqual(await relationshipsOf(ada), []);
});

test('friend requests are rate-limited per user', async () => {
  const limited = await startHearthd({ args: ['--auth-requests-per-minute', '10000', '--friend-requests-per-hour', '3'] });
  try {
    const ada = await registerUser(limited, 'ada');
    const others = [];
    for (let i = 0; i < 4; ++i) others.push(await registerUser(limited, 'o'));
    for (let i = 0; i < 3; ++i) {
      const sent = await ada.call('POST', '/users/@me/relationships', { username: others[i].name });
      assert.equal(sent.status, 204, sent.text);
    }
    const refused = await ada.call('PUT', `/users/@me/relationships/${others[3].id}`, {});
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.equal(refused.headers.get('x-ratelimit-bucket'), 'friend-requests');
    // Probing usernames counts too.
    assert.equal((await ada.call('POST', '/users/@me/relationships', { username: 'nobody_here' })).status, 429);
    // Blocks, removals and another user's requests are not limited.
    assert.equal((await ada.call('PUT', `/users/@me/relationships/${others[3].id}`, { type: 2 })).status, 204);
    assert.equal((await ada.call('DELETE', `/users/@me/relationships/${others[0].id}`)).status, 204);
    assert.equal((await others[1].call('PUT', `/users/@me/relationships/${ada.id}`, {})).status, 204);
    const rows = limited.db.query(`SELECT count(*) FROM relationships WHERE user_id = ${ada.id}`);
    assert.equal(rows, '3', 'a friend, an outgoing request and a block');
  } finally {
    assert.equal((await limited.stop()).code, 0, limited.logs());
  }
});

test('READY carries the relationships', async () => {
  const ada = await register('ada');
  const bob = await register('bob');
  const cat = await register('cat');
  assert.equal((await ada.call('PUT', `/users/@me/relationships/${bob.id}`, {})).status, 204);
  assert.equal((await bob.call('PUT', `/users/@me/relationships/${ada.id}`, {})).status, 204);
  assert.equal((await ada.call('PUT', `/users/@me/relationships/${cat.id}`, { type: 2 })).status, 204);
  const gateway = connectGateway(server, ada.token);
  const ready = await gateway.ready;
  assert.deepEqual(ready.relationships, await relationshipsOf(ada));
  assert.deepEqual(Object.fromEntries(ready.relationships.map((r) => [r.id, r.type])), {
    [bob.id]: FRIEND,
    [cat.id]: BLOCKED,
  });
  const catGateway = connectGateway(server, cat.token);
  assert.deepEqual((await catGateway.ready).relationships, [], 'the blocked one sees nothing');
  gateway.close();
  catGateway.close();
});
