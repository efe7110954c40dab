// End-to-end test of notifications in the web client against a running hearthd: Bob, with the
// browser's notification permission granted and his tab in the background, gets a desktop
// notification (title "author (#channel, server)", the text as plain words) when Ada mentions
// him; none once he sets the server to "Nothing" in the Notification Settings dialog; while he
// has muted it (its rail icon dimmed) none for chatter but one for a mention, as in Discord; the header's inbox lists his mentions and a click jumps
// to the message in its channel; the channel header's bell mutes one channel; Ada's inbox is empty,
// and she sets the server's default to "Only @mentions" in Server Settings.
//
//   HEARTH_URL=http://127.0.0.1:8080 node --test tests/e2e/notifications.e2e.test.mjs
//   (or: node tests/support/with_hearthd.mjs -- node --test tests/e2e/notifications.e2e.test.mjs)
//
// The tab is put "in the background" by an init script that makes document.visibilityState
// 'hidden' and document.hasFocus() false on request: what the app checks, and what a headless
// browser can't otherwise be made to report for one page. window.Notification is wrapped to
// record each construction while still creating the real one.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BASE_URL, TEST_TIMEOUT_MS, assertClean, openPage, screenshot, signIn, twoInAServer, useBrowser } from './browser.mjs'

useBrowser()

async function post(user, channelId, content) {
  const sent = await user.call('POST', `/channels/${channelId}/messages`, { content })
  assert.equal(sent.status, 200, JSON.stringify(sent.body))
  return sent.body
}

function rowWith(page, text) {
  return page.locator('main article[data-testid="message"]').filter({ hasText: text })
}

/** Installs the background switch and the Notification recorder before the app loads. */
async function instrument(page) {
  await page.addInitScript(() => {
    window.__hearthBackground = false
    window.__hearthNotifications = []
    Object.defineProperty(Document.prototype, 'visibilityState', {
      configurable: true,
      get: () => (window.__hearthBackground ? 'hidden' : 'visible'),
    })
    const realHasFocus = Document.prototype.hasFocus
    Document.prototype.hasFocus = function hasFocus() {
      return window.__hearthBackground ? false : realHasFocus.call(this)
    }
    const Real = window.Notification
    class Recorded extends Real {
      constructor(title, options = {}) {
        super(title, options)
        window.__hearthNotifications.push({ title, body: options.body, tag: options.tag })
      }
    }
    window.Notification = Recorded
  })
}

const setBackground = (page, on) => page.evaluate((value) => { window.__hearthBackground = value }, on)
const notifications = (page) => page.evaluate(() => window.__hearthNotifications)

async function openNotificationSettings(page) {
  await page.getByTestId('server-menu-button').click()
  await page.getByTestId('server-menu').getByRole('menuitem', { name: 'Notification Settings' }).click()
  const dialog = page.getByTestId('notification-settings-dialog')
  await dialog.waitFor()
  return dialog
}

describe('Hearth notifications', () => {
  it('notifies of a mention in a background tab, follows Nothing and mutes, and lists mentions in the inbox', { timeout: TEST_TIMEOUT_MS * 4 }, async () => {
    const { ada, bob, guild, general } = await twoInAServer('Notify', 'ntf')
    const random = (await ada.call('POST', `/guilds/${guild.id}/channels`, { name: 'random', type: 0 })).body
    const b = await openPage()
    const a = await openPage()
    try {
      await b.context.grantPermissions(['notifications'], { origin: BASE_URL })
      await instrument(b.page)
      await signIn(b.page, bob)
      await b.page.goto(`${BASE_URL}/app/${guild.id}/${general.id}`)
      await b.page.getByRole('heading', { name: 'Welcome to #general!' }).waitFor()
      assert.equal(await b.page.evaluate(() => Notification.permission), 'granted')

      // --- (1) a mention while the tab is in the background ------------------------------------
      await setBackground(b.page, true)
      const first = await post(ada, general.id, `hey <@${bob.id}> **look** at this`)
      await b.page.waitForFunction(() => window.__hearthNotifications.length >= 1)
      assert.deepEqual(await notifications(b.page), [
        { title: `${ada.displayName} (#general, ${guild.name})`, body: `hey @${bob.displayName} look at this`, tag: general.id },
      ])
      // In the foreground nothing pops up (the message is on screen).
      await setBackground(b.page, false)
      await post(ada, general.id, `again <@${bob.id}>`)
      await rowWith(b.page, 'again').waitFor()
      assert.equal((await notifications(b.page)).length, 1)

      // --- (2) "Nothing" through the dialog: no notification -----------------------------------
      let dialog = await openNotificationSettings(b.page)
      await dialog.getByTestId('notify-level-2').click()
      await screenshot(b.page, 'notifications-dialog.png')
      await dialog.getByRole('button', { name: 'Done' }).click()
      await dialog.waitFor({ state: 'hidden' })
      await setBackground(b.page, true)
      await post(ada, general.id, `nothing for <@${bob.id}>`)
      await rowWith(b.page, 'nothing for').waitFor()
      assert.equal((await notifications(b.page)).length, 1, 'no notification at Nothing')

      // ...back to the server default, then muted for an hour: chatter is silent, a mention is not, and the icon dims.
      await setBackground(b.page, false)
      dialog = await openNotificationSettings(b.page)
      await dialog.getByTestId('notify-level-3').click()
      await dialog.getByLabel('Mute duration').selectOption({ label: 'For 1 Hour' })
      await dialog.getByRole('switch', { name: /^Mute / }).click()
      await dialog.getByText(/^Muted until/).waitFor()
      await dialog.getByRole('button', { name: 'Done' }).click()
      await dialog.waitFor({ state: 'hidden' })
      const settings = await bob.call('GET', `/users/@me/guilds/${guild.id}/settings`)
      assert.equal(settings.body.muted, true)
      assert.equal(settings.body.message_notifications, 3)
      assert.equal(settings.body.mute_config.selected_time_window, 3600)
      await b.page.locator('[data-muted]').first().waitFor()
      await setBackground(b.page, true)
      await post(ada, general.id, 'muted chatter')
      await rowWith(b.page, 'muted chatter').waitFor()
      assert.equal((await notifications(b.page)).length, 1, 'no notification of chatter while muted')
      // As in Discord, a mention still gets through a mute ("Nothing" is what silences mentions).
      await post(ada, general.id, `muted for <@${bob.id}>`)
      await rowWith(b.page, 'muted for').waitFor()
      await b.page.waitForFunction(() => window.__hearthNotifications.length >= 2)
      const afterMute = await notifications(b.page)
      assert.equal(afterMute.length, 2, 'a mention notifies while muted')
      assert.equal(afterMute[1].body, `muted for @${bob.displayName}`)
      await setBackground(b.page, false)

      // --- (3) the inbox, from another channel: a click jumps to the message -------------------
      await b.page.goto(`${BASE_URL}/app/${guild.id}/${random.id}`)
      await b.page.getByRole('heading', { name: 'Welcome to #random!' }).waitFor()
      await post(ada, general.id, 'unrelated chatter')
      await b.page.getByTestId('inbox-button').click()
      const inbox = b.page.getByTestId('inbox-popover')
      const items = inbox.getByTestId('inbox-item')
      await items.first().waitFor()
      assert.equal(await items.count(), 4)
      assert.match(await items.first().textContent(), /muted for/)
      assert.match(await items.last().textContent(), /look/)
      assert.match(await items.first().textContent(), /#general/)
      await screenshot(b.page, 'notifications-inbox.png')
      await items.last().click()
      await b.page.waitForURL((url) => url.pathname === `/app/${guild.id}/${general.id}`)
      await rowWith(b.page, 'look at this').waitFor()
      assert.equal(await inbox.count(), 0, 'the inbox closes on a jump')
      await screenshot(b.page, 'notifications-jumped.png')
      assert.ok(first.id)

      // --- a channel's own settings from the header's bell: muted until turned back on ---------
      await b.page.getByTestId('channel-notifications').click()
      dialog = b.page.getByTestId('notification-settings-dialog')
      await dialog.getByRole('heading', { name: 'Notification Settings: #general' }).waitFor()
      await dialog.getByRole('switch', { name: 'Mute #general' }).click()
      await dialog.getByText('Muted', { exact: true }).waitFor()
      await dialog.getByRole('button', { name: 'Done' }).click()
      await b.page.getByRole('button', { name: 'Notification Settings (muted)' }).waitFor()
      const withOverride = (await bob.call('GET', `/users/@me/guilds/${guild.id}/settings`)).body
      assert.deepEqual(withOverride.channel_overrides.map((o) => [o.channel_id, o.muted, o.mute_config?.end_time]), [[general.id, true, null]])
      // Badges: from #random, a new message in the muted #general leaves it not bold; a mention
      // there still counts on its badge.
      await b.page.getByTestId('channel-item').filter({ hasText: /random/ }).click()
      await b.page.getByRole('heading', { name: 'Welcome to #random!' }).waitFor()
      await post(ada, general.id, 'quiet news')
      await post(ada, random.id, 'over here')
      await rowWith(b.page, 'over here').waitFor()
      const generalItem = b.page.getByTestId('channel-item').filter({ hasText: /general/ })
      assert.equal(await generalItem.getAttribute('data-unread'), null, 'a muted channel is not shown unread')
      await post(ada, general.id, `ping <@${bob.id}>`)
      await generalItem.locator('.channel-list__badge').waitFor()
      assert.equal(await generalItem.getAttribute('data-unread'), null)
      await b.page.mouse.move(640, 700)
      await screenshot(b.page, 'notifications-badges.png')

      // --- Ada has no mentions: the empty state ------------------------------------------------
      await signIn(a.page, ada)
      await a.page.goto(`${BASE_URL}/app/${guild.id}/${general.id}`)
      await a.page.getByTestId('inbox-button').click()
      await a.page.getByTestId('inbox-empty').waitFor()
      await screenshot(a.page, 'notifications-inbox-empty.png')
      await a.page.keyboard.press('Escape')

      // --- the server's default, from Server Settings > Overview (MANAGE_GUILD) ----------------
      await a.page.getByTestId('server-menu-button').click()
      await a.page.getByTestId('server-menu').getByRole('menuitem', { name: 'Server Settings' }).click()
      const serverSettings = a.page.getByRole('dialog', { name: 'Server Settings' })
      await serverSettings.getByLabel('Default Notification Settings').selectOption({ label: 'Only @mentions' })
      await serverSettings.getByRole('button', { name: 'Save Changes' }).click()
      await serverSettings.getByText('Your changes have been saved.').waitFor()
      assert.equal((await ada.call('GET', `/guilds/${guild.id}`)).body.default_message_notifications, 1)

      assertClean(b.problems)
      assertClean(a.problems)
    } finally {
      await a.context.close()
      await b.context.close()
    }
  })
})
