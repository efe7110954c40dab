import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import FriendsPage from '@/components/friends/FriendsPage.vue'
import HomeSidebar from '@/components/home/HomeSidebar.vue'
import DmCreateDialog from '@/components/dm/DmCreateDialog.vue'
import { RelationshipType } from '@/models/relationship'
import { useDmDialogsStore } from '@/stores/dm_dialogs'
import { useDmsStore } from '@/stores/dms'
import { useRelationshipsStore } from '@/stores/relationships'
import { signInAda } from './account_dialogs_support'
import { fillSocialStores, mountAt } from './social_support'
import { installFakeApi, jsonResponse } from '../support/fake_api'
import { BOB, CAROL, DAVE, dm, relationship } from '../support/social_fixtures'

beforeEach(() => {
  localStorage.clear()
  signInAda()
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const rowNames = (wrapper: Awaited<ReturnType<typeof mountAt>>['wrapper']) =>
  wrapper.findAll('[data-testid="friend-row"] .friend-row__name').map((name) => name.text())

describe('FriendsPage', () => {
  it('lists each tab with its count, what each person is up to, and a friendly empty state', async () => {
    fillSocialStores()
    const { wrapper, router } = await mountAt(FriendsPage)
    expect(wrapper.find('[data-testid="friends-heading"]').text()).toBe('Online — 1')
    expect(rowNames(wrapper)).toEqual(['Bob Builder'])
    expect(wrapper.find('.friend-row__subtitle').text()).toBe('Building')
    // The pending badge counts incoming requests only.
    expect(wrapper.find('[data-testid="friends-tab-pending"] .ui-badge').text()).toBe('1')

    await wrapper.find('[data-testid="friends-tab-pending"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.query.tab).toBe('pending')
    expect(rowNames(wrapper)).toEqual(['carol', 'Dave'])
    expect(wrapper.findAll('.friend-row__subtitle').map((line) => line.text())).toEqual([
      'Incoming Friend Request',
      'Outgoing Friend Request',
    ])

    await wrapper.find('[data-testid="friends-tab-blocked"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="friends-empty"]').text()).toContain("You haven't blocked anyone")
  })

  it('searches by name or username', async () => {
    fillSocialStores()
    useRelationshipsStore().applyAdd(relationship(DAVE, RelationshipType.Friend))
    const { wrapper } = await mountAt(FriendsPage, '/channels/@me?tab=all')
    expect(rowNames(wrapper)).toEqual(['Bob Builder', 'Dave'])
    await wrapper.find('input[type="search"]').setValue('dav')
    expect(rowNames(wrapper)).toEqual(['Dave'])
    await wrapper.find('input[type="search"]').setValue('zzz')
    expect(wrapper.text()).toContain('No one matches that')
  })

  it('accepts and ignores requests, and puts one back with the reason when the server refuses', async () => {
    fillSocialStores()
    const api = installFakeApi({
      [`PUT /users/@me/relationships/${CAROL.id}`]: jsonResponse(204),
      [`DELETE /users/@me/relationships/${DAVE.id}`]: jsonResponse(500, { code: 0, message: 'The server had a problem.' }),
    })
    const { wrapper } = await mountAt(FriendsPage, '/channels/@me?tab=pending')
    await wrapper.find(`[data-user-id="${CAROL.id}"] [data-testid="friend-accept"]`).trigger('click')
    await flushPromises()
    expect(api.calls(`PUT /users/@me/relationships/${CAROL.id}`)).toHaveLength(1)
    expect(useRelationshipsStore().isFriend(CAROL.id)).toBe(true)
    await wrapper.find(`[data-user-id="${DAVE.id}"] [data-testid="friend-cancel"]`).trigger('click')
    await flushPromises()
    expect(wrapper.find('[role="alert"]').text()).toBe('The server had a problem.')
    expect(rowNames(wrapper)).toEqual(['Dave'])
  })

  it('sends a request by username with Discord’s words for success and failure', async () => {
    const api = installFakeApi({
      'POST /users/@me/relationships': (request) =>
        (request.body as { username: string }).username === 'bob'
          ? jsonResponse(204)
          : jsonResponse(404, { code: 10013, message: 'Unknown User' }),
    })
    const { wrapper } = await mountAt(FriendsPage, '/channels/@me?tab=add')
    const send = () => wrapper.find('.add-friend__send')
    expect(send().attributes('disabled')).toBeDefined()
    await wrapper.find('input[aria-label="Username"]').setValue(' bob ')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(api.calls('POST /users/@me/relationships')[0]!.body).toEqual({ username: 'bob' })
    expect(wrapper.find('.add-friend__success').text()).toBe('Success! Your friend request to bob was sent.')
    expect((wrapper.find('input[aria-label="Username"]').element as HTMLInputElement).value).toBe('')

    await wrapper.find('input[aria-label="Username"]').setValue('nobody')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('.add-friend__error').text()).toBe("Hm, didn't work. Double check that the username is correct.")
    expect(wrapper.find('.add-friend__box--error').exists()).toBe(true)

    // A friend already: said at once, nothing sent.
    useRelationshipsStore().applyReady([relationship(BOB, RelationshipType.Friend)])
    await wrapper.find('input[aria-label="Username"]').setValue('BOB')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('.add-friend__error').text()).toBe("You're already friends with that user!")
    expect(api.calls('POST /users/@me/relationships')).toHaveLength(2)
  })

  it('opens the DM with a friend from the row, creating it on the server the first time', async () => {
    fillSocialStores()
    useDmsStore().applyReady([])
    const api = installFakeApi({ 'POST /users/@me/channels': jsonResponse(200, dm('3000', BOB)) })
    const { wrapper, router } = await mountAt(FriendsPage)
    await wrapper.find(`[data-user-id="${BOB.id}"] [data-testid="friend-message"]`).trigger('click')
    await flushPromises()
    expect(api.calls('POST /users/@me/channels')[0]!.body).toEqual({ recipient_id: BOB.id })
    expect(router.currentRoute.value.fullPath).toBe('/channels/@me/3000')
  })
})

describe('HomeSidebar', () => {
  it('lists DMs newest first: unread bold with its mention badge, a group with its member count', async () => {
    fillSocialStores()
    const { wrapper } = await mountAt(HomeSidebar)
    const items = wrapper.findAll('[data-testid="dm-item"]')
    expect(items.map((item) => item.find('.dm-item__name').text())).toEqual(['Bob Builder', 'Readers'])
    expect(items[0]!.classes()).toContain('dm-item--unread')
    expect(items[0]!.find('.ui-badge').text()).toBe('2')
    expect(items[0]!.find('.dm-item__subtitle').text()).toBe('Building')
    expect(items[0]!.find('.ui-avatar__status--online').exists()).toBe(true)
    expect(items[1]!.classes()).not.toContain('dm-item--unread')
    expect(items[1]!.find('.dm-item__subtitle').text()).toBe('3 Members')
    expect(wrapper.find('[data-testid="friends-link"] .ui-badge').text()).toBe('1')
  })

  it('shows the open DM as read and selected', async () => {
    fillSocialStores()
    const { wrapper } = await mountAt(HomeSidebar, '/channels/@me/1000')
    const first = wrapper.find('[data-testid="dm-item"]')
    expect(first.classes()).toContain('dm-item--active')
    expect(first.classes()).not.toContain('dm-item--unread')
    expect(first.find('.ui-badge').exists()).toBe(false)
    expect(wrapper.find('[data-testid="friends-link"]').attributes('aria-current')).toBeUndefined()
  })

  it('closes a DM at once, and asks before leaving a group', async () => {
    fillSocialStores()
    const api = installFakeApi({ 'DELETE /channels/1000': jsonResponse(200, dm('1000', BOB)) })
    const { wrapper } = await mountAt(HomeSidebar)
    await wrapper.find('[data-channel-id="1000"] [data-testid="dm-close"]').trigger('click')
    await flushPromises()
    expect(api.calls('DELETE /channels/1000')).toHaveLength(1)
    expect(wrapper.findAll('[data-testid="dm-item"]')).toHaveLength(1)
    await wrapper.find('[data-channel-id="2000"] [data-testid="dm-close"]').trigger('click')
    expect(useDmDialogsStore().current).toEqual({ kind: 'leave-group', channelId: '2000' })
    expect(api.calls('DELETE /channels/2000')).toHaveLength(0)
  })
})

describe('DmCreateDialog', () => {
  it('offers friends not yet in the conversation, up to the group’s places, and hands back the picks', async () => {
    fillSocialStores()
    useRelationshipsStore().applyAdd(relationship(CAROL, RelationshipType.Friend))
    useRelationshipsStore().applyAdd(relationship(DAVE, RelationshipType.Friend))
    const { wrapper } = await mountAt(DmCreateDialog, '/channels/@me', { open: true, exclude: [CAROL.id], capacity: 1 })
    const boxes = () => wrapper.findAll('[data-testid="dm-create-friend"]')
    expect(boxes().map((box) => box.attributes('aria-label'))).toEqual(['Bob Builder', 'Dave'])
    expect(wrapper.text()).toContain('You can add 1 more friend.')
    await boxes()[0]!.setValue(true)
    // The last place is taken: the others cannot be picked.
    expect(boxes()[1]!.attributes('disabled')).toBeDefined()
    expect(wrapper.text()).toContain('This group has a 10 member limit.')
    await wrapper.find('form').trigger('submit')
    expect(wrapper.emitted('submit')![0]).toEqual([[BOB]])
  })

  it('says so when there is no one to pick', async () => {
    const { wrapper } = await mountAt(DmCreateDialog, '/channels/@me', { open: true })
    expect(wrapper.text()).toContain("You don't have any friends to add!")
    await wrapper.find('.dm-create__add-friend').trigger('click')
    expect(wrapper.emitted('addFriend')).toHaveLength(1)
  })
})
