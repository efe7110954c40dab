import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { useSessionStore } from '@/stores/session'
import { installFakeApi } from '../support/fake_api'
import { FakeSocket } from '../support/fake_socket'
import { GUILD_ID, guildRoutes } from '../support/guild_fixtures'
import { mountAt, useAppShell } from '../support/app_shell'

function connected(): FakeSocket {
  const socket = FakeSocket.latest()
  socket.open()
  socket.hello(60_000)
  return socket
}

useAppShell()

describe('AppView live updates', () => {
  it('identifies with the session token after HELLO', async () => {
    installFakeApi(guildRoutes())
    const { wrapper } = await mountAt(`/app/${GUILD_ID}/11`)
    const socket = connected()
    expect(socket.sent[0]).toMatchObject({ op: 2, d: { token: 'token' } })
    wrapper.unmount()
  })

  it('shows a channel created elsewhere without reloading', async () => {
    installFakeApi(guildRoutes())
    const { wrapper } = await mountAt(`/app/${GUILD_ID}/11`)
    const socket = connected()
    socket.receive({ op: 0, t: 'CHANNEL_CREATE', s: 2, d: { id: '14', type: 0, name: 'news', position: 5, parent_id: '10', guild_id: GUILD_ID } })
    await flushPromises()
    expect(wrapper.find('nav[aria-label="Channels"]').findAll('a').map((link) => link.text())).toContain('news')
    wrapper.unmount()
  })

  it('goes home with a notice when the open server is taken away', async () => {
    installFakeApi(guildRoutes())
    const { wrapper, router } = await mountAt(`/app/${GUILD_ID}/11`)
    const socket = connected()
    socket.receive({ op: 0, t: 'GUILD_DELETE', s: 2, d: { id: GUILD_ID } })
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/app')
    expect(wrapper.find('[data-testid="access-notice"]').text()).toContain('You no longer have access to Book Club')
    expect(wrapper.find('nav[aria-label="Servers"]').find('[aria-label="Book Club"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('connects again when the user signs out, and then sends no IDENTIFY', async () => {
    installFakeApi(guildRoutes())
    const { wrapper } = await mountAt(`/app/${GUILD_ID}/11`)
    const first = connected()
    useSessionStore().clear(null)
    await flushPromises()
    expect(first.closedWith).not.toBeNull()
    const second = FakeSocket.latest()
    expect(second).not.toBe(first)
    second.open()
    second.hello(60_000)
    expect(second.sent).toEqual([])
    wrapper.unmount()
  })
})
