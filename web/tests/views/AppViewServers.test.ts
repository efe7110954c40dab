import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { installFakeApi, jsonResponse } from '../support/fake_api'
import { CHANNELS, GUILD_ID, MEMBERS, guild, guildRoutes } from '../support/guild_fixtures'
import { usePresenceStore } from '@/stores/presence'
import { mountAt, useAppShell } from '../support/app_shell'

const menuItems = () => [...document.querySelectorAll('[role="menu"] [role^="menuitem"]')].map((item) => item.textContent?.trim())

useAppShell()

describe('AppView with servers', () => {
  it('lists the servers, opens a server at its first text channel and groups the members', async () => {
    installFakeApi(guildRoutes())
    const { wrapper, router } = await mountAt(`/app/${GUILD_ID}`)
    expect(router.currentRoute.value.fullPath).toBe(`/app/${GUILD_ID}/11`)
    const rail = wrapper.find('nav[aria-label="Servers"]')
    expect(rail.findAll('[aria-label]').map((item) => item.attributes('aria-label'))).toEqual(['Home', 'Your servers', 'Book Club', 'Add a Server'])
    expect(rail.find('[aria-label="Book Club"]').text()).toBe('BC')

    const channels = wrapper.find('nav[aria-label="Channels"]')
    expect(channels.findAll('a').map((link) => link.text())).toEqual(['general', 'mods', 'Lounge'])
    expect(wrapper.find('[data-testid="channel-start"]').text()).toContain('Welcome to #general!')
    expect(wrapper.find('.channel-header__topic').text()).toBe('Say hi')

    // Nobody else online yet: Ada (online by her own choice) first, everyone else under Offline.
    let groups = wrapper.findAll('.member-list__group')
    expect(groups.map((group) => group.find('h3').text())).toEqual(['Online — 1', 'Offline — 3'])
    // Online members come first, under their hoisted role or "Online", with their dots.
    usePresenceStore().applyReady(
      MEMBERS.filter((member) => member.user.id === '301' || member.user.id === '302').map((member) => ({
        user: { id: member.user.id },
        status: 'dnd',
        activities: [],
      })),
    )
    await flushPromises()
    groups = wrapper.findAll('.member-list__group')
    expect(groups.map((group) => group.find('h3').text())).toEqual(['Moderator — 1', 'Online — 2', 'Offline — 1'])
    const moderator = wrapper.find('.member-list__group').find('[data-testid="member-item"]')
    expect(moderator.attributes('data-status')).toBe('dnd')
    expect(moderator.find('.ui-avatar__status--dnd').exists()).toBe(true)
    wrapper.unmount()
  })

  it('offers the owner the whole server menu and member actions', async () => {
    installFakeApi(guildRoutes())
    const { wrapper } = await mountAt(`/app/${GUILD_ID}/11`)
    await wrapper.find('[data-testid="server-menu-button"]').trigger('click')
    await flushPromises()
    expect(menuItems()).toEqual(['Invite People', 'Server Settings', 'Notification Settings', 'Create Channel', 'Create Category'])
    ;(document.querySelector('[role="menu"]') as HTMLElement).dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    await flushPromises()

    const hal = wrapper.find('[data-testid="member-item"][data-user-id="302"]')
    await hal.find('[data-testid="member-more"]').trigger('click')
    await flushPromises()
    expect(menuItems()).toEqual(['Timeout Hal', 'Kick Hal', 'Ban Hal', 'Moderator', 'Helper', 'Muted'])
    const helper = [...document.querySelectorAll('[role="menuitemcheckbox"]')].find((item) => item.textContent?.includes('Helper'))
    expect(helper?.getAttribute('aria-checked')).toBe('true')
    wrapper.unmount()
  })

  it('gives a plain member only Leave Server (this @everyone may not invite), and no member actions', async () => {
    installFakeApi({
      ...guildRoutes({ guild: guild('999') }),
      'GET /users/@me/guilds': jsonResponse(200, [{ id: GUILD_ID, name: 'Book Club', icon: null, owner: false, permissions: '36949568' }]),
    })
    const { wrapper } = await mountAt(`/app/${GUILD_ID}/11`)
    expect(wrapper.find('nav[aria-label="Channels"]').findAll('a').map((link) => link.text())).toEqual(['general', 'mods', 'Lounge'])
    expect(wrapper.find('[data-testid="member-more"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="edit-channel"]').exists()).toBe(false)
    await wrapper.find('[data-testid="server-menu-button"]').trigger('click')
    await flushPromises()
    expect(menuItems()).toEqual(['Notification Settings', 'Leave Server'])
    wrapper.unmount()
  })

  it('shows a retry when the server cannot be loaded', async () => {
    installFakeApi({ ...guildRoutes(), [`GET /guilds/${GUILD_ID}/channels`]: jsonResponse(500, { code: 0, message: 'Boom' }) })
    const { wrapper } = await mountAt(`/app/${GUILD_ID}`)
    expect(wrapper.find('nav[aria-label="Channels"]').text()).toContain('Channels could not be loaded')
    installFakeApi(guildRoutes())
    const retry = wrapper.find('nav[aria-label="Channels"]').findAll('button').find((button) => button.text() === 'Try again')!
    await retry.trigger('click')
    await flushPromises()
    await flushPromises()
    expect(wrapper.find('nav[aria-label="Channels"]').findAll('a')).toHaveLength(CHANNELS.length - 2)
    wrapper.unmount()
  })
})
