// End-to-end test of the web client resuming its gateway session (docs/gateway.md, "Sessions and
// RESUME") against a running hearthd, two users in two browser contexts. B reaches hearthd
// through a TCP proxy of this test, which can cut every connection at once (a network loss: no
// close frame either way) and refuse new ones for a while. While B is cut off A posts messages;
// when the network is back B's page, never reloaded, sends RESUME (op 6) and receives the missed
// messages followed by RESUMED, with no READY and no history request. A second drop, the
// browser's own offline/online events, resumes as well.
//
//   HEARTH_URL=http://127.0.0.1:8080 node --test tests/e2e/resume.e2e.test.mjs
//   (or: node tests/support/with_hearthd.mjs -- node --test tests/e2e/resume.e2e.test.mjs)
//
// Screenshots go to HEARTH_SCREENSHOT_DIR (default tests/e2e/screenshots).
import assert from 'node:assert/strict'
import net from 'node:net'
import { describe, it } from 'node:test'
import { BASE_URL, signIn, twoInAServer, DESKTOP, TEST_TIMEOUT_MS, assertClean, openPage, screenshot, useBrowser } from './browser.mjs'


useBrowser()


/**
 * A TCP proxy in front of hearthd. hearthd compares a WebSocket's Origin with its Host header,
 * both the proxy's address here, so the page works through it unchanged.
 */
async function startProxy(target) {
  const { hostname, port } = new URL(target)
  const sockets = new Set()
  let refusing = false
  const server = net.createServer((client) => {
    if (refusing) {
      client.resetAndDestroy()
      return
    }
    const upstream = net.connect(Number(port), hostname)
    sockets.add(client)
    sockets.add(upstream)
    const drop = () => {
      for (const socket of [client, upstream]) {
        sockets.delete(socket)
        if (!socket.destroyed) socket.destroy()
      }
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** Every connection through the proxy dies at once (TCP reset), and new ones are refused. */
    cut() {
      refusing = true
      for (const socket of [...sockets]) socket.resetAndDestroy()
      sockets.clear()
    },
    restore() {
      refusing = false
    },
    close() {
      for (const socket of [...sockets]) socket.destroy()
      return new Promise((resolve) => server.close(resolve))
    },
  }
}

/** Every gateway socket the page opens, with the frames it sent and received (parsed). */
function recordGateway(page) {
  const sockets = []
  page.on('websocket', (ws) => {
    if (!ws.url().includes('/api/v1/gateway')) return
    const record = { url: ws.url(), sent: [], received: [], closed: false }
    sockets.push(record)
    const parse = (payload) => {
      try {
        return JSON.parse(typeof payload === 'string' ? payload : payload.toString())
      } catch {
        return { unparsed: true }
      }
    }
    ws.on('framesent', ({ payload }) => record.sent.push(parse(payload)))
    ws.on('framereceived', ({ payload }) => record.received.push(parse(payload)))
    ws.on('close', () => {
      record.closed = true
    })
  })
  return sockets
}

function messageWith(page, text) {
  return page
    .getByTestId('message-list')
    .locator('article[data-testid="message"]')
    .filter({ has: page.getByTestId('message-content').getByText(text, { exact: true }) })
}

async function send(page, text) {
  const box = page.getByTestId('composer-input')
  await box.fill(text)
  await box.press('Enter')
}

async function waitFor(condition, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const ops = (frames) => frames.map((frame) => frame.op)
const dispatches = (frames) => frames.filter((frame) => frame.op === 0).map((frame) => frame.t)

describe('Hearth gateway resume', () => {
  it('resumes after a network loss: missed messages arrive without a reload or READY', { timeout: TEST_TIMEOUT_MS * 4 }, async () => {
    const { ada, bob, guild, general } = await twoInAServer('Resume', 'resume')

    const proxy = await startProxy(BASE_URL)
    const a = await openPage()
    const b = await openPage({ viewport: DESKTOP })
    const gateway = recordGateway(b.page)
    const historyLoads = []
    b.page.on('request', (request) => {
      if (request.method() === 'GET' && new URL(request.url()).pathname.endsWith(`/channels/${general.id}/messages`)) {
        historyLoads.push(request.url())
      }
    })
    const navigations = []
    b.page.on('framenavigated', (frame) => {
      if (frame === b.page.mainFrame()) navigations.push(frame.url())
    })
    try {
      await signIn(a.page, ada, BASE_URL)
      await signIn(b.page, bob, proxy.url)
      await a.page.goto(`${BASE_URL}/app/${guild.id}/${general.id}`)
      await b.page.goto(`${proxy.url}/app/${guild.id}/${general.id}`)
      await a.page.getByRole('heading', { name: 'Welcome to #general!' }).waitFor()
      await b.page.getByRole('heading', { name: 'Welcome to #general!' }).waitFor()
      await b.page.locator('[data-testid="gateway-status"][data-state="connected"]').waitFor({ state: 'attached' })

      await send(a.page, 'Before the drop')
      await messageWith(b.page, 'Before the drop').waitFor()
      const first = gateway.at(-1)
      const ready = first.received.find((frame) => frame.t === 'READY')
      assert.ok(ready, 'the first connection got READY')
      const sessionId = ready.d.session_id
      assert.match(sessionId, /^[0-9a-f]{32}$/)
      await b.page.evaluate(() => {
        window.__resumeMarker = 'same page'
      })
      const navigationsBefore = navigations.length
      const loadsBefore = historyLoads.length
      const socketsBefore = gateway.length

      // --- the network goes away ---------------------------------------------------------------
      proxy.cut()
      const banner = b.page.getByText('Connection lost. Reconnecting…')
      await banner.waitFor()
      await b.page.mouse.move(DESKTOP.width - 5, DESKTOP.height - 5)
      await screenshot(b.page, 'resume-reconnecting-banner.png')
      assert.equal(await b.page.getByTestId('gateway-status').getAttribute('data-state'), 'reconnecting')

      const missed = ['Missed one', 'Missed two', 'Missed three']
      for (const text of missed) {
        await send(a.page, text)
        await a.page.locator('article[data-state="sent"]', { hasText: text }).waitFor()
      }
      assert.equal(await messageWith(b.page, 'Missed one').count(), 0, 'B is cut off')

      // --- and comes back ----------------------------------------------------------------------
      proxy.restore()
      for (const text of missed) await messageWith(b.page, text).waitFor()
      await banner.waitFor({ state: 'detached' })
      await b.page.locator('[data-testid="gateway-status"][data-state="connected"]').waitFor({ state: 'attached' })

      // In order, after what was there.
      const shown = await b.page.getByTestId('message-content').allInnerTexts()
      assert.deepEqual(shown.slice(-4), ['Before the drop', ...missed])

      const resumed = gateway.at(-1)
      assert.ok(gateway.length > socketsBefore, 'a new gateway socket')
      await waitFor(() => resumed.received.some((frame) => frame.t === 'RESUMED'), 'RESUMED')
      const resume = resumed.sent.find((frame) => frame.op === 6)
      assert.ok(resume, `the new socket sent RESUME; it sent ops ${ops(resumed.sent)}`)
      assert.equal(resume.d.session_id, sessionId)
      assert.equal(typeof resume.d.token, 'string')
      assert.ok(resume.d.seq >= 2, 'RESUME carries the last sequence seen')
      assert.ok(!ops(resumed.sent).includes(2), 'no IDENTIFY on the resumed socket')
      const after = dispatches(resumed.received)
      assert.ok(!after.includes('READY'), `no READY after the drop: ${after}`)
      // The three messages are replayed before RESUMED, with their original sequence numbers.
      const resumedAt = resumed.received.findIndex((frame) => frame.t === 'RESUMED')
      const replayed = resumed.received
        .slice(0, resumedAt)
        .filter((frame) => frame.op === 0 && frame.t === 'MESSAGE_CREATE')
        .map((frame) => frame.d.content)
      assert.deepEqual(replayed, missed)
      const sequences = resumed.received.filter((frame) => frame.op === 0).map((frame) => frame.s)
      assert.deepEqual(sequences, [...sequences].sort((x, y) => x - y), 'sequence numbers in order')
      assert.equal(sequences[0], resume.d.seq + 1, 'the replay starts right after the RESUME seq')
      // Nothing was reloaded: the same page, no history request.
      assert.equal(await b.page.evaluate(() => window.__resumeMarker), 'same page')
      assert.equal(navigations.length, navigationsBefore, 'no navigation')
      assert.equal(historyLoads.length, loadsBefore, 'no history reloaded')

      // The session goes on both ways.
      await send(b.page, 'Back again')
      await messageWith(a.page, 'Back again').waitFor()
      await send(a.page, 'Welcome back')
      await messageWith(b.page, 'Welcome back').waitFor()
      await screenshot(b.page, 'resume-after.png')

      // --- the browser's own offline/online events: closes without ending the session ------------
      const beforeOffline = gateway.length
      await b.context.setOffline(true)
      await b.page.getByText('You are offline.', { exact: false }).waitFor()
      await send(a.page, 'Sent while B was offline')
      await a.page.locator('article[data-state="sent"]', { hasText: 'Sent while B was offline' }).waitFor()
      await b.context.setOffline(false)
      await messageWith(b.page, 'Sent while B was offline').waitFor()
      const online = gateway.at(-1)
      assert.ok(gateway.length > beforeOffline, 'a new socket after going online')
      await waitFor(() => online.received.some((frame) => frame.t === 'RESUMED'), 'RESUMED after online')
      assert.equal(online.sent.find((frame) => frame.op === 6)?.d.session_id, sessionId)
      assert.ok(!dispatches(online.received).includes('READY'))
      assert.equal(historyLoads.length, loadsBefore, 'still no history reloaded')

      assertClean(a.problems)
      // Connections refused while cut off log as failed loads, as they should.
      assertClean(b.problems, { allowConsole: [/WebSocket connection to .* failed/, /ERR_(CONNECTION|INTERNET|NETWORK|SOCKET_NOT_CONNECTED)/] })
    } finally {
      await a.context.close()
      await b.context.close()
      await proxy.close()
    }
  })
})
