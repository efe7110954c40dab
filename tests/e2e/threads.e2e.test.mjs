// End-to-end test of threads in the web client against a running hearthd: two users in two
// browser contexts. A starts a thread from a message, B sees the thread under the message live,
// opens it in the side panel, both chat in it live (typing, a reply, a reaction), the thread list
// in the channel header, the full-size address of a thread after a reload, A archives it and B
// sees the archived banner, the phone layout, a message unarchiving it and showing as unread
// under its channel, a private thread B never sees, and permissions
// (no Create Thread without CREATE_PUBLIC_THREADS, no sending without SEND_MESSAGES_IN_THREADS).
// Then thread members and settings: A starts a private thread, adds B through the members picker,
// B sees it and both are listed, A renames it and B's view follows live, A removes B.
//
//   HEARTH_URL=http://127.0.0.1:8080 node --test tests/e2e/threads.e2e.test.mjs
//   (or: node tests/support/with_hearthd.mjs -- node --test tests/e2e/threads.e2e.test.mjs)
//
// Screenshots go to HEARTH_SCREENSHOT_DIR (default tests/e2e/screenshots).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BASE_URL, twoPagesInGeneral, DESKTOP, PHONE, TEST_TIMEOUT_MS, assertClean, screenshot, useBrowser } from './browser.mjs'

const CREATE_PUBLIC_THREADS = 1n << 35n
const SEND_MESSAGES_IN_THREADS = 1n << 38n

useBrowser()


/** The channel's own conversation (not the thread panel). */
function channelPane(page) {
  return page.locator('main [data-testid="message-pane"]')
}

function threadPanel(page) {
  return page.getByTestId('thread-panel')
}

function rowWith(scope, text) {
  return scope.locator('article[data-testid="message"]').filter({ has: scope.page().getByTestId('message-content').getByText(text, { exact: true }) })
}

async function send(scope, text) {
  const box = scope.getByTestId('composer-input')
  await box.fill(text)
  await box.press('Enter')
}

async function parkPointer(page) {
  const size = page.viewportSize() ?? DESKTOP
  await page.mouse.move(size.width - 5, size.height - 5)
}

describe('Hearth threads', () => {
  it('starts a thread from a message and chats in it live', { timeout: TEST_TIMEOUT_MS * 6 }, async (t) => {
    const { ada, bob, guild, general, channelUrl, a, b } = await twoPagesInGeneral('Threads', 'thr')
    try {
      // --- A starts a thread from a message --------------------------------------------------------
      await send(channelPane(a.page), 'Where do we go this summer?')
      await send(channelPane(a.page), 'Ideas welcome, in a thread please')
      const starterA = rowWith(channelPane(a.page), 'Where do we go this summer?')
      await starterA.waitFor()
      await rowWith(channelPane(b.page), 'Where do we go this summer?').waitFor()
      await starterA.hover()
      await starterA.getByTestId('toolbar-thread').click()
      const dialog = a.page.getByTestId('thread-create-dialog')
      const nameBox = dialog.getByLabel('Thread Name')
      assert.equal(await nameBox.inputValue(), 'Where do we go this summer?', 'named after the message')
      await nameBox.fill('Summer trip')
      await parkPointer(a.page)
      await screenshot(a.page, 'threads-create-dialog.png')
      await dialog.getByRole('button', { name: 'Create Thread' }).click()
      await a.page.waitForURL((url) => /\/threads\/\d+$/.test(url.pathname))
      const threadId = new URL(a.page.url()).pathname.split('/').at(-1)
      const panelA = threadPanel(a.page)
      assert.equal((await panelA.getByTestId('thread-title').textContent()).trim(), 'Summer trip')
      await panelA.getByTestId('thread-start').getByText('Where do we go this summer?').waitFor()
      await panelA.getByTestId('composer-input').waitFor()
      assert.equal(await panelA.getByTestId('composer-input').getAttribute('placeholder'), 'Message Summer trip')
      // The starter message in the channel says so too, and the server agrees.
      await starterA.getByTestId('thread-summary-name').getByText('Summer trip').waitFor()
      const thread = await ada.call('GET', `/channels/${threadId}`)
      assert.equal(thread.status, 200)
      assert.equal(thread.body.parent_id, general.id)
      await parkPointer(a.page)
      await screenshot(a.page, 'threads-panel-new.png')

      // --- B sees it under the message, live, and opens it ---------------------------------------
      const starterB = rowWith(channelPane(b.page), 'Where do we go this summer?')
      const summaryB = starterB.getByTestId('thread-summary')
      await summaryB.getByText('Summer trip').waitFor()
      assert.equal((await summaryB.getByTestId('thread-summary-count').textContent()).trim(), '0 Messages')
      await parkPointer(b.page)
      await screenshot(b.page, 'threads-summary-live.png')
      await summaryB.click()
      await b.page.waitForURL((url) => url.pathname.endsWith(`/threads/${threadId}`))
      const panelB = threadPanel(b.page)
      await panelB.getByTestId('thread-join').waitFor()

      // --- both chat in it live -------------------------------------------------------------------
      await send(panelA, 'The mountains, surely')
      await rowWith(panelB, 'The mountains, surely').waitFor()
      await send(panelB, 'Count me in')
      await rowWith(panelA, 'Count me in').waitFor()
      // Sending joined B to the thread.
      await panelB.getByTestId('thread-join').waitFor({ state: 'detached' })
      // The channel's view counts the thread's messages.
      await starterA.getByTestId('thread-summary-count').getByText('2 Messages').waitFor()
      await summaryB.getByTestId('thread-summary-count').getByText('2 Messages').waitFor()
      // Nothing of the thread leaks into the channel.
      assert.equal(await rowWith(channelPane(a.page), 'Count me in').count(), 0)

      await t.test('typing, a reply and a reaction inside the thread', async () => {
        const box = panelB.getByTestId('composer-input')
        const shown = panelA.getByTestId('typing-line').getByText(`${bob.displayName} is typing…`)
        await box.fill('Thinking')
        for (let second = 0; second < 20 && !(await shown.isVisible()); second++) {
          await box.press('End')
          await box.pressSequentially('.')
          await a.page.waitForTimeout(1000)
        }
        await shown.waitFor()
        assert.equal(await channelPane(a.page).getByTestId('typing-line').getByText(`${bob.displayName} is typing…`).count(), 0)
        await box.fill('')

        const rowA = rowWith(panelA, 'Count me in')
        await rowA.hover()
        await rowA.getByTestId('toolbar-reply').click()
        await send(panelA, 'Great, bring boots')
        const reply = rowWith(panelB, 'Great, bring boots')
        await reply.getByTestId('message-reply').getByText('Count me in').waitFor()

        await rowA.hover()
        await rowA.getByTestId('toolbar-react').click()
        const picker = a.page.getByTestId('emoji-picker')
        await picker.getByTestId('emoji-search').fill('thumbsup')
        await picker.getByTestId('emoji-search').press('Enter')
        await picker.waitFor({ state: 'detached' })
        await rowWith(panelB, 'Count me in').getByTestId('reaction').first().waitFor()
        // No Create Thread inside a thread.
        await rowA.hover()
        assert.equal(await rowA.getByTestId('toolbar-thread').count(), 0)
      })
      await parkPointer(a.page)
      await parkPointer(b.page)
      await screenshot(a.page, 'threads-panel-chat.png')
      await screenshot(b.page, 'threads-panel-chat-light.png')

      await t.test('the thread list in the channel header', async () => {
        await b.page.getByTestId('threads-button').click()
        const popover = b.page.getByTestId('threads-popover')
        await popover.getByText('1 Active Thread').waitFor()
        await popover.getByTestId('threads-item').getByText('Summer trip').waitFor()
        await parkPointer(b.page)
        await screenshot(b.page, 'threads-list.png')
        await b.page.keyboard.press('Escape')
        await popover.waitFor({ state: 'detached' })
      })

      await t.test('a thread’s own address opens it full size after a reload', async () => {
        await b.page.goto(`${BASE_URL}/app/${guild.id}/${threadId}`)
        const pane = b.page.locator('main [data-testid="thread-pane"]')
        await rowWith(pane, 'Count me in').waitFor()
        await b.page.getByTestId('header-parent').getByText('general').waitFor()
        assert.equal((await b.page.locator('main h1').textContent()).trim(), 'Summer trip')
        await parkPointer(b.page)
        await screenshot(b.page, 'threads-full-size.png')
        // Discord's address of a thread beside its channel works too.
        await b.page.goto(`${BASE_URL}/channels/${guild.id}/${general.id}/threads/${threadId}`)
        await b.page.waitForURL((url) => url.pathname === `/app/${guild.id}/${general.id}/threads/${threadId}`)
        await rowWith(threadPanel(b.page), 'Count me in').waitFor()
      })

      await t.test('A archives it and B sees the archived banner', async () => {
        const panelBNow = threadPanel(b.page)
        await panelBNow.getByTestId('composer-input').waitFor()
        assert.equal(await panelBNow.getByTestId('thread-banner').count(), 0)
        await panelA.getByTestId('thread-options').click()
        await a.page.getByTestId('thread-menu').getByRole('menuitem', { name: 'Archive Thread' }).click()
        const banner = panelBNow.getByTestId('thread-banner')
        await banner.getByText('This thread is archived. Sending a message will unarchive it.').waitFor()
        await panelA.getByTestId('thread-banner').waitFor()
        assert.equal((await ada.call('GET', `/channels/${threadId}`)).body.thread_metadata.archived, true)
        await parkPointer(b.page)
        await screenshot(b.page, 'threads-archived.png')
        // The list moves it to the older threads.
        await b.page.getByTestId('threads-button').click()
        await b.page.getByTestId('threads-popover').getByTestId('threads-archived-item').getByText('Summer trip').waitFor()
        await b.page.keyboard.press('Escape')
      })

      await t.test('on a phone the thread takes the whole view', async () => {
        await b.page.setViewportSize(PHONE)
        const panel = threadPanel(b.page)
        await panel.getByTestId('composer-input').waitFor()
        const box = await panel.boundingBox()
        assert.ok(box && box.x <= 1 && box.width >= PHONE.width - 1, `the panel fills the screen (${JSON.stringify(box)})`)
        await b.page.waitForTimeout(300)
        await screenshot(b.page, 'threads-phone.png')
        const overflow = await b.page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth)
        assert.ok(overflow <= 0, 'no sideways scrolling on a phone')
        await panel.getByTestId('thread-close').click()
        await b.page.waitForURL((url) => url.pathname === `/app/${guild.id}/${general.id}`)
        await b.page.setViewportSize(DESKTOP)
      })

      await t.test('a message unarchives it, and shows as unread under its channel for B', async () => {
        await send(panelA, 'Back from the archive')
        await rowWith(panelA, 'Back from the archive').waitFor()
        await panelA.getByTestId('thread-banner').waitFor({ state: 'detached' })
        const sidebarB = b.page.getByTestId('sidebar-thread').filter({ hasText: 'Summer trip' })
        await sidebarB.and(b.page.locator('[data-unread="true"]')).waitFor()
        await parkPointer(b.page)
        await screenshot(b.page, 'threads-sidebar-unread.png')
        const acked = b.page.waitForResponse((answer) => answer.url().includes(`/channels/${threadId}/messages/`) && answer.url().endsWith('/ack'))
        await sidebarB.getByRole('link').click()
        await b.page.waitForURL((url) => url.pathname === `/app/${guild.id}/${threadId}`)
        await rowWith(b.page.locator('main [data-testid="thread-pane"]'), 'Back from the archive').waitFor()
        assert.equal(await sidebarB.getAttribute('data-unread'), null)
        assert.equal((await acked).status(), 200)
        await b.page.goto(channelUrl)
        await channelPane(b.page).getByTestId('composer-input').waitFor()
        await b.page.waitForTimeout(1000)
        assert.equal(await sidebarB.getAttribute('data-unread'), null, 'still read after a reload')
      })

      await t.test('a private thread from the thread list, which B never sees', async () => {
        await a.page.getByTestId('threads-button').click()
        await a.page.getByTestId('threads-create').click()
        const form = a.page.getByTestId('thread-create-dialog')
        await form.getByLabel('Thread Name').fill('Surprise party')
        await form.getByRole('switch', { name: 'Private Thread' }).click()
        await form.getByRole('button', { name: 'Create Thread' }).click()
        await a.page.waitForURL((url) => /\/threads\/\d+$/.test(url.pathname) && !url.pathname.endsWith(`/${threadId}`))
        const privateId = new URL(a.page.url()).pathname.split('/').at(-1)
        assert.equal((await ada.call('GET', `/channels/${privateId}`)).body.type, 12)
        await send(threadPanel(a.page), 'Shh, not a word to Bob')
        await rowWith(threadPanel(a.page), 'Shh, not a word to Bob').waitFor()
        await b.page.getByTestId('threads-button').click()
        await b.page.getByTestId('threads-popover').getByTestId('threads-item').getByText('Summer trip').waitFor()
        assert.equal(await b.page.getByTestId('threads-popover').getByText('Surprise party').count(), 0)
        await b.page.keyboard.press('Escape')
        assert.equal((await bob.call('GET', `/channels/${privateId}`)).status, 404)
      })

      await t.test('permissions: no Create Thread, no sending in threads', async () => {
        // A thread B can still see, unarchived.
        const open = await ada.call('POST', `/channels/${general.id}/threads`, { name: 'Open chat', type: 11 })
        assert.equal(open.status, 201, JSON.stringify(open.body))
        const rowB = rowWith(channelPane(b.page), 'Ideas welcome, in a thread please')
        await rowB.getByTestId('toolbar-thread').waitFor({ state: 'attached' })
        const denied = String(CREATE_PUBLIC_THREADS | SEND_MESSAGES_IN_THREADS)
        const put = await ada.call('PUT', `/channels/${general.id}/permissions/${guild.id}`, { type: 0, allow: '0', deny: denied })
        assert.equal(put.status, 204, JSON.stringify(put.body))
        await rowB.getByTestId('toolbar-thread').waitFor({ state: 'detached' })
        await rowB.hover()
        await rowB.getByTestId('toolbar-reply').waitFor()
        await b.page.goto(`${BASE_URL}/app/${guild.id}/${general.id}/threads/${open.body.id}`)
        const panel = threadPanel(b.page)
        await panel.getByTestId('composer-input').waitFor()
        await b.page.waitForFunction(() => document.querySelector('[data-testid="thread-panel"] [data-testid="composer-input"]')?.disabled === true)
        // B may still send in the channel itself.
        assert.equal(await channelPane(b.page).getByTestId('composer-input').isDisabled(), false)
        await parkPointer(b.page)
        await screenshot(b.page, 'threads-no-send.png')
      })

      assertClean(a.problems)
      assertClean(b.problems)
    } finally {
      await a.context.close()
      await b.context.close()
    }
  })

  it('adds someone to a private thread, lists its members and renames it live', { timeout: TEST_TIMEOUT_MS * 4 }, async () => {
    const { ada, bob, guild, a, b } = await twoPagesInGeneral('Thread members', 'tmb')
    try {
      // --- A starts a private thread; only A is in it -------------------------------------------
      await a.page.getByTestId('threads-button').click()
      await a.page.getByTestId('threads-create').click()
      const form = a.page.getByTestId('thread-create-dialog')
      await form.getByLabel('Thread Name').fill('Planning')
      await form.getByRole('switch', { name: 'Private Thread' }).click()
      await form.getByRole('button', { name: 'Create Thread' }).click()
      await a.page.waitForURL((url) => /\/threads\/\d+$/.test(url.pathname))
      const threadId = new URL(a.page.url()).pathname.split('/').at(-1)
      const panelA = threadPanel(a.page)
      await send(panelA, 'Agenda first')
      await rowWith(panelA, 'Agenda first').waitFor()
      assert.equal((await bob.call('GET', `/channels/${threadId}`)).status, 404, 'B can’t see it yet')

      const membersA = a.page.getByTestId('thread-members-popover')
      await panelA.getByTestId('thread-members-button').click()
      await membersA.getByTestId('thread-member').first().waitFor()
      assert.deepEqual(await membersA.getByTestId('thread-members-group').allTextContents(), ['Online — 1'])
      assert.equal(await membersA.getByTestId('thread-member').getAttribute('data-user-id'), ada.id)

      // --- A adds B through the picker ----------------------------------------------------------
      await membersA.getByTestId('thread-members-add').click()
      const search = membersA.getByTestId('thread-members-search')
      await search.fill('zzz-nobody')
      await membersA.getByTestId('thread-members-nomatch').waitFor()
      await search.fill('Bob')
      const candidate = membersA.getByTestId('thread-members-candidate').filter({ hasText: bob.displayName })
      await candidate.waitFor()
      assert.equal(await membersA.getByTestId('thread-members-candidate').count(), 1, 'only B matches, and A is in already')
      await parkPointer(a.page)
      await screenshot(a.page, 'threads-members-picker.png')
      const added = a.page.waitForResponse((answer) => answer.url().endsWith(`/channels/${threadId}/thread-members/${bob.id}`) && answer.request().method() === 'PUT')
      await candidate.click()
      assert.equal((await added).status(), 204)
      await membersA.locator(`[data-testid="thread-member"][data-user-id="${bob.id}"]`).waitFor()
      await panelA.getByTestId('thread-members-count').getByText('2', { exact: true }).waitFor()
      const listed = await ada.call('GET', `/channels/${threadId}/thread-members`)
      assert.deepEqual(listed.body.map((member) => member.user_id).sort(), [ada.id, bob.id].sort())
      await parkPointer(a.page)
      await screenshot(a.page, 'threads-members-list.png')
      // Nobody else can be added: the picker says so.
      await membersA.getByTestId('thread-members-add').click()
      await membersA.getByTestId('thread-members-none').waitFor()
      await screenshot(a.page, 'threads-members-everyone.png')
      await a.page.keyboard.press('Escape')
      await membersA.waitFor({ state: 'detached' })

      // --- B sees the thread live, and both in its member list ----------------------------------
      const sidebarB = b.page.getByTestId('sidebar-thread').filter({ hasText: 'Planning' })
      await sidebarB.waitFor()
      await sidebarB.getByRole('link').click()
      await b.page.waitForURL((url) => url.pathname === `/app/${guild.id}/${threadId}`)
      const paneB = b.page.locator('main [data-testid="thread-pane"]')
      await rowWith(paneB, 'Agenda first').waitFor()
      await b.page.getByTestId('thread-members-button').click()
      const membersB = b.page.getByTestId('thread-members-popover')
      await membersB.locator(`[data-testid="thread-member"][data-user-id="${ada.id}"]`).waitFor()
      await membersB.locator(`[data-testid="thread-member"][data-user-id="${bob.id}"]`).waitFor()
      assert.deepEqual(await membersB.getByTestId('thread-members-group').allTextContents(), ['Online — 2'])
      // B may invite (the thread is invitable) but not remove anyone, nor change its settings.
      await membersB.getByTestId('thread-members-add').waitFor()
      assert.equal(await membersB.getByTestId('thread-member-remove').count(), 0)
      await parkPointer(b.page)
      await screenshot(b.page, 'threads-members-bob.png')
      await b.page.keyboard.press('Escape')
      await b.page.getByTestId('thread-options').click()
      await b.page.getByTestId('thread-menu').getByRole('menuitem', { name: 'Copy Link' }).waitFor()
      assert.equal(await b.page.getByTestId('thread-menu').getByRole('menuitem', { name: 'Thread Settings' }).count(), 0)
      await b.page.keyboard.press('Escape')

      // --- A renames it and turns off invites; B's view follows ---------------------------------
      await panelA.getByTestId('thread-options').click()
      await a.page.getByTestId('thread-menu').getByRole('menuitem', { name: 'Thread Settings' }).click()
      const settings = a.page.getByTestId('thread-settings-dialog')
      await settings.getByLabel('Thread Name').fill('Planning, final')
      await settings.getByLabel('Hide After Inactivity').selectOption({ label: 'After 1 Week of inactivity' })
      await settings.getByLabel('Slowmode').selectOption({ label: '10s' })
      await settings.getByRole('switch', { name: 'Allow Members to Invite' }).click()
      await parkPointer(a.page)
      await screenshot(a.page, 'threads-settings.png')
      await settings.getByRole('button', { name: 'Save Changes' }).click()
      await settings.waitFor({ state: 'hidden' })
      await b.page.locator('main h1').getByText('Planning, final', { exact: true }).waitFor()
      await sidebarB.filter({ hasText: 'Planning, final' }).waitFor()
      const saved = (await ada.call('GET', `/channels/${threadId}`)).body
      assert.equal(saved.name, 'Planning, final')
      assert.equal(saved.rate_limit_per_user, 10)
      assert.equal(saved.thread_metadata.auto_archive_duration, 10080)
      assert.equal(saved.thread_metadata.invitable, false)
      // Without invites B can't add anyone any more.
      await b.page.getByTestId('thread-members-button').click()
      await membersB.getByTestId('thread-member').first().waitFor()
      assert.equal(await membersB.getByTestId('thread-members-add').count(), 0)
      await b.page.keyboard.press('Escape')
      await parkPointer(b.page)
      await screenshot(b.page, 'threads-renamed-live.png')

      // On a phone the header keeps room for the thread's name and its buttons stay on the
      // screen; the popover too.
      await b.page.setViewportSize(PHONE)
      const title = await b.page.getByTestId('header-title').boundingBox()
      assert.ok(title && title.width >= 60, `the thread's name has room on a phone (${JSON.stringify(title)})`)
      const lastButton = await b.page.getByTestId('toggle-members').boundingBox()
      assert.ok(lastButton && lastButton.x + lastButton.width <= PHONE.width,
        `the header's buttons fit the phone (${JSON.stringify(lastButton)})`)
      await b.page.getByTestId('thread-members-button').click()
      await membersB.getByTestId('thread-member').first().waitFor()
      const box = await membersB.boundingBox()
      assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, `the members popover fits the phone (${JSON.stringify(box)})`)
      await screenshot(b.page, 'threads-members-phone.png')
      await b.page.keyboard.press('Escape')
      await b.page.setViewportSize(DESKTOP)

      // --- A removes B ---------------------------------------------------------------------------
      await panelA.getByTestId('thread-members-button').click()
      const rowB = membersA.locator(`[data-testid="thread-member"][data-user-id="${bob.id}"]`)
      await rowB.hover()
      await rowB.getByTestId('thread-member-remove').click()
      await rowB.waitFor({ state: 'detached' })
      await panelA.getByTestId('thread-members-count').getByText('1', { exact: true }).waitFor()
      // The list drops B at once, before the server has answered: wait for the removal itself.
      let seen = 200
      const deadline = Date.now() + 5_000
      while (seen === 200 && Date.now() < deadline) {
        seen = (await bob.call('GET', `/channels/${threadId}`)).status
        if (seen === 200) await new Promise((resolve) => setTimeout(resolve, 100))
      }
      assert.equal(seen, 404, 'B can’t see it any more')
      await a.page.keyboard.press('Escape')
      // B, out of a private thread, loses it: gone from the sidebar, the full view says so.
      await sidebarB.waitFor({ state: 'detached' })
      await b.page.locator('main [data-testid="thread-pane"]').waitFor({ state: 'detached' })
      await parkPointer(b.page)
      await screenshot(b.page, 'threads-members-removed.png')

      assertClean(a.problems)
      assertClean(b.problems)
    } finally {
      await a.context.close()
      await b.context.close()
    }
  })
})
