// End-to-end test of Web Push in the web client against a running hearthd started with
// --push-allow-insecure-loopback (tests/support/with_hearthd.mjs does): the settings toggle and
// its states; Bob's tab goes hidden (the client reports afk), Ada mentions him, and the local
// push endpoint (tests/support/push_service.mjs) receives the push, checks its VAPID JWT and
// decrypts it; the decrypted payload delivered to Bob's service worker (Chrome DevTools
// Protocol, ServiceWorker.deliverPushMessage: headless Chromium has no push service of its own)
// shows a notification for the channel.
//
//   node tests/support/with_hearthd.mjs -- node --test tests/e2e/push.e2e.test.mjs
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BASE_URL, TEST_TIMEOUT_MS, assertClean, openPage, screenshot, signIn, twoInAServer, useBrowser } from './browser.mjs'
import { checkVapid, decryptPush, startPushService, subscriptionKeys } from '../support/push_service.mjs'

useBrowser()

async function openPushSetting(page) {
  await page.getByRole('button', { name: 'User Settings' }).click()
  await page.getByRole('button', { name: 'Notifications' }).click()
  const toggle = page.getByRole('switch', { name: 'Push notifications' })
  await toggle.waitFor()
  return toggle
}

/** The worker's registration id for the page's origin, from the DevTools protocol. */
async function registrationIdOf(cdp) {
  return new Promise((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const found = registrations.find((registration) => registration.scopeURL === `${BASE_URL}/` && !registration.isDeleted)
      if (found) resolve(found.registrationId)
    })
    void cdp.send('ServiceWorker.enable')
  })
}

describe('Hearth Web Push', () => {
  it('toggle states; a mention while hidden is pushed, decrypted and shown by the service worker', { timeout: TEST_TIMEOUT_MS * 3 }, async () => {
    const service = await startPushService()
    const { ada, bob, guild, general } = await twoInAServer('Push', 'push')
    const a = await openPage()
    const b = await openPage({ colorScheme: 'light' })
    try {
      // Ada's browser has not been asked: off (or blocked, as headless Chromium may answer).
      await signIn(a.page, ada)
      const adaToggle = await openPushSetting(a.page)
      const adaState = await a.page.locator('.push-toggle').getAttribute('data-state')
      assert.ok(['off', 'blocked'].includes(adaState), adaState)
      await screenshot(a.page, `push-toggle-ada-${adaState}.png`)
      assert.equal(await adaToggle.getAttribute('aria-checked'), 'false')
      // Refused in the browser's site settings: blocked, with the way out. (Playwright cannot deny
      // a permission, so the page reads a denial the way a browser would report it.)
      await a.page.addInitScript(() => Object.defineProperty(Notification, 'permission', { get: () => 'denied' }))
      await a.page.reload()
      await openPushSetting(a.page)
      await a.page.locator('.push-toggle[data-state="blocked"]').waitFor()
      assert.equal(await adaToggle.isDisabled(), true)
      await a.page.getByText('Notifications are blocked for this site').waitFor()
      await screenshot(a.page, 'push-toggle-blocked.png')

      // Bob allows notifications. Headless Chromium has no push service, so subscribing fails
      // and the toggle says so (and stays off); the worker is registered all the same.
      await b.context.grantPermissions(['notifications'], { origin: BASE_URL })
      await signIn(b.page, bob)
      const bobToggle = await openPushSetting(b.page)
      assert.equal(await b.page.locator('.push-toggle').getAttribute('data-state'), 'off')
      await screenshot(b.page, 'push-toggle-off.png')
      await bobToggle.click()
      await b.page.waitForFunction(() => document.querySelector('.push-toggle')?.getAttribute('aria-busy') === 'false')
      assert.equal(await b.page.locator('.push-toggle').getAttribute('data-state'), 'off')
      await b.page.getByText('could not reach its push service').waitFor()
      await screenshot(b.page, 'push-toggle-no-push-service.png')
      const scope = await b.page.evaluate(async () => (await navigator.serviceWorker.ready).scope)
      assert.equal(scope, `${BASE_URL}/`)
      await b.page.keyboard.press('Escape')

      // Bob's subscription for the local push service, through the API (as the browser would).
      const keys = subscriptionKeys()
      const path = `/push/${bob.id}`
      const subscribed = await bob.call('POST', '/users/@me/push-subscriptions', {
        endpoint: `${service.origin}${path}`, keys: keys.json,
      })
      assert.equal(subscribed.status, 201, JSON.stringify(subscribed.body))

      // Bob's tab goes to the background: the client tells the gateway afk=true.
      await b.page.goto(`${BASE_URL}/app/${guild.id}/${general.id}`)
      await b.page.getByTestId('message-pane').first().waitFor()
      const socketFrames = []
      const cdp = await b.context.newCDPSession(b.page)
      await cdp.send('Network.enable')
      cdp.on('Network.webSocketFrameSent', ({ response }) => socketFrames.push(response.payloadData))
      await b.page.evaluate(() => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' })
        document.dispatchEvent(new Event('visibilitychange'))
      })
      const deadline = Date.now() + 5000
      while (!socketFrames.some((frame) => /"op":3/.test(frame) && /"afk":true/.test(frame))) {
        assert.ok(Date.now() < deadline, `no op 3 with afk; sent ${socketFrames.join(' | ')}`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      // The frame left the browser; the server reads a connection's frames in order, and Ada's
      // post comes on another connection: give the gateway a moment to apply it.
      await new Promise((resolve) => setTimeout(resolve, 300))

      const mention = await ada.call('POST', `/channels/${general.id}/messages`, { content: `<@${bob.id}> the build is green` })
      assert.equal(mention.status, 200)
      const request = await service.next(path)
      checkVapid(request.headers.authorization, (await (await fetch(`${BASE_URL}/api/v1/push/vapid-public-key`)).json()).public_key, service.origin)
      const plaintext = decryptPush(request.body, keys.ecdh, keys.auth)
      const payload = JSON.parse(plaintext)
      assert.equal(payload.message_id, mention.body.id)
      assert.equal(payload.channel_id, general.id)
      assert.equal(payload.guild_id, guild.id)
      assert.equal(payload.title, `${guild.name} #general`)

      // What the browser would get from its push service: the decrypted payload, to the worker.
      const registrationId = await registrationIdOf(cdp)
      await cdp.send('ServiceWorker.deliverPushMessage', { origin: BASE_URL, registrationId, data: plaintext })
      const shown = await b.page.waitForFunction(async () => {
        const registration = await navigator.serviceWorker.ready
        const list = await registration.getNotifications()
        return list.length > 0 ? list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data })) : null
      }, undefined, { timeout: 10000 })
      const notifications = await shown.jsonValue()
      assert.equal(notifications.length, 1)
      assert.equal(notifications[0].title, `${guild.name} #general`)
      assert.match(notifications[0].body, /the build is green/)
      assert.equal(notifications[0].tag, `channel-${general.id}`)
      assert.equal(notifications[0].data.url, `/channels/${guild.id}/${general.id}`)

      assertClean(a.problems)
      assertClean(b.problems, { allowConsole: [/push service|Registration failed|AbortError|push/i] })
    } finally {
      await a.context.close()
      await b.context.close()
      await service.close()
    }
  })
})
