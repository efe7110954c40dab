// End-to-end test of servers in the web client against a running hearthd: two users in two
// browser contexts. A creates a server, a role, a private channel only that role sees, and an
// invite; B joins through the invite page and sees #general but not #staff; A gives B the role
// from the member menu (B sees #staff appear live), times B out and kicks B, after which B no
// longer has the server.
//
//   HEARTH_URL=http://127.0.0.1:8080 node --test tests/e2e/servers.e2e.test.mjs
//
// HEARTH_URL is required. Screenshots go to HEARTH_SCREENSHOT_DIR (default
// tests/e2e/screenshots). Users are registered through the UI with random names.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { solidPng } from '../support/images.mjs'
import { describe, it } from 'node:test'
import { BASE_URL, DESKTOP, PHONE, TEST_TIMEOUT_MS, assertClean, openPage, screenshot, useBrowser } from './browser.mjs'

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
}

/** Resolves with the next answer to `method` on a path matching `pattern`. */
function nextResponse(page, method, pattern) {
  return page.waitForResponse(
    (response) => response.request().method() === method && pattern.test(new URL(response.url()).pathname),
  )
}

function channelLinks(page) {
  return page.getByRole('navigation', { name: 'Channels' }).getByRole('link')
}

async function channelNames(page) {
  return (await channelLinks(page).allInnerTexts()).map((text) => text.trim())
}

async function openServerMenu(page) {
  await page.getByTestId('server-menu-button').click()
  const menu = page.getByRole('menu')
  await menu.waitFor()
  return menu
}

async function openMemberMenu(page, userId) {
  const item = page.locator(`[data-testid="member-item"][data-user-id="${userId}"]`)
  await item.waitFor()
  await item.click({ button: 'right' })
  const menu = page.getByTestId('member-menu')
  await menu.waitFor()
  return menu
}

/** Moves the pointer out of the way so no hover state lands in a screenshot. */
async function parkPointer(page) {
  await page.mouse.move(DESKTOP.width - 5, DESKTOP.height - 5)
}

describe('Hearth servers', () => {
  it('creates a server with a private channel, invites, grants a role, times out and kicks', { timeout: TEST_TIMEOUT_MS * 5 }, async () => {
    const ada = newAccount('Ada')
    const bob = newAccount('Bob')
    const serverName = `Book Club ${ada.username.slice(-4)}`
    const a = await openPage()
    const b = await openPage()
    const guest = await openPage()
    try {
      // --- A: a server, with an icon ---------------------------------------------------------
      await register(a.page, ada)
      await a.page.getByRole('navigation', { name: 'Servers' }).getByRole('button', { name: 'Add a Server' }).click()
      const create = a.page.getByRole('dialog', { name: 'Customize your server' })
      await create.waitFor()
      assert.equal(await create.getByLabel('Server Name').inputValue(), `${ada.displayName}'s server`)
      await create.getByLabel('Server Name').fill(serverName)
      await create.getByTestId('server-icon-input').setInputFiles({ name: 'icon.png', mimeType: 'image/png', buffer: solidPng(64, [88, 101, 242]) })
      await create.locator('.icon-picker__image').waitFor()
      await parkPointer(a.page)
      await screenshot(a.page, 'servers-create-dialog.png')
      // A name that is too short is refused before any request, under its field.
      await create.getByLabel('Server Name').fill('B')
      await create.getByRole('button', { name: 'Create' }).click()
      await create.locator('.ui-input__error').waitFor()
      await create.getByLabel('Server Name').fill(serverName)
      const created = nextResponse(a.page, 'POST', /^\/api\/v1\/guilds$/)
      await create.getByRole('button', { name: 'Create' }).click()
      const createdResponse = await created
      assert.equal(createdResponse.status(), 201)
      const guild = await createdResponse.json()
      assert.ok(guild.icon, 'the icon was stored')
      await a.page.waitForURL((url) => url.pathname.startsWith(`/app/${guild.id}/`))
      await a.page.getByRole('heading', { name: 'Welcome to #general!' }).waitFor()
      const railItem = a.page.getByRole('navigation', { name: 'Servers' }).getByRole('link', { name: serverName })
      await railItem.waitFor()
      assert.equal(await railItem.locator('img').count(), 1, 'the rail shows the icon')
      assert.deepEqual(await channelNames(a.page), ['general', 'General'])
      await parkPointer(a.page)
      await screenshot(a.page, 'servers-rail.png')

      // --- A: a hoisted "Staff" role ---------------------------------------------------------
      let menu = await openServerMenu(a.page)
      assert.deepEqual(
        (await menu.getByRole('menuitem').allInnerTexts()).map((text) => text.trim()),
        ['Invite People', 'Server Settings', 'Notification Settings', 'Create Channel', 'Create Category'],
        'the owner can do everything but leave',
      )
      await menu.getByRole('menuitem', { name: 'Server Settings' }).click()
      const settings = a.page.getByRole('dialog', { name: 'Server Settings' })
      await settings.waitFor()
      await settings.getByRole('button', { name: 'Roles' }).click()
      const createdRole = nextResponse(a.page, 'POST', /\/roles$/)
      await settings.getByTestId('create-role').click()
      const role = await (await createdRole).json()
      await settings.getByLabel('Role Name').fill('Staff')
      await settings.getByRole('button', { name: 'Colour #3498db' }).click()
      await settings.getByRole('switch', { name: 'Display role members separately from online members' }).click()
      const savedRole = nextResponse(a.page, 'PATCH', new RegExp(`/roles/${role.id}$`))
      await settings.getByTestId('save-role').click()
      assert.equal((await savedRole).status(), 200)
      await settings.getByTestId('role-Staff').waitFor()
      await settings.getByTestId('role-permissions-tab').click()
      await parkPointer(a.page)
      await screenshot(a.page, 'servers-settings-roles.png')
      await settings.getByRole('button', { name: 'Close server settings' }).click()
      await settings.waitFor({ state: 'hidden' })

      // --- A: #staff, private to Staff ------------------------------------------------------
      menu = await openServerMenu(a.page)
      await menu.getByRole('menuitem', { name: 'Create Channel' }).click()
      const channelDialog = a.page.getByRole('dialog', { name: 'Create Channel' })
      await channelDialog.waitFor()
      await channelDialog.getByLabel('Channel Name').fill('Staff Room')
      await channelDialog.getByText('Will be shown as').waitFor()
      await channelDialog.getByRole('tab', { name: 'Permissions' }).click()
      await channelDialog.getByRole('switch', { name: 'Private Channel' }).click()
      await channelDialog.getByRole('checkbox', { name: 'Staff' }).check()
      // The editor shows @everyone denied View Channels.
      await channelDialog.getByTestId(`overwrite-target-${guild.id}`).click()
      assert.equal(await channelDialog.getByTestId('overwrite-row-VIEW_CHANNEL').getAttribute('data-state'), 'deny')
      await parkPointer(a.page)
      await screenshot(a.page, 'servers-channel-permissions.png')
      const createdChannel = nextResponse(a.page, 'POST', /\/channels$/)
      await channelDialog.getByRole('button', { name: 'Create Channel' }).click()
      const staffResponse = await createdChannel
      assert.equal(staffResponse.status(), 201)
      const staff = await staffResponse.json()
      assert.equal(staff.name, 'staff-room')
      const overwrites = Object.fromEntries(staff.permission_overwrites.map((overwrite) => [overwrite.id, overwrite]))
      assert.equal(overwrites[guild.id].deny, '1024')
      assert.equal(overwrites[role.id].allow, '1024')
      await a.page.waitForURL((url) => url.pathname === `/app/${guild.id}/${staff.id}`)
      assert.deepEqual(await channelNames(a.page), ['general', 'staff-room', 'General'])

      // --- A: an invite ----------------------------------------------------------------------
      await channelLinks(a.page).filter({ hasText: 'general' }).first().click()
      menu = await openServerMenu(a.page)
      await menu.getByRole('menuitem', { name: 'Invite People' }).click()
      const inviteDialog = a.page.getByRole('dialog', { name: `Invite friends to ${serverName}` })
      await inviteDialog.waitFor()
      const linkField = inviteDialog.getByTestId('invite-link')
      await a.page.waitForFunction(() => document.querySelector('[data-testid="invite-link"]')?.value?.includes('/invite/'))
      const link = await linkField.inputValue()
      assert.match(link, new RegExp(`^${BASE_URL}/invite/[A-Za-z0-9]+$`))
      const code = link.split('/').pop()
      await parkPointer(a.page)
      await screenshot(a.page, 'servers-invite-dialog.png')
      await inviteDialog.getByRole('button', { name: 'Done' }).click()
      await inviteDialog.waitFor({ state: 'hidden' })

      // --- a guest sees the preview and is sent to sign in, coming back ----------------------
      await guest.page.goto(`${BASE_URL}/invite/${code}`)
      await guest.page.getByTestId('invite-guild-name').waitFor()
      await guest.page.getByTestId('invite-sign-in').click()
      await guest.page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('redirect') === `/invite/${code}`)
      await guest.page.goto(`${BASE_URL}/invite/not${code}`)
      await guest.page.getByTestId('invite-invalid').waitFor()

      // --- B: joins through the invite page -------------------------------------------------
      await register(b.page, bob)
      await b.page.goto(link)
      await b.page.getByTestId('invite-guild-name').waitFor()
      assert.equal((await b.page.getByTestId('invite-guild-name').innerText()).trim(), serverName)
      assert.equal((await b.page.getByTestId('invite-member-count').innerText()).trim(), '1 Member')
      await screenshot(b.page, 'servers-invite-preview.png')
      const joined = nextResponse(b.page, 'POST', /^\/api\/v1\/invites\//)
      await b.page.getByTestId('accept-invite').click()
      assert.equal((await joined).status(), 200)
      await b.page.waitForURL((url) => url.pathname.startsWith(`/app/${guild.id}/`))
      await b.page.getByRole('heading', { name: 'Welcome to #general!' }).waitFor()
      assert.deepEqual(await channelNames(b.page), ['general', 'General'], 'B does not see #staff-room')
      // A sees B after a reload (live updates come with the gateway); B's id from A's member list.
      await a.page.reload()
      const bobItem = a.page.locator('[data-testid="member-item"]').filter({ hasText: bob.displayName })
      await bobItem.waitFor()
      const bobUserId = await bobItem.getAttribute('data-user-id')
      // B's own menu has nothing for B to do to A (the owner).
      const adaItem = b.page.locator('[data-testid="member-item"]').filter({ hasText: ada.displayName })
      await adaItem.waitFor()
      assert.equal(await adaItem.getByTestId('member-more').count(), 0)
      // B cannot manage anything: only Invite People, their own Notification Settings and Leave Server.
      menu = await openServerMenu(b.page)
      assert.deepEqual((await menu.getByRole('menuitem').allInnerTexts()).map((text) => text.trim()), ['Invite People', 'Notification Settings', 'Leave Server'])
      await b.page.keyboard.press('Escape')

      // --- A: gives B the Staff role from the member menu -----------------------------------
      menu = await openMemberMenu(a.page, bobUserId)
      const staffBox = menu.getByRole('menuitemcheckbox', { name: 'Staff' })
      assert.equal(await staffBox.getAttribute('aria-checked'), 'false')
      await parkPointer(a.page)
      await screenshot(a.page, 'servers-member-menu.png')
      const granted = nextResponse(a.page, 'PUT', new RegExp(`/members/${bobUserId}/roles/${role.id}$`))
      await staffBox.click()
      assert.equal((await granted).status(), 204)
      await menu.locator('[role="menuitemcheckbox"][aria-checked="true"]', { hasText: 'Staff' }).waitFor()
      await a.page.keyboard.press('Escape')
      await menu.waitFor({ state: 'hidden' })
      // Hoisted: B is now listed under Staff.
      await a.page.getByRole('region', { name: 'Staff' }).getByText(bob.displayName).waitFor()

      // B's client sees #staff-room appear without a reload (GUILD_MEMBER_UPDATE -> channel refetch).
      await channelLinks(b.page).filter({ hasText: 'staff-room' }).waitFor({ timeout: 10_000 })
      assert.deepEqual(await channelNames(b.page), ['general', 'staff-room', 'General'])

      // --- A: times B out --------------------------------------------------------------------
      menu = await openMemberMenu(a.page, bobUserId)
      await menu.getByRole('menuitem', { name: /^Timeout / }).click()
      const timeoutDialog = a.page.getByTestId('timeout-dialog')
      await timeoutDialog.waitFor()
      await timeoutDialog.getByText('5 minutes').click()
      await timeoutDialog.getByLabel('Reason').fill('Cooling off')
      const timedOut = nextResponse(a.page, 'PATCH', new RegExp(`/members/${bobUserId}$`))
      await timeoutDialog.getByRole('button', { name: 'Timeout', exact: true }).click()
      const timedOutResponse = await timedOut
      assert.equal(timedOutResponse.status(), 200)
      assert.ok((await timedOutResponse.json()).communication_disabled_until)
      await timeoutDialog.waitFor({ state: 'hidden' })
      await a.page.locator(`[data-testid="member-item"][data-user-id="${bobUserId}"]`).getByText('Timed out').waitFor({ state: 'attached' })

      // --- A: the audit log ------------------------------------------------------------------
      menu = await openServerMenu(a.page)
      await menu.getByRole('menuitem', { name: 'Server Settings' }).click()
      await settings.waitFor()
      await settings.getByRole('button', { name: 'Audit Log' }).click()
      const entries = settings.getByTestId('audit-entry')
      await entries.first().waitFor()
      const actions = await entries.evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-action'))))
      for (const action of [24, 25, 10, 31, 30]) assert.ok(actions.includes(action), `audit action ${action} listed`)
      const timeoutEntry = entries.filter({ hasText: 'timed out' }).first()
      assert.match(await timeoutEntry.innerText(), /Cooling off/)
      await timeoutEntry.getByRole('button', { name: 'Show changes' }).click()
      await parkPointer(a.page)
      await screenshot(a.page, 'servers-audit-log.png')
      // Filtered by action: only role updates of members.
      await settings.getByLabel('Filter by action').selectOption({ label: 'Update Member Roles' })
      await a.page.waitForFunction(() =>
        [...document.querySelectorAll('[data-testid="audit-entry"]')].every((entry) => entry.getAttribute('data-action') === '25'),
      )
      // Members: B with the Staff chip, and the same member menu inside the settings.
      await settings.getByRole('button', { name: 'Members' }).click()
      const bobRow = settings.getByTestId('settings-member').filter({ hasText: bob.displayName })
      await bobRow.getByText('Staff').waitFor()
      await bobRow.getByRole('button', { name: `More actions for ${bob.displayName}` }).click()
      await settings.getByTestId('member-menu').getByRole('menuitem', { name: 'Remove Timeout' }).waitFor()
      await parkPointer(a.page)
      await screenshot(a.page, 'servers-settings-members.png')
      await a.page.keyboard.press('Escape')
      await settings.getByTestId('member-menu').waitFor({ state: 'hidden' })
      await settings.getByRole('button', { name: 'Close server settings' }).click()
      await settings.waitFor({ state: 'hidden' })

      // --- A: kicks B ------------------------------------------------------------------------
      menu = await openMemberMenu(a.page, bobUserId)
      await menu.getByRole('menuitem', { name: /^Kick / }).click()
      const kickDialog = a.page.getByTestId('kick-dialog')
      await kickDialog.waitFor()
      const kicked = nextResponse(a.page, 'DELETE', new RegExp(`/members/${bobUserId}$`))
      await kickDialog.getByRole('button', { name: 'Kick', exact: true }).click()
      assert.equal((await kicked).status(), 204)
      await a.page.locator(`[data-testid="member-item"][data-user-id="${bobUserId}"]`).waitFor({ state: 'detached' })

      // B's client leaves the server without a reload (GUILD_DELETE): home, with a notice.
      await b.page.waitForURL((url) => url.pathname === '/app', { timeout: 10_000 })
      await b.page.getByTestId('access-notice').getByText(`You no longer have access to ${serverName}`).waitFor()
      await b.page.getByRole('navigation', { name: 'Servers' }).getByRole('button', { name: 'Add a Server' }).waitFor()
      assert.equal(await b.page.getByRole('navigation', { name: 'Servers' }).getByRole('link', { name: serverName }).count(), 0)
      await b.page.goto(`${BASE_URL}/app/${guild.id}/${staff.id}`)
      await b.page.getByText('This channel is not available').waitFor()

      // --- A on a phone ----------------------------------------------------------------------
      await a.page.setViewportSize(PHONE)
      await a.page.goto(`${BASE_URL}/app/${guild.id}/${staff.id}`)
      await a.page.getByRole('heading', { name: 'Welcome to #staff-room!' }).waitFor()
      await a.page.getByTestId('open-navigation').click()
      await a.page.getByTestId('server-menu-button').waitFor({ state: 'visible' })
      await a.page.waitForTimeout(300)
      await screenshot(a.page, 'servers-phone.png')
      const overflow = await a.page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth)
      assert.ok(overflow <= 0, 'no sideways scrolling on a phone')
      menu = await openServerMenu(a.page)
      await menu.getByRole('menuitem', { name: 'Server Settings' }).click()
      await settings.waitFor()
      await settings.getByRole('button', { name: 'Roles' }).click()
      await settings.getByTestId('role-Staff').waitFor()
      await screenshot(a.page, 'servers-phone-settings.png')
      await settings.getByRole('button', { name: 'Close server settings' }).click()
      await settings.waitFor({ state: 'hidden' })
      // The channel's permissions on a phone (the navigation drawer is still open).
      await a.page.getByRole('button', { name: 'Edit Channel staff-room' }).click()
      const phoneChannel = a.page.getByTestId('channel-settings-dialog')
      await phoneChannel.getByRole('tab', { name: 'Permissions' }).click()
      await phoneChannel.getByTestId(`overwrite-target-${role.id}`).click()
      await screenshot(a.page, 'servers-phone-channel-permissions.png')
      await a.page.keyboard.press('Escape')
      await phoneChannel.waitFor({ state: 'hidden' })

      // B's joining, the refused short name and the visits after the kick answer 4xx on purpose.
      const expected4xx = [/Failed to load resource: .*status of 4\d\d/]
      assertClean(a.problems, { allowConsole: expected4xx })
      assertClean(b.problems, { allowConsole: expected4xx })
      assertClean(guest.problems, { allowConsole: expected4xx })
    } finally {
      await a.context.close()
      await b.context.close()
      await guest.context.close()
    }
  })
})
