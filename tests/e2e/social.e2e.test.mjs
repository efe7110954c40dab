// End-to-end test of home, presence and unread state in the web client against a running hearthd,
// with users in separate browser contexts:
// - presence and unread: A and B share a server; each sees the other online in the member list;
//   A switches to Do Not Disturb with a custom status and B's list shows it; A mentions B in
//   another channel while B is at home: B's server icon gets the white pill and a red "1", the
//   channel is bold with a badge, and both clear once B opens it;
// - friends and DMs:
//   A adds B by username, B accepts from Pending, A opens the DM from the friends list and they
//   exchange messages live (B sees the unread DM on the rail and in the list), A makes a group DM
//   with B and C and renames it, B sees it live, C leaves after confirming, and B's Do Not Disturb
//   shows on A's DM list.
//
//   HEARTH_URL=http://127.0.0.1:8080 node --test tests/e2e/social.e2e.test.mjs
//
// Screenshots go to HEARTH_SCREENSHOT_DIR (default tests/e2e/screenshots).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { BASE_URL, DESKTOP, TEST_TIMEOUT_MS, assertClean, openPage, screenshot, useBrowser } from './browser.mjs'

const PASSWORD = 'correct horse battery staple'
useBrowser()

function newAccount(name) {
  const suffix = randomBytes(4).toString('hex')
  return {
    username: `e2e_${suffix}`,
    email: `e2e.${suffix}@example.org`,
    displayName: `${name} ${suffix.slice(0, 4).toUpperCase()}`,
    password: PASSWORD,
  }
}

async function register(page, account) {
  await page.goto(`${BASE_URL}/register`)
  await page.getByRole('heading', { name: 'Create an account' }).waitFor()
  await page.getByLabel('Email').fill(account.email)
  await page.getByLabel('Display Name').fill(account.displayName)
  await page.getByLabel('Username').fill(account.username)
  await page.getByLabel('Password').fill(account.password)
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.waitForURL((url) => url.pathname === '/app')
  // The gateway is up once the user panel says so (presence goes out after READY).
  await page.locator('[data-testid="gateway-status"][data-state="connected"]').waitFor({ state: 'attached' })
}

function nextResponse(page, method, pattern) {
  return page.waitForResponse(
    (response) => response.request().method() === method && pattern.test(new URL(response.url()).pathname),
  )
}

async function parkPointer(page) {
  await page.mouse.move(DESKTOP.width - 5, DESKTOP.height - 5)
}

function rail(page) {
  return page.getByRole('navigation', { name: 'Servers' })
}

async function openServerMenu(page) {
  await page.getByTestId('server-menu-button').click()
  const menu = page.getByRole('menu')
  await menu.waitFor()
  return menu
}

/** A creates a server with a second text channel and an invite; B joins it. */
async function shareServer(a, b, name) {
  await rail(a).getByRole('button', { name: 'Add a Server' }).click()
  const create = a.getByRole('dialog', { name: 'Customize your server' })
  await create.waitFor()
  await create.getByLabel('Server Name').fill(name)
  const created = nextResponse(a, 'POST', /^\/api\/v1\/guilds$/)
  await create.getByRole('button', { name: 'Create' }).click()
  const guild = await (await created).json()
  await a.waitForURL((url) => url.pathname.startsWith(`/app/${guild.id}/`))

  let menu = await openServerMenu(a)
  await menu.getByRole('menuitem', { name: 'Create Channel' }).click()
  const channelDialog = a.getByRole('dialog', { name: 'Create Channel' })
  await channelDialog.getByLabel('Channel Name').fill('random')
  const createdChannel = nextResponse(a, 'POST', /\/channels$/)
  await channelDialog.getByRole('button', { name: 'Create Channel' }).click()
  const random = await (await createdChannel).json()
  await a.waitForURL((url) => url.pathname === `/app/${guild.id}/${random.id}`)

  menu = await openServerMenu(a)
  await menu.getByRole('menuitem', { name: 'Invite People' }).click()
  const inviteDialog = a.getByRole('dialog', { name: `Invite friends to ${name}` })
  await a.waitForFunction(() => document.querySelector('[data-testid="invite-link"]')?.value?.includes('/invite/'))
  const link = await inviteDialog.getByTestId('invite-link').inputValue()
  await inviteDialog.getByRole('button', { name: 'Done' }).click()

  await b.goto(link)
  await b.getByTestId('accept-invite').click()
  await b.waitForURL((url) => url.pathname.startsWith(`/app/${guild.id}/`))
  return { guild, random }
}

function memberItem(page, name) {
  return page.locator('[data-testid="member-item"]').filter({ hasText: name })
}

async function waitForStatus(locator, status) {
  await locator.and(locator.page().locator(`[data-status="${status}"]`)).waitFor()
}

async function send(page, text) {
  const composer = page.locator('#message-composer')
  await composer.click()
  await composer.fill(text)
  await composer.press('Enter')
}

describe('Hearth home, presence and unread', () => {
  it('shows presence in the member list and unread badges that clear once read', { timeout: TEST_TIMEOUT_MS * 4 }, async () => {
    const ada = newAccount('Ada')
    const bob = newAccount('Bob')
    const a = await openPage()
    const b = await openPage()
    try {
      await register(a.page, ada)
      await register(b.page, bob)
      const serverName = `Social ${ada.username.slice(-4)}`
      const { guild, random } = await shareServer(a.page, b.page, serverName)

      // --- presence: each sees the other online; A's Do Not Disturb and custom status reach B --
      const bobOnA = memberItem(a.page, bob.displayName)
      const adaOnB = memberItem(b.page, ada.displayName)
      await waitForStatus(bobOnA, 'online')
      await waitForStatus(adaOnB, 'online')
      await a.page.getByTestId('user-panel-status').click()
      await a.page.getByTestId('status-menu').waitFor()
      await parkPointer(a.page)
      await screenshot(a.page, 'social-status-menu.png')
      await a.page.getByTestId('status-dnd').click()
      await waitForStatus(adaOnB, 'dnd')
      assert.equal(await adaOnB.locator('.ui-avatar__status--dnd').count(), 1, 'B sees the red dot')
      // The choice outlives a reload.
      await a.page.reload()
      await a.page.locator('[data-testid="gateway-status"][data-state="connected"]').waitFor({ state: 'attached' })
      assert.equal(await a.page.getByTestId('user-panel-status').locator('.ui-avatar__status--dnd').count(), 1)
      await a.page.getByTestId('user-panel-status').click()
      await a.page.getByTestId('status-custom').click()
      const customDialog = a.page.getByTestId('custom-status-dialog')
      await customDialog.getByLabel(/What's cooking/).fill('Reading Dune')
      await customDialog.getByRole('button', { name: 'Save' }).click()
      await adaOnB.getByText('Reading Dune').waitFor()
      await waitForStatus(adaOnB, 'dnd')
      await parkPointer(b.page)
      await screenshot(b.page, 'social-member-list-presence.png')
      // The profile from the member list shows the same.
      await adaOnB.getByRole('button').first().click()
      const profile = b.page.getByTestId('profile-popover')
      await profile.waitFor()
      assert.equal((await profile.getByTestId('profile-custom-status').innerText()).trim(), 'Reading Dune')
      await screenshot(b.page, 'social-profile-popover.png')
      await b.page.keyboard.press('Escape')
      await profile.waitFor({ state: 'hidden' })

      // --- unread: A mentions B in #random while B is at home ---------------------------------
      const bobId = await bobOnA.getAttribute('data-user-id')
      await rail(b.page).getByRole('link', { name: 'Home' }).click()
      await b.page.waitForURL((url) => url.pathname === '/channels/@me')
      await send(a.page, `Look at this, <@${bobId}>`)
      await a.page.locator('[data-testid="message-content"]').filter({ hasText: 'Look at this' }).waitFor()
      const serverIcon = rail(b.page).locator('.rail-item').filter({ has: b.page.getByRole('link', { name: serverName }) })
      await serverIcon.getByTestId('rail-badge').waitFor()
      assert.equal((await serverIcon.getByTestId('rail-badge').innerText()).trim(), '1')
      assert.match(await serverIcon.getAttribute('class'), /rail-item--unread/)
      assert.match(await b.page.title(), /^\(1\) /, 'the mention count is in the title')
      await parkPointer(b.page)
      await screenshot(b.page, 'social-rail-unread.png')

      // B opens the server (at #general): #random is bold with its badge.
      await rail(b.page).getByRole('link', { name: serverName }).click()
      await b.page.waitForURL((url) => url.pathname.startsWith(`/app/${guild.id}/`) && !url.pathname.endsWith(random.id))
      const randomItem = b.page.locator('[data-testid="channel-item"]').filter({ hasText: 'random' })
      await randomItem.and(b.page.locator('[data-unread="true"]')).waitFor()
      assert.equal((await randomItem.locator('.ui-badge').innerText()).trim(), '1')
      await parkPointer(b.page)
      await screenshot(b.page, 'social-channel-unread.png')
      // Opening it reads it (the view acks once the newest message is on screen): the bold, the
      // badges and the title count go.
      const acked = nextResponse(b.page, 'POST', new RegExp(`/channels/${random.id}/messages/\\d+/ack$`))
      await randomItem.getByRole('link').click()
      await b.page.locator('[data-testid="message-content"]').filter({ hasText: 'Look at this' }).waitFor()
      await acked
      await b.page.getByRole('navigation', { name: 'Channels' }).getByRole('link', { name: 'general', exact: true }).click()
      await b.page.waitForURL((url) => !url.pathname.endsWith(random.id))
      assert.equal(await b.page.locator('[data-testid="channel-item"][data-unread="true"]').count(), 0)
      assert.equal(await b.page.locator('[data-testid="channel-item"] .ui-badge').count(), 0)
      await rail(b.page).getByRole('link', { name: 'Home' }).click()
      await b.page.waitForURL((url) => url.pathname === '/channels/@me')
      assert.equal(await serverIcon.getByTestId('rail-badge').count(), 0)
      assert.doesNotMatch(await serverIcon.getAttribute('class'), /rail-item--unread/)
      assert.doesNotMatch(await b.page.title(), /^\(/)

      assertClean(a.problems)
      assertClean(b.problems)
    } finally {
      await a.context.close()
      await b.context.close()
    }
  })

  it('adds friends, opens a DM and a group DM, live', { timeout: TEST_TIMEOUT_MS * 5 }, async () => {
    const ada = newAccount('Ada')
    const bob = newAccount('Bob')
    const cat = newAccount('Cat')
    const a = await openPage()
    const b = await openPage()
    const c = await openPage()
    try {
      await register(a.page, ada)
      await register(b.page, bob)
      await register(c.page, cat)
      await parkPointer(a.page)
      await screenshot(a.page, 'social-friends-empty.png')

      // --- A adds B and C by username ----------------------------------------------------------
      await a.page.getByTestId('friends-tab-add').click()
      for (const friend of [bob, cat]) {
        await a.page.getByLabel('Username').fill(friend.username)
        await a.page.getByRole('button', { name: 'Send Friend Request' }).click()
        await a.page.getByText(`Success! Your friend request to ${friend.username} was sent.`).waitFor()
      }
      await screenshot(a.page, 'social-add-friend.png')
      await a.page.getByLabel('Username').fill(ada.username)
      await a.page.getByRole('button', { name: 'Send Friend Request' }).click()
      await a.page.locator('.add-friend__error').waitFor()

      // --- B and C see the request (Home badge, Pending) and accept -----------------------------
      for (const page of [b.page, c.page]) {
        const homeBadge = rail(page).locator('.rail-item--home').first().getByTestId('rail-badge')
        await homeBadge.waitFor()
        assert.equal((await homeBadge.innerText()).trim(), '1')
        await page.getByTestId('friends-tab-pending').click()
        const row = page.locator('[data-testid="friend-row"]').filter({ hasText: ada.displayName })
        await row.getByText('Incoming Friend Request').waitFor()
        if (page === b.page) {
          await parkPointer(page)
          await screenshot(page, 'social-pending.png')
        }
        await row.getByTestId('friend-accept').click()
        await page.getByTestId('friends-empty').waitFor()
        await homeBadge.waitFor({ state: 'detached' })
      }

      // --- A: both are friends; a DM with B ------------------------------------------------------
      // (All, not Online: hearthd sends a new friend's presence only when it next changes.)
      await a.page.getByTestId('friends-tab-all').click()
      const bobRow = a.page.locator('[data-testid="friend-row"]').filter({ hasText: bob.displayName })
      await bobRow.waitFor()
      await a.page.locator('[data-testid="friend-row"]').filter({ hasText: cat.displayName }).waitFor()
      await parkPointer(a.page)
      await screenshot(a.page, 'social-friends-all.png')
      await bobRow.getByTestId('friend-message').click()
      await a.page.waitForURL((url) => url.pathname.startsWith('/channels/@me/'))
      const dmId = a.page.url().split('/').pop()
      await send(a.page, 'Hello Bob, this is a DM')
      // B: the DM arrives unread, on the rail and bold in the list.
      const bobDm = b.page.locator(`[data-testid="dm-item"][data-channel-id="${dmId}"]`)
      await bobDm.waitFor()
      await rail(b.page).getByTestId('rail-dm').waitFor()
      assert.match(await bobDm.getAttribute('class'), /dm-item--unread/)
      await parkPointer(b.page)
      await screenshot(b.page, 'social-dm-unread.png')
      await bobDm.getByRole('link').click()
      await b.page.locator('[data-testid="message-content"]').filter({ hasText: 'Hello Bob, this is a DM' }).waitFor()
      await send(b.page, 'Hi Ada!')
      await a.page.locator('[data-testid="message-content"]').filter({ hasText: 'Hi Ada!' }).waitFor()
      await rail(b.page).getByTestId('rail-dm').waitFor({ state: 'detached' })
      await parkPointer(a.page)
      await screenshot(a.page, 'social-dm.png')

      // --- presence in the DM list and the header: B goes Do Not Disturb ------------------------
      await b.page.getByTestId('user-panel-status').click()
      await b.page.getByTestId('status-dnd').click()
      await a.page.locator(`[data-testid="dm-item"][data-channel-id="${dmId}"] .ui-avatar__status--dnd`).waitFor()
      assert.equal((await a.page.getByTestId('dm-header-status').innerText()).trim(), 'Do Not Disturb')

      // --- A: a group DM with B and C, renamed; B sees it; C leaves -----------------------------
      await a.page.getByTestId('create-dm').click()
      const picker = a.page.getByTestId('dm-create-dialog')
      await picker.getByRole('checkbox', { name: bob.displayName }).check()
      await picker.getByRole('checkbox', { name: cat.displayName }).check()
      await parkPointer(a.page)
      await screenshot(a.page, 'social-create-group.png')
      const createdGroup = nextResponse(a.page, 'POST', /^\/api\/v1\/users\/@me\/channels$/)
      await picker.getByRole('button', { name: 'Create Group DM' }).click()
      const group = await (await createdGroup).json()
      assert.equal(group.type, 3)
      await a.page.waitForURL((url) => url.pathname === `/channels/@me/${group.id}`)
      const renamed = nextResponse(a.page, 'PATCH', new RegExp(`/channels/${group.id}$`))
      await a.page.getByTestId('dm-group-name').fill('Readers')
      await a.page.getByTestId('dm-group-name').press('Enter')
      assert.equal((await renamed).status(), 200)
      await send(a.page, 'Welcome to the group')
      const bobGroup = b.page.locator(`[data-testid="dm-item"][data-channel-id="${group.id}"]`)
      await bobGroup.getByText('Readers').waitFor()
      await bobGroup.getByText('3 Members').waitFor()
      await a.page.locator('[data-testid="dm-member"]').nth(2).waitFor()
      await parkPointer(a.page)
      await screenshot(a.page, 'social-group-dm.png')

      await c.page.locator(`[data-testid="dm-item"][data-channel-id="${group.id}"]`).hover()
      await c.page.locator(`[data-testid="dm-item"][data-channel-id="${group.id}"]`).getByTestId('dm-close').click()
      const leave = c.page.getByTestId('leave-group-dialog')
      await leave.waitFor()
      await screenshot(c.page, 'social-leave-group.png')
      await leave.getByRole('button', { name: 'Leave Group' }).click()
      await c.page.locator(`[data-testid="dm-item"][data-channel-id="${group.id}"]`).waitFor({ state: 'detached' })
      await bobGroup.getByText('2 Members').waitFor()
      assert.equal(await a.page.locator('[data-testid="dm-member"]').count(), 2)

      // A's request to herself answered 400, on purpose.
      assertClean(a.problems, { allowConsole: [/status of 400 .*\/users\/@me\/relationships$/] })
      assertClean(b.problems)
      assertClean(c.problems)
    } finally {
      await a.context.close()
      await b.context.close()
      await c.context.close()
    }
  })
})
