// End-to-end test of message search in the web client against a running hearthd: Ada searches
// her server from the channel header's box; the results panel shows the count, each hit's
// channel, author and content; filters (from:, in:, has:) narrow; pages of 25; a click on a hit
// far back in history jumps to it (loaded around it, highlighted), and one in another channel
// opens that channel at the message; "No results" and a query error have their states; Bob
// doesn't find what is in a channel he can't see.
//
//   HEARTH_URL=http://127.0.0.1:8080 node --test tests/e2e/search.e2e.test.mjs
//   (or: node tests/support/with_hearthd.mjs -- node --test tests/e2e/search.e2e.test.mjs)
//
// Screenshots go to HEARTH_SCREENSHOT_DIR (default tests/e2e/screenshots).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BASE_URL, PHONE, TEST_TIMEOUT_MS, assertClean, openPage, screenshot, signIn, twoInAServer, useBrowser } from './browser.mjs'

const VIEW_CHANNEL = 1n << 10n

useBrowser()

function rowWith(scope, text) {
  return scope.locator('article[data-testid="message"]').filter({ has: scope.page().getByTestId('message-content').getByText(text, { exact: true }) })
}

async function post(user, channelId, content) {
  const sent = await user.call('POST', `/channels/${channelId}/messages`, { content })
  assert.equal(sent.status, 200, JSON.stringify(sent.body))
  return sent.body
}

async function searchFor(page, text) {
  const box = page.getByTestId('search-input')
  await box.fill(text)
  await box.press('Enter')
}

const count = async (page) => (await page.getByTestId('search-count').textContent()).trim()

async function waitForCount(page, expected) {
  await page.getByTestId('search-count').getByText(expected, { exact: true }).waitFor()
}

describe('Hearth search', () => {
  it('finds, filters, pages and jumps to messages; hides what one cannot see', { timeout: TEST_TIMEOUT_MS * 4 }, async () => {
    const { ada, bob, guild, general } = await twoInAServer('Search', 'srch')
    const random = (await ada.call('POST', `/guilds/${guild.id}/channels`, { name: 'random', type: 0 })).body
    const secret = (await ada.call('POST', `/guilds/${guild.id}/channels`, {
      name: 'secret', type: 0, permission_overwrites: [{ id: guild.id, type: 0, allow: '0', deny: String(VIEW_CHANNEL) }],
    })).body
    await post(ada, general.id, 'The **lighthouse** keeper waved at the boats')
    for (let n = 0; n < 30; n += 1) await post(ada, general.id, `filler message number ${n}`)
    await post(bob, random.id, 'Saw the lighthouse at dawn, photos at https://example.org/dawn')
    await post(ada, secret.id, 'lighthouse budget is secret')

    const a = await openPage()
    const b = await openPage({ colorScheme: 'light' })
    try {
      await signIn(a.page, ada)
      await a.page.goto(`${BASE_URL}/app/${guild.id}/${general.id}`)
      const pane = a.page.locator('main [data-testid="message-pane"]')
      await rowWith(pane, 'filler message number 29').waitFor()

      // --- a word: every channel Ada can see, newest first ---------------------------------------
      await searchFor(a.page, 'lighthouse')
      const panel = a.page.getByTestId('search-results')
      await waitForCount(a.page, '3 Results')
      const hits = panel.getByTestId('search-hit')
      assert.equal(await hits.count(), 3)
      assert.match(await hits.nth(0).textContent(), /lighthouse budget is secret/)
      assert.match(await hits.nth(1).textContent(), /Saw the lighthouse at dawn/)
      assert.match(await panel.textContent(), /random/)
      // Markdown rendered as elements, not as text.
      assert.equal(await hits.nth(2).locator('strong', { hasText: 'lighthouse' }).count(), 1)
      await a.page.mouse.move(5, 795)
      await screenshot(a.page, 'search-results.png')

      // --- filters -------------------------------------------------------------------------------
      await searchFor(a.page, `from:${bob.username} lighthouse`)
      await waitForCount(a.page, '1 Result')
      await searchFor(a.page, 'in:general lighthouse')
      await waitForCount(a.page, '1 Result')
      assert.match(await hits.nth(0).textContent(), /keeper waved/)
      await searchFor(a.page, 'has:link')
      await waitForCount(a.page, '1 Result')

      // --- the jump: far back in #general, loaded around and highlighted -------------------------
      await searchFor(a.page, 'keeper')
      await waitForCount(a.page, '1 Result')
      await hits.nth(0).click()
      const target = rowWith(pane, 'The lighthouse keeper waved at the boats')
      await target.waitFor()
      assert.ok(await target.isVisible(), 'the message is on screen')
      await a.page.locator('article.message--highlight').filter({ hasText: 'keeper waved' }).waitFor()

      // --- another channel: opened at the message ------------------------------------------------
      await searchFor(a.page, 'dawn')
      await waitForCount(a.page, '1 Result')
      await hits.nth(0).click()
      await a.page.waitForURL((url) => url.pathname === `/app/${guild.id}/${random.id}`)
      // (The link is an anchor inside the content, so the row is matched on its whole text.)
      await a.page.locator('main article[data-testid="message"]', { hasText: 'Saw the lighthouse at dawn' }).waitFor()

      // --- pages ---------------------------------------------------------------------------------
      await searchFor(a.page, 'filler')
      await waitForCount(a.page, '30 Results')
      assert.equal(await hits.count(), 25)
      const pager = a.page.getByTestId('search-pager')
      assert.match(await pager.textContent(), /Page 1 of 2/)
      await a.page.getByTestId('search-next').click()
      await pager.getByText('Page 2 of 2').waitFor()
      await a.page.waitForFunction(() => document.querySelectorAll('[data-testid="search-hit"]').length === 5)
      await a.page.getByTestId('search-sort-oldest').click()
      await pager.getByText('Page 1 of 2').waitFor()
      await a.page.waitForFunction(() => document.querySelector('[data-testid="search-hit"]')?.textContent?.includes('filler message number 0'))

      // --- nothing, and a mistake ----------------------------------------------------------------
      await searchFor(a.page, 'zebra')
      await a.page.getByTestId('search-empty').getByText('No results').waitFor()
      await a.page.mouse.move(5, 795)
      await screenshot(a.page, 'search-empty.png')
      await searchFor(a.page, 'before:2025-13-01 lighthouse')
      await a.page.getByTestId('search-error').waitFor()
      assert.match(await a.page.getByTestId('search-error').textContent(), /before:/)
      await searchFor(a.page, 'from:nobody_here lighthouse')
      assert.match(await a.page.getByTestId('search-error').textContent(), /No member called "nobody_here"/)

      // --- closing gives the member list back ----------------------------------------------------
      await a.page.getByTestId('search-close').click()
      await a.page.getByTestId('search-panel').waitFor({ state: 'detached' })
      assert.equal(await a.page.getByTestId('search-input').inputValue(), '')

      // --- Bob: the secret channel's message is not his to find ----------------------------------
      await signIn(b.page, bob)
      await b.page.goto(`${BASE_URL}/app/${guild.id}/${general.id}`)
      await searchFor(b.page, 'lighthouse')
      await waitForCount(b.page, '2 Results')
      assert.doesNotMatch(await b.page.getByTestId('search-results').textContent(), /budget/)
      await b.page.mouse.move(5, 795)
      await screenshot(b.page, 'search-results-light.png')
      assert.equal(await count(b.page), '2 Results')

      assertClean(a.problems)
      assertClean(b.problems)
    } finally {
      await a.context.close()
      await b.context.close()
    }
  })

  it('searches one DM from its header and jumps to the message', { timeout: TEST_TIMEOUT_MS * 2 }, async () => {
    const { ada, bob, guild, general } = await twoInAServer('Search DM', 'srchd')
    const dm = await ada.call('POST', '/users/@me/channels', { recipient_id: bob.id })
    assert.equal(dm.status, 200, JSON.stringify(dm.body))
    await post(bob, dm.body.id, 'the spare key is under the blue pot')
    for (let n = 0; n < 30; n += 1) await post(ada, dm.body.id, `chatter ${n}`)
    await post(ada, general.id, 'a key in the server, not in the DM')
    const a = await openPage()
    try {
      await signIn(a.page, ada)
      await a.page.goto(`${BASE_URL}/channels/@me/${dm.body.id}`)
      const pane = a.page.getByTestId('dm-conversation')
      await rowWith(pane, 'chatter 29').waitFor()
      await searchFor(a.page, `from:${bob.username} key`)
      await waitForCount(a.page, '1 Result')
      assert.match(await a.page.getByTestId('search-hit').first().textContent(), /spare key/)
      await a.page.mouse.move(5, 795)
      await screenshot(a.page, 'search-dm.png')
      await a.page.getByTestId('search-hit').first().click()
      await a.page.locator('article.message--highlight').filter({ hasText: 'spare key' }).waitFor()
      assert.ok(await rowWith(pane, 'the spare key is under the blue pot').isVisible())
      assertClean(a.problems)
    } finally {
      await a.context.close()
    }
    assert.ok(guild.id)
  })

  it('on a phone, the results cover the conversation and a jump goes back to it', { timeout: TEST_TIMEOUT_MS * 2 }, async () => {
    const { ada, guild, general } = await twoInAServer('Search phone', 'srchp')
    await post(ada, general.id, 'an old note about the harbour')
    for (let n = 0; n < 25; n += 1) await post(ada, general.id, `later line ${n}`)
    const a = await openPage({ viewport: PHONE })
    try {
      await signIn(a.page, ada)
      await a.page.goto(`${BASE_URL}/app/${guild.id}/${general.id}`)
      await searchFor(a.page, 'harbour')
      await waitForCount(a.page, '1 Result')
      await screenshot(a.page, 'search-phone.png')
      await a.page.getByTestId('search-hit').first().click()
      await a.page.getByTestId('search-panel').waitFor({ state: 'detached' })
      await rowWith(a.page.locator('main [data-testid="message-pane"]'), 'an old note about the harbour').waitFor()
      assertClean(a.problems)
    } finally {
      await a.context.close()
    }
  })
})
