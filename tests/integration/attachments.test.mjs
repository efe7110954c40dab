// Attachments against a real hearthd and PostgreSQL: multipart uploads in Discord's shape, the
// stored type from the bytes, images re-encoded without metadata and with previews, the serving
// headers (disposition, nosniff, sandbox CSP, ETag, ranges), the limits (size, count, quota,
// 50 megapixels, ATTACH_FILES) and, above all, who may fetch a file: only members who can read
// the channel now, by bearer token or the hearth_media cookie. One hearthd for the whole file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { pngChunk, rgbPng } from '../support/images.mjs';
import { startHearthd } from '../support/hearthd.mjs';
import { registerUser, TEST_PASSWORD } from '../support/users.mjs';
import { connectGateway } from '../support/gateway.mjs';

const MAX = 1024 * 1024; // --attachment-max-bytes
const QUOTA = 2.5 * 1024 * 1024; // --user-storage-quota-bytes
const VIEW_CHANNEL = 1n << 10n;
const ATTACH_FILES = 1n << 15n;

let server;
before(async () => {
  server = await startHearthd({
    args: ['--auth-requests-per-minute', '10000', '--attachment-max-bytes', String(MAX),
      '--user-storage-quota-bytes', String(QUOTA)],
  });
});
after(async () => {
  assert.equal((await server.stop()).code, 0, server.logs());
});

const register = (label) => registerUser(server, label);

// --- files built in the test -------------------------------------------------------------------


/** A grey RGB PNG of width x height, with `extra` chunks before the image data. */
function png(width, height, extra = []) {
  return rgbPng(width, height, () => [0x80, 0x80, 0x80], extra);
}

/** A PNG whose header claims 8000x8000 (64 megapixels) over a few bytes of data. */
function hugePngHeader() {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(8000, 0);
  header.writeUInt32BE(8000, 4);
  header[8] = 8;
  header[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

const GPS_MARKER = 'GPSMARKER-51.5N';

/** A minimal TIFF/Exif block: IFD0 points at a GPS IFD whose GPSLatitudeRef is ASCII text. */
function exifBlock() {
  const text = Buffer.from(`${GPS_MARKER}\0`, 'latin1');
  const tiff = Buffer.alloc(8 + 18 + 18 + text.length);
  tiff.write('II*\0', 0, 'latin1');
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(1, 8); // IFD0: one entry
  tiff.writeUInt16LE(0x8825, 10); // GPSInfo
  tiff.writeUInt16LE(4, 12); // LONG
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt32LE(26, 18); // the GPS IFD's offset
  tiff.writeUInt32LE(0, 22);
  tiff.writeUInt16LE(1, 26); // GPS IFD: one entry
  tiff.writeUInt16LE(0x0001, 28); // GPSLatitudeRef
  tiff.writeUInt16LE(2, 30); // ASCII
  tiff.writeUInt32LE(text.length, 32);
  tiff.writeUInt32LE(44, 36);
  tiff.writeUInt32LE(0, 40);
  text.copy(tiff, 44);
  return tiff;
}

// A 16x16 baseline JPEG (made once with libvips, no metadata).
const JPEG = Buffer.from(
  '/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAQABADASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwD0CiiigD//2Q==',
  'base64',
);

/** JPEG with an APP1 Exif segment (GPS) right after SOI. */
function jpegWithGps() {
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exifBlock()]);
  const segment = Buffer.alloc(4);
  segment[0] = 0xff;
  segment[1] = 0xe1;
  segment.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([JPEG.subarray(0, 2), segment, payload, JPEG.subarray(2)]);
}

/** The JPEG marker bytes (0xFFxx) of each segment before the scan. */
function jpegSegments(bytes) {
  const markers = [];
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1];
    markers.push(marker);
    if (marker === 0xda) break;
    at += 2 + bytes.readUInt16BE(at + 2);
  }
  return markers;
}

// --- helpers -----------------------------------------------------------------------------------

/** POSTs a multipart send: `files` is [{name, bytes, type?}], `payload` the payload_json. */
async function upload(user, channelId, files, payload = {}) {
  const form = new FormData();
  form.append('payload_json', JSON.stringify(payload));
  files.forEach((file, index) => {
    form.append(`files[${index}]`, new Blob([file.bytes], { type: file.type ?? 'application/octet-stream' }), file.name);
  });
  const answer = await fetch(`${server.url}/api/v1/channels/${channelId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}` },
    body: form,
  });
  const text = await answer.text();
  return { status: answer.status, text, body: text ? JSON.parse(text) : null };
}

/** GETs an attachment URL (relative) with a bearer token, a cookie, or nothing. */
async function fetchFile(url, { user, cookie, headers = {}, method = 'GET' } = {}) {
  const answer = await fetch(`${server.url}${url}`, {
    method,
    headers: {
      ...(user ? { authorization: `Bearer ${user.token}` } : {}),
      ...(cookie ? { cookie } : {}),
      ...headers,
    },
  });
  return { status: answer.status, headers: answer.headers, bytes: Buffer.from(await answer.arrayBuffer()) };
}

async function world(owner, ...members) {
  const guild = (await owner.call('POST', '/guilds', { name: 'Files' })).body;
  const general = (await owner.call('GET', `/guilds/${guild.id}/channels`)).body.find((c) => c.name === 'general');
  const invite = (await owner.call('POST', `/channels/${general.id}/invites`, { max_age: 0 })).body;
  for (const member of members) {
    const joined = await member.call('POST', `/invites/${invite.code}`);
    assert.equal(joined.status, 200, joined.text);
  }
  return { guild, general };
}

// --- tests -------------------------------------------------------------------------------------

test('an image is stored re-encoded without metadata, announced, and served with safe headers', async () => {
  const ada = await register('ada');
  const bob = await register('bob');
  const { general } = await world(ada, bob);
  const gateway = connectGateway(server, bob.token);
  await gateway.ready;

  const secret = Buffer.from(`GPS\0${GPS_MARKER}`, 'latin1');
  const photo = png(40, 30, [pngChunk('tEXt', secret), pngChunk('eXIf', exifBlock())]);
  assert.ok(photo.includes(GPS_MARKER));
  const sent = await upload(ada, general.id, [{ name: '../../secret/SPOILER_photo.png', bytes: photo, type: 'text/plain' }],
    { content: '', nonce: 'n1', attachments: [{ id: '0', description: 'a grey square' }] });
  assert.equal(sent.status, 200, sent.text);
  assert.equal(sent.body.content, '');
  assert.equal(sent.body.nonce, 'n1');
  assert.equal(sent.body.attachments.length, 1);
  const [file] = sent.body.attachments;
  assert.equal(file.filename, 'SPOILER_photo.png'); // path stripped, spoiler prefix kept
  assert.equal(file.content_type, 'image/png'); // from the bytes, not the claimed text/plain
  assert.equal(file.description, 'a grey square');
  assert.equal(file.width, 40);
  assert.equal(file.height, 30);
  assert.match(file.id, /^\d+$/);
  assert.equal(file.url, `/api/v1/attachments/${general.id}/${file.id}/SPOILER_photo.png`);
  assert.equal(file.proxy_url, `${file.url}?preview=1`);

  // MESSAGE_CREATE carries it to other members; history and the single message too.
  const event = await gateway.next((e) => e.t === 'MESSAGE_CREATE' && e.d.id === sent.body.id);
  assert.deepEqual(event.d.attachments, sent.body.attachments);
  gateway.close();
  const history = await bob.call('GET', `/channels/${general.id}/messages`);
  assert.deepEqual(history.body[0].attachments, sent.body.attachments);

  // Fetched by a member with a bearer token: a PNG without the metadata.
  const got = await fetchFile(file.url, { user: bob });
  assert.equal(got.status, 200);
  assert.equal(got.headers.get('content-type'), 'image/png');
  assert.equal(got.headers.get('content-disposition'), 'inline');
  assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
  assert.match(got.headers.get('content-security-policy'), /^default-src 'none';.*sandbox$/);
  assert.match(got.headers.get('cache-control'), /^private, no-cache$/);
  assert.equal(got.headers.get('accept-ranges'), 'bytes');
  assert.equal(got.bytes.length, file.size);
  assert.deepEqual([...got.bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  assert.ok(!got.bytes.includes(GPS_MARKER), 'the GPS text is gone');
  assert.ok(!got.bytes.includes('eXIf') && !got.bytes.includes('tEXt'), 'no metadata chunks');

  // ETag and 304; a small image's preview is the image itself.
  const etag = got.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{64}"$/);
  assert.equal((await fetchFile(file.url, { user: bob, headers: { 'if-none-match': etag } })).status, 304);
  const preview = await fetchFile(file.proxy_url, { user: bob });
  assert.equal(preview.status, 200);
  assert.deepEqual(preview.bytes, got.bytes);

  // Ranges: one range 206, beyond the end 416, on every file.
  const part = await fetchFile(file.url, { user: bob, headers: { range: 'bytes=0-9' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 0-9/${file.size}`);
  assert.deepEqual(part.bytes, got.bytes.subarray(0, 10));
  const tail = await fetchFile(file.url, { user: bob, headers: { range: 'bytes=-5' } });
  assert.equal(tail.status, 206);
  assert.deepEqual(tail.bytes, got.bytes.subarray(got.bytes.length - 5));
  const beyond = await fetchFile(file.url, { user: bob, headers: { range: `bytes=${file.size}-` } });
  assert.equal(beyond.status, 416);
  assert.equal(beyond.headers.get('content-range'), `bytes */${file.size}`);
  const head = await fetchFile(file.url, { user: bob, method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers.get('content-length')), file.size);

  // Deleting the message takes the file's URL with it.
  assert.equal((await ada.call('DELETE', `/channels/${general.id}/messages/${sent.body.id}`)).status, 204);
  assert.equal((await fetchFile(file.url, { user: bob })).status, 404);
});

test('a JPEG loses its Exif GPS segment; a big image gets a smaller WebP preview', async () => {
  const ada = await register('ada');
  const { general } = await world(ada);
  const original = jpegWithGps();
  assert.ok(jpegSegments(original).includes(0xe1));
  const big = png(2000, 1500);
  const sent = await upload(ada, general.id, [{ name: 'trip.jpg', bytes: original }, { name: 'wide.png', bytes: big }]);
  assert.equal(sent.status, 200, sent.text);
  const [photo, wide] = sent.body.attachments;
  assert.equal(photo.content_type, 'image/jpeg');
  const served = await fetchFile(photo.url, { user: ada });
  assert.equal(served.status, 200);
  assert.equal(served.headers.get('content-type'), 'image/jpeg');
  assert.ok(!jpegSegments(served.bytes).includes(0xe1), 'no APP1 (Exif/XMP) segment');
  assert.ok(!served.bytes.includes(GPS_MARKER));
  assert.deepEqual([wide.width, wide.height], [2000, 1500]);
  const preview = await fetchFile(wide.proxy_url, { user: ada });
  assert.equal(preview.status, 200);
  assert.equal(preview.headers.get('content-type'), 'image/webp');
  assert.equal(preview.bytes.subarray(8, 12).toString('latin1'), 'WEBP');
  // VP8 lossy: the frame's size is in the bitstream header (14 bits each).
  const vp8 = preview.bytes.indexOf('VP8 ');
  assert.ok(vp8 > 0);
  const width = preview.bytes.readUInt16LE(vp8 + 14) & 0x3fff;
  const height = preview.bytes.readUInt16LE(vp8 + 16) & 0x3fff;
  assert.deepEqual([width, height], [1024, 768]);
});

test('a file claiming to be an image but holding HTML is served as a download with its real type', async () => {
  const ada = await register('ada');
  const { general } = await world(ada);
  const html = Buffer.from('<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n');
  const sent = await upload(ada, general.id, [{ name: 'chat <b> é.png', bytes: html, type: 'image/png' }], { content: 'look' });
  assert.equal(sent.status, 200, sent.text);
  const [file] = sent.body.attachments;
  assert.equal(file.content_type, 'text/html');
  assert.equal(file.filename, 'chat b é.png');
  assert.equal(file.width, undefined);
  const got = await fetchFile(file.url, { user: ada });
  assert.equal(got.status, 200);
  assert.equal(got.headers.get('content-type'), 'text/html');
  assert.equal(got.headers.get('content-disposition'), `attachment; filename="chat b __.png"; filename*=UTF-8''chat%20b%20%C3%A9.png`);
  assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
  assert.match(got.headers.get('content-security-policy'), /sandbox/);
  assert.deepEqual(got.bytes, html); // not an image: stored as sent
});

test('limits: size 413, 11 files 400, the quota, 50 megapixels, ATTACH_FILES', async () => {
  const ada = await register('ada');
  const bob = await register('bob');
  const { guild, general } = await world(ada, bob);
  const tooBig = await upload(ada, general.id, [{ name: 'big.bin', bytes: Buffer.alloc(MAX + 1, 7) }]);
  assert.equal(tooBig.status, 413, tooBig.text);
  assert.equal(tooBig.body.code, 40005);

  const eleven = Array.from({ length: 11 }, (_, i) => ({ name: `f${i}.txt`, bytes: Buffer.from(`file ${i}\n`) }));
  const many = await upload(ada, general.id, eleven);
  assert.equal(many.status, 400, many.text);
  assert.equal(many.body.code, 50035);
  assert.ok(many.body.errors.files, many.text);

  const huge = await upload(ada, general.id, [{ name: 'huge.png', bytes: hugePngHeader() }]);
  assert.equal(huge.status, 400, huge.text);
  assert.equal(huge.body.code, 50035);
  assert.match(JSON.stringify(huge.body.errors), /50 megapixels/);

  // Quota 2.5 MiB: two 1 MiB files fit, a third does not until one message is deleted.
  const mib = (seed) => ({ name: `blob${seed}.bin`, bytes: Buffer.alloc(MAX, seed) });
  const first = await upload(ada, general.id, [mib(1)]);
  assert.equal(first.status, 200, first.text);
  assert.equal((await upload(ada, general.id, [mib(1)])).status, 200); // the same bytes count again
  const over = await upload(ada, general.id, [mib(2)]);
  assert.equal(over.status, 413, over.text);
  assert.equal(over.body.code, 40005);
  assert.match(over.body.message, /quota/);
  assert.equal((await ada.call('DELETE', `/channels/${general.id}/messages/${first.body.id}`)).status, 204);
  assert.equal((await upload(ada, general.id, [mib(2)])).status, 200);

  // Without ATTACH_FILES: 403 50013, while text still goes through.
  const everyone = (await ada.call('GET', `/guilds/${guild.id}/roles`)).body.find((r) => r.id === guild.id);
  const without = (BigInt(everyone.permissions) & ~ATTACH_FILES).toString();
  assert.equal((await ada.call('PATCH', `/guilds/${guild.id}/roles/${guild.id}`, { permissions: without })).status, 200);
  const refused = await upload(bob, general.id, [{ name: 'a.txt', bytes: Buffer.from('hi\n') }]);
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.body.code, 50013);
  assert.equal((await upload(bob, general.id, [], { content: 'text only' })).status, 200);
});

test('only members who can read the channel fetch a file: cookie or bearer, checked at every fetch', async () => {
  const ada = await register('ada');
  const bob = await register('bob');
  const cyd = await register('cyd');
  const eve = await register('eve');
  const { guild, general } = await world(ada, bob, cyd);
  const sent = await upload(ada, general.id, [{ name: 'notes.txt', bytes: Buffer.from('private notes\n') }]);
  assert.equal(sent.status, 200, sent.text);
  const { url } = sent.body.attachments[0];

  // Signing in sets the HttpOnly media cookie for the attachment path; it alone lets bob in.
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: `${bob.name}@example.org`, password: TEST_PASSWORD }),
  });
  assert.equal(login.status, 200);
  const media = login.headers.getSetCookie().find((c) => c.startsWith('hearth_media='));
  assert.match(media, /Path=\/api\/v1\/attachments; HttpOnly; SameSite=Strict; Max-Age=900/);
  const cookie = media.split(';')[0];
  assert.equal((await fetchFile(url, { cookie })).status, 200);
  assert.equal((await fetchFile(url)).status, 401); // nothing at all

  // A stranger, by token or with a forged cookie.
  const stranger = await fetchFile(url, { user: eve });
  assert.equal(stranger.status, 404);
  assert.equal((await fetchFile(url, { cookie: 'hearth_media=not.a.token' })).status, 401);

  // The channel hidden from cyd by an overwrite: refused.
  const hidden = await ada.call('PUT', `/channels/${general.id}/permissions/${cyd.id}`, {
    type: 1, allow: '0', deny: VIEW_CHANNEL.toString(),
  });
  assert.equal(hidden.status, 204, hidden.text);
  assert.ok([403, 404].includes((await fetchFile(url, { user: cyd })).status));

  // Bob, removed from the server, is refused with the same cookie that worked before.
  assert.equal((await ada.call('DELETE', `/guilds/${guild.id}/members/${bob.id}`)).status, 204);
  assert.ok([403, 404].includes((await fetchFile(url, { cookie })).status));

  // Logging out clears the cookie.
  const logout = await fetch(`${server.url}/api/v1/auth/logout`, {
    method: 'POST', headers: { authorization: `Bearer ${bob.token}` },
  });
  assert.ok(logout.headers.getSetCookie().some((c) => c.startsWith('hearth_media=;') && c.includes('Max-Age=0')));
});

test('editing keeps attachments unless the PATCH lists which to keep', async () => {
  const ada = await register('ada');
  const { general } = await world(ada);
  const sent = await upload(ada, general.id, [{ name: 'a.txt', bytes: Buffer.from('a\n') }, { name: 'b.txt', bytes: Buffer.from('b\n') }],
    { content: 'two' });
  assert.equal(sent.status, 200, sent.text);
  const [a, b] = sent.body.attachments;
  const edited = await ada.call('PATCH', `/channels/${general.id}/messages/${sent.body.id}`, { content: 'still two' });
  assert.equal(edited.status, 200, edited.text);
  assert.deepEqual(edited.body.attachments.map((x) => x.id), [a.id, b.id]);
  const kept = await ada.call('PATCH', `/channels/${general.id}/messages/${sent.body.id}`, { attachments: [{ id: b.id }] });
  assert.equal(kept.status, 200, kept.text);
  assert.deepEqual(kept.body.attachments.map((x) => x.id), [b.id]);
  assert.equal(kept.body.content, 'still two');
  assert.equal((await fetchFile(a.url, { user: ada })).status, 404);
  assert.equal((await fetchFile(b.url, { user: ada })).status, 200);
});

test('avatars go through the same pipeline: metadata stripped, ?size= served from resized variants', async () => {
  const ada = await register('ada');
  const picture = png(600, 300, [pngChunk('tEXt', Buffer.from(`GPS\0${GPS_MARKER}`, 'latin1'))]);
  const set = await ada.call('PATCH', '/users/@me', { avatar: `data:image/png;base64,${picture.toString('base64')}` });
  assert.equal(set.status, 200, set.text);
  const url = `/api/v1/avatars/${ada.id}/${set.body.avatar}`;
  const side = async (query) => {
    const got = await fetchFile(`${url}${query}`);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'image/png');
    assert.ok(!got.bytes.includes(GPS_MARKER));
    return [got.bytes.readUInt32BE(16), got.bytes.readUInt32BE(20)];
  };
  assert.deepEqual(await side(''), [600, 300]);
  assert.deepEqual(await side('?size=64'), [128, 64]); // the smallest variant at least that large
  assert.deepEqual(await side('?size=256'), [512, 256]);
  assert.deepEqual(await side('?size=1024'), [600, 300]); // none that large: the image itself
  assert.equal((await fetchFile(`${url}?size=100`)).status, 400);
});
