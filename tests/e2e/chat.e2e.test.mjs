// End-to-end test of the chat view in a server channel against a running hearthd: two users in
// two browser contexts. Live sending both ways, grouping, a reply, a mention, editing with the Up
// arrow, deleting (with and without the confirmation), 120 messages of history loaded by
// scrolling up without the view jumping, jump to present, jump to a replied-to message, a send
// refused by slowmode rolling back visibly, and a channel where sending is denied; typing,
// reactions, pins and read acks.
//
//   HEARTH_URL=http://127.0.0.1:8080 node --test tests/e2e/chat.e2e.test.mjs
//   (or: node tests/support/with_hearthd.mjs -- node --test tests/e2e/chat.e2e.test.mjs)
//
// Screenshots go to HEARTH_SCREENSHOT_DIR (default tests/e2e/screenshots).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BASE_URL, twoPagesInGeneral, DESKTOP, PHONE, TEST_TIMEOUT_MS, assertClean, screenshot, useBrowser } from './browser.mjs'

const HISTORY = 120

useBrowser()


function messageRows(page) {
  return page.getByTestId('message-list').locator('article[data-testid="message"]')
}

function messageWith(page, text) {
  return messageRows(page).filter({ has: page.getByTestId('message-content').getByText(text, { exact: true }) })
}

async function send(page, text) {
  const box = page.getByTestId('composer-input')
  await box.fill(text)
  await box.press('Enter')
}

/** Moves the pointer out of the way so no hover state lands in a screenshot. */
async function parkPointer(page) {
  await page.mouse.move(DESKTOP.width - 5, DESKTOP.height - 5)
}

async function scrollState(page) {
  return page.getByTestId('message-list').evaluate((list) => ({
    top: list.scrollTop,
    height: list.scrollHeight,
    client: list.clientHeight,
  }))
}

describe('Hearth chat', () => {
  it('chats live between two users in a server channel', { timeout: TEST_TIMEOUT_MS * 6 }, async (t) => {
    // The refused sends below (slowmode 429, a dropped connection) log as failed loads, as they should.
    const allowConsole = [/status of 429 .*\/messages$/, /ERR_CONNECTION_REFUSED .*\/messages$/]
    // B in the light theme, so both themes are seen.
    const { ada, bob, guild, general, channelUrl, a, b } = await twoPagesInGeneral('Chat', 'chat')
    try {
      assert.equal(await a.page.getByTestId('composer-input').getAttribute('placeholder'), 'Message #general')
      await parkPointer(a.page)
      await screenshot(a.page, 'chat-empty-channel.png')

      // --- Markdown shows as it is typed ----------------------------------------------------------
      const draftBox = a.page.getByTestId('composer-input')
      await draftBox.fill('Some **bold**, `code`, ~~struck~~ and __underlined__ text, typed as it will look')
      await a.page.getByTestId('composer-markdown').locator('.composer__md--strong', { hasText: 'bold' }).waitFor()
      await screenshot(a.page, 'chat-composer-markdown.png')
      await draftBox.fill('')

      // --- live, both ways; grouping ----------------------------------------------------------
      await send(a.page, 'Hello Bob!')
      await messageWith(b.page, 'Hello Bob!').waitFor()
      const hello = { id: await messageWith(b.page, 'Hello Bob!').getAttribute('data-message-id') }
      assert.match(hello.id, /^\d+$/)
      await send(b.page, 'Hi Ada, good to see you.')
      await messageWith(a.page, 'Hi Ada, good to see you.').waitFor()
      await send(a.page, 'How are you?')
      await send(a.page, 'Line one\nLine two')
      await messageWith(b.page, 'How are you?').waitFor()
      await b.page.getByTestId('message-content').filter({ hasText: 'Line one' }).waitFor()
      // A's three messages: the first starts a group, the next two after B's message: one group.
      assert.equal(await messageWith(b.page, 'Hello Bob!').getAttribute('data-head'), 'true')
      assert.equal(await messageWith(b.page, 'How are you?').getAttribute('data-head'), 'true')
      assert.equal(await b.page.locator('article[data-testid="message"]', { hasText: 'Line one' }).getAttribute('data-head'), 'false')
      assert.equal(await messageWith(b.page, 'How are you?').getByTestId('message-author').innerText(), ada.displayName)
      await parkPointer(b.page)
      await screenshot(b.page, 'chat-conversation.png')

      // --- the keyboard: arrows move between messages, Tab reaches the message's toolbar -----------
      await b.page.getByTestId('message-list').focus()
      await b.page.keyboard.press('ArrowUp')
      const focusedText = () => b.page.evaluate(() => document.activeElement?.closest('article')?.querySelector('[data-testid="message-content"]')?.textContent)
      assert.match(await focusedText(), /Line one/)
      await b.page.keyboard.press('ArrowUp')
      assert.equal(await focusedText(), 'How are you?')
      // Past the author's name (it opens the profile card), the message's actions.
      const inToolbar = () => b.page.evaluate(() => document.activeElement?.closest('[data-testid="message-toolbar"]') !== null)
      for (let press = 0; press < 3 && !(await inToolbar()); press++) await b.page.keyboard.press('Tab')
      assert.equal(await inToolbar(), true, 'Tab reaches the toolbar')
      assert.ok(await messageWith(b.page, 'How are you?').getByTestId('message-toolbar').isVisible(), 'the toolbar shows for the focused message')
      await screenshot(b.page, 'chat-keyboard.png')
      await b.page.getByTestId('composer-input').focus()

      // --- a reply, and a mention of A ------------------------------------------------------------
      const question = messageWith(b.page, 'How are you?')
      await question.hover()
      await question.getByTestId('toolbar-reply').click()
      const replyBar = b.page.getByTestId('reply-bar')
      await replyBar.getByText(`Replying to ${ada.displayName}`).waitFor()
      assert.equal(await replyBar.getByTestId('reply-ping').getAttribute('aria-checked'), 'true')
      await parkPointer(b.page)
      await screenshot(b.page, 'chat-reply-bar.png')
      await send(b.page, 'Very well, thanks!')
      await replyBar.waitFor({ state: 'detached' })
      const answer = messageWith(a.page, 'Very well, thanks!')
      await answer.waitFor()
      assert.match(await answer.getByTestId('message-reply').innerText(), new RegExp(`@${ada.displayName}\\s*How are you\\?`))
      await send(b.page, `Ping <@${ada.id}>`)
      const ping = messageRows(a.page).filter({ hasText: 'Ping' })
      await ping.waitFor()
      // The mention is a pill with A's name; the row is highlighted for A.
      assert.equal((await ping.getByTestId('message-content').innerText()).trim(), `Ping @${ada.displayName}`)
      assert.match(await ping.getAttribute('class'), /message--mentioned/)

      // --- edit with the Up arrow -------------------------------------------------------------------
      const composerA = a.page.getByTestId('composer-input')
      await composerA.focus()
      await composerA.press('ArrowUp')
      const editor = a.page.getByTestId('message-editor')
      await editor.waitFor()
      assert.equal(await editor.inputValue(), 'Line one\nLine two')
      await editor.fill('Line one, edited')
      await parkPointer(a.page)
      await screenshot(a.page, 'chat-editing.png')
      await editor.press('Enter')
      await editor.waitFor({ state: 'detached' })
      const edited = messageWith(b.page, 'Line one, edited')
      await edited.waitFor()
      await edited.getByTestId('message-edited').waitFor()
      // Escape leaves the editor without a change.
      await composerA.press('ArrowUp')
      await editor.waitFor()
      await editor.press('Escape')
      await editor.waitFor({ state: 'detached' })
      assert.equal(await messageWith(a.page, 'Line one, edited').count(), 1)

      // --- delete: with the confirmation, then with Shift held (none) -------------------------------
      await send(a.page, 'A message to delete')
      const doomed = messageWith(a.page, 'A message to delete')
      await messageWith(b.page, 'A message to delete').waitFor()
      await doomed.hover()
      await doomed.getByTestId('toolbar-more').click()
      await a.page.getByTestId('message-menu').getByRole('menuitem', { name: 'Delete Message' }).click()
      const confirm = a.page.getByTestId('delete-message-dialog')
      await confirm.getByText('Are you sure you want to delete this message?').waitFor()
      await parkPointer(a.page)
      await screenshot(a.page, 'chat-delete-confirm.png')
      await confirm.getByRole('button', { name: 'Delete' }).click()
      await doomed.waitFor({ state: 'detached' })
      await messageWith(b.page, 'A message to delete').waitFor({ state: 'detached' })
      await send(a.page, 'Another one to delete')
      const quick = messageWith(a.page, 'Another one to delete')
      await quick.hover()
      await a.page.keyboard.down('Shift')
      await quick.getByTestId('toolbar-delete').click()
      await a.page.keyboard.up('Shift')
      await quick.waitFor({ state: 'detached' })
      assert.equal(await confirm.isVisible(), false, 'shift-delete asks nothing')
      await messageWith(b.page, 'Another one to delete').waitFor({ state: 'detached' })

      // --- 120 messages of history: loaded by scrolling up, the view does not jump ----------------
      for (let index = 1; index <= HISTORY; index++) {
        const posted = await ada.call('POST', `/channels/${general.id}/messages`, { content: `History ${index}` })
        assert.equal(posted.status, 200)
      }
      await b.page.reload()
      await messageWith(b.page, `History ${HISTORY}`).waitFor()
      assert.equal(await b.page.getByRole('heading', { name: 'Welcome to #general!' }).count(), 0, 'only the newest page is loaded')
      // Each older page is held back until the text at the top has been measured, then let through:
      // that text must not move when the page arrives above it.
      let gate = Promise.resolve()
      let release = () => {}
      await b.page.route(/\/messages\?before=/, async (route) => {
        await gate
        await route.continue()
      })
      let pages = 0
      while ((await b.page.getByRole('heading', { name: 'Welcome to #general!' }).count()) === 0) {
        assert.ok(pages++ < 10, 'the start of the channel is reached')
        gate = new Promise((resolve) => (release = resolve))
        const requested = b.page.waitForRequest(/\/messages\?before=/)
        await b.page.getByTestId('message-list').evaluate((list) => list.scrollTo(0, 0))
        await requested
        await b.page.waitForTimeout(100)
        const before = await b.page.getByTestId('message-list').evaluate((list) => {
          const box = list.getBoundingClientRect()
          const first = [...list.querySelectorAll('article[data-message-id]')].find((row) => row.getBoundingClientRect().top >= box.top)
          const text = first.querySelector('[data-testid="message-content"]')
          return { id: first.getAttribute('data-message-id'), top: text.getBoundingClientRect().top }
        })
        const answered = b.page.waitForResponse(/\/messages\?before=/)
        release()
        await answered
        await b.page.waitForTimeout(250)
        const after = await b.page
          .locator(`article[data-message-id="${before.id}"] [data-testid="message-content"]`)
          .evaluate((text) => text.getBoundingClientRect().top)
        assert.ok(Math.abs(after - before.top) < 2, `the view held still while older messages came in (${before.top} -> ${after})`)
      }
      await b.page.unroute(/\/messages\?before=/)
      await messageWith(b.page, 'Hello Bob!').waitFor()
      const rendered = await messageRows(b.page).count()
      assert.ok(rendered < HISTORY, `only rows near the viewport are in the DOM (${rendered})`)
      await b.page.getByTestId('jump-bar').waitFor()
      await parkPointer(b.page)
      await screenshot(b.page, 'chat-history-top.png')
      await b.page.getByTestId('jump-to-present').click()
      await messageWith(b.page, `History ${HISTORY}`).waitFor()
      await b.page.getByTestId('jump-bar').waitFor({ state: 'detached' })
      const bottom = await scrollState(b.page)
      assert.ok(bottom.height - bottom.top - bottom.client < 30, 'at the bottom after jumping to the present')

      // --- jump to a replied-to message far up: loaded around it and highlighted ------------------
      await ada.call('POST', `/channels/${general.id}/messages`, { content: 'Remember this?', message_reference: { message_id: hello.id } })
      const remember = messageWith(b.page, 'Remember this?')
      await remember.waitFor()
      // The new page of history starts over: reload, so the old message is not in memory.
      await b.page.reload()
      await remember.waitFor()
      await remember.getByTestId('message-reply').getByRole('button').click()
      const target = b.page.locator(`article[data-message-id="${hello.id}"]`)
      await target.waitFor()
      assert.match(await target.getAttribute('class'), /message--highlight/)
      await b.page.getByTestId('jump-bar').waitFor()
      await parkPointer(b.page)
      await screenshot(b.page, 'chat-jumped.png')
      await b.page.getByTestId('jump-to-present').click()
      await remember.waitFor()

      // --- a send refused by slowmode: red, with Retry; then retried --------------------------------
      assert.equal((await ada.call('PATCH', `/channels/${general.id}`, { rate_limit_per_user: 30 })).status, 200)
      await b.page.getByTestId('slowmode').getByText('Slowmode is enabled.').waitFor()
      // B's other device sent a moment ago: the server's clock runs, this client does not know.
      assert.equal((await bob.call('POST', `/channels/${general.id}/messages`, { content: 'From my phone' })).status, 200)
      await messageWith(b.page, 'From my phone').waitFor()
      await send(b.page, 'Too fast')
      const refused = b.page.locator('article[data-state="failed"]', { hasText: 'Too fast' })
      await refused.waitFor()
      assert.match(await refused.getByTestId('message-failure').innerText(), /Slowmode: you can send again in \d+ s\./)
      await b.page.getByTestId('slowmode-wait').waitFor()
      await parkPointer(b.page)
      await screenshot(b.page, 'chat-send-failed.png')
      assert.equal(await messageWith(a.page, 'Too fast').count(), 0, 'A never sees the refused message')
      assert.equal((await ada.call('PATCH', `/channels/${general.id}`, { rate_limit_per_user: 0 })).status, 200)
      await refused.getByTestId('message-retry').click()
      await messageWith(a.page, 'Too fast').waitFor()
      await b.page.locator('article[data-state="sent"]', { hasText: 'Too fast' }).waitFor()
      assert.equal(await b.page.locator('article[data-testid="message"]', { hasText: 'Too fast' }).count(), 1, 'one message after the retry')

      // --- a send that never reached the server: Delete takes it away -----------------------------
      await b.page.route('**/api/v1/channels/*/messages', (route) =>
        route.request().method() === 'POST' ? route.abort('connectionrefused') : route.continue(),
      )
      await send(b.page, 'Lost in the network')
      const lost = b.page.locator('article[data-state="failed"]', { hasText: 'Lost in the network' })
      await lost.getByText('Could not reach the server.').waitFor()
      await b.page.unroute('**/api/v1/channels/*/messages')
      await lost.getByTestId('message-discard').click()
      await lost.waitFor({ state: 'detached' })

      // --- sending denied: the composer says why ---------------------------------------------------
      const denied = await ada.call('PUT', `/channels/${general.id}/permissions/${guild.id}`, { type: 0, allow: '0', deny: String(1 << 11) })
      assert.equal(denied.status, 204, JSON.stringify(denied.body))
      const boxB = b.page.getByTestId('composer-input')
      await b.page.waitForFunction(() => document.querySelector('[data-testid="composer-input"]')?.disabled === true)
      assert.equal(await boxB.getAttribute('placeholder'), 'You do not have permission to send messages in this channel.')
      await parkPointer(b.page)
      await screenshot(b.page, 'chat-send-denied.png')
      assert.equal((await ada.call('DELETE', `/channels/${general.id}/permissions/${guild.id}`)).status, 204)
      await b.page.waitForFunction(() => document.querySelector('[data-testid="composer-input"]')?.disabled === false)

      // --- typing, reactions, pins and acks ------------------------------------------------------
      await t.test('typing', async () => {
        // The server passes one TYPING_START per user and channel every few seconds, and B typed a
        // moment ago: keep typing, as a person would, until A sees it.
        const box = b.page.getByTestId('composer-input')
        const line = a.page.getByTestId('typing-line')
        const shown = line.getByText(`${bob.displayName} is typing…`)
        await box.fill('I am typing')
        for (let second = 0; second < 20 && !(await shown.isVisible()); second++) {
          await box.press('End')
          await box.pressSequentially('.')
          await a.page.waitForTimeout(1000)
        }
        await shown.waitFor()
        await parkPointer(a.page)
        await screenshot(a.page, 'chat-typing.png')
        await b.page.getByTestId('composer-input').press('Enter')
        await a.page.getByTestId('message-content').filter({ hasText: /^I am typing/ }).waitFor()
        await line.waitFor({ state: 'detached' })
      })

      await t.test('reactions', async () => {
        const newest = (await ada.call('GET', `/channels/${general.id}/messages?limit=1`)).body[0]
        const rowA = a.page.locator(`article[data-message-id="${newest.id}"]`)
        await rowA.hover()
        await rowA.getByTestId('toolbar-react').click()
        const picker = a.page.getByTestId('emoji-picker')
        await picker.getByTestId('emoji-search').fill('thumbsup')
        await parkPointer(a.page)
        await screenshot(a.page, 'chat-reaction-picker.png')
        await picker.getByTestId('emoji-search').press('Enter')
        await picker.waitFor({ state: 'detached' })
        const chipA = rowA.getByTestId('reaction').first()
        assert.equal(await chipA.getAttribute('aria-pressed'), 'true')
        const chipB = b.page.locator(`article[data-message-id="${newest.id}"]`).getByTestId('reaction').first()
        await chipB.waitFor()
        assert.equal(await chipB.getAttribute('aria-pressed'), 'false')
        await chipB.click()
        await b.page.waitForFunction((id) => document.querySelector(`article[data-message-id="${id}"] [data-testid="reaction"]`)?.textContent?.includes('2'), newest.id)
        await a.page.waitForFunction((id) => document.querySelector(`article[data-message-id="${id}"] [data-testid="reaction"]`)?.textContent?.includes('2'), newest.id)
        await chipA.hover()
        await a.page.getByTestId('reaction-tooltip').getByText(bob.displayName, { exact: false }).waitFor()
        await screenshot(a.page, 'chat-reactions.png')
      })

      await t.test('pins', async () => {
        const pinned = messageWith(a.page, 'Remember this?')
        await pinned.hover()
        await pinned.getByTestId('toolbar-more').click()
        await a.page.getByTestId('message-menu').getByRole('menuitem', { name: 'Pin Message' }).click()
        await b.page.getByTestId('pins-button').click()
        const popover = b.page.getByTestId('pins-popover')
        await popover.getByTestId('pinned-message').filter({ hasText: 'Remember this?' }).waitFor()
        await parkPointer(b.page)
        await screenshot(b.page, 'chat-pins.png')
        await popover.getByTestId('pin-jump').first().click()
        await popover.waitFor({ state: 'detached' })
      })

      await t.test('read acks', async () => {
        await ada.call('POST', `/channels/${general.id}/messages`, { content: 'Read me' })
        await messageWith(b.page, 'Read me').waitFor()
        const latest = (await bob.call('GET', `/channels/${general.id}/messages?limit=1`)).body[0]
        const deadline = Date.now() + 10_000
        let entry = null
        while (Date.now() < deadline) {
          const states = await bob.call('GET', '/users/@me/read-states')
          entry = states.body?.entries?.find((candidate) => candidate.id === general.id) ?? null
          if (entry?.last_message_id === latest.id) break
          await new Promise((resolve) => setTimeout(resolve, 250))
        }
        assert.equal(entry?.last_message_id, latest.id, 'B read up to the newest message')
        // Away from the channel while A writes: back in it, a NEW line sits above what came meanwhile.
        await b.page.goto(`${BASE_URL}/app`)
        await ada.call('POST', `/channels/${general.id}/messages`, { content: 'While you were away' })
        await b.page.goto(channelUrl)
        const unread = messageWith(b.page, 'While you were away')
        await unread.waitFor()
        // The windowed list may re-measure and re-render rows just after the message appears, so wait
        // for the arrangement instead of sampling it once; a NEW line anywhere else times out here.
        await b.page
          .waitForFunction(
            () => {
              const row = document.querySelector('[data-testid="unread-separator"]')?.closest('[data-key]')
              return row?.nextElementSibling?.textContent?.includes('While you were away') === true
            },
            null,
            { timeout: 5_000 },
          )
          .catch(async () => {
            const previous = await b.page.getByTestId('unread-separator').evaluate((line) => line.closest('[data-key]').nextElementSibling?.textContent)
            assert.fail(`the NEW line is not right above the first unread message (it is above ${JSON.stringify(previous)})`)
          })
        await parkPointer(b.page)
        await screenshot(b.page, 'chat-unread.png')
      })

      // --- on a phone: the same conversation, nothing wider than the screen -------------------------
      await b.page.setViewportSize(PHONE)
      await b.page.getByTestId('composer-input').waitFor()
      await b.page.waitForTimeout(300)
      await screenshot(b.page, 'chat-phone.png')
      const overflow = await b.page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth)
      assert.ok(overflow <= 0, 'no sideways scrolling on a phone')

      assertClean(a.problems, { allowConsole })
      assertClean(b.problems, { allowConsole })
    } finally {
      await a.context.close()
      await b.context.close()
    }
  })
})
