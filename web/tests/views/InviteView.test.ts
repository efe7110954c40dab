import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import App from '@/App.vue'
import { resetGatewayForTests } from '@/composables/useGateway'
import { routes } from '@/router'
import { signInAda } from '../components/account_dialogs_support'
import { installFakeApi, jsonResponse } from '../support/fake_api'
import { FakeSocket } from '../support/fake_socket'
import { GUILD_ID, guild, guildRoutes } from '../support/guild_fixtures'

const INVITE = {
  code: 'AbC123',
  guild: { id: GUILD_ID, name: 'Book Club', icon: null, description: 'We read.' },
  channel: { id: '11', name: 'general', type: 0 },
  inviter: { id: '1', username: 'mo', global_name: 'Mo', avatar: null },
  approximate_member_count: 3,
  expires_at: null,
  max_age: 0,
  max_uses: 0,
  uses: 0,
}

async function mountAt(path: string) {
  const router = createRouter({ history: createMemoryHistory(), routes })
  await router.push(path)
  const wrapper = mount(App, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, router }
}

afterEach(() => {
  resetGatewayForTests()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('InviteView', () => {
  it('previews the invite and joins, then opens the server at the invite’s channel', async () => {
    signInAda()
    vi.stubGlobal('WebSocket', FakeSocket)
    const api = installFakeApi({
      'GET /invites/AbC123': jsonResponse(200, INVITE),
      'GET /users/@me/guilds': jsonResponse(200, []),
      'POST /invites/AbC123': jsonResponse(200, guild('1')),
    })
    const { wrapper, router } = await mountAt('/invite/AbC123')
    expect(wrapper.find('[data-testid="invite-guild-name"]').text()).toBe('Book Club')
    expect(wrapper.find('[data-testid="invite-member-count"]').text()).toBe('3 Members')
    expect(wrapper.text()).toContain('Mo invited you to join')

    installFakeApi({ ...guildRoutes(), 'POST /invites/AbC123': jsonResponse(200, guild('1')) })
    await wrapper.find('[data-testid="accept-invite"]').trigger('click')
    await flushPromises()
    expect(api.calls('GET /invites/AbC123')).toHaveLength(1)
    expect(router.currentRoute.value.fullPath).toBe(`/app/${GUILD_ID}/11`)
    wrapper.unmount()
  })

  it('says an unknown or expired invite is invalid', async () => {
    setActivePinia(createPinia())
    installFakeApi({ 'GET /invites/gone': jsonResponse(404, { code: 10006, message: 'Unknown Invite' }) })
    const { wrapper } = await mountAt('/invite/gone')
    expect(wrapper.find('[data-testid="invite-invalid"]').text()).toBe('Invite Invalid')
    wrapper.unmount()
  })

  it('sends a signed-out visitor to sign in and back here', async () => {
    setActivePinia(createPinia())
    installFakeApi({ 'GET /invites/AbC123': jsonResponse(200, INVITE) })
    const { wrapper } = await mountAt('/invite/AbC123')
    expect(wrapper.find('[data-testid="accept-invite"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="invite-sign-in"]').attributes('href')).toBe('/login?redirect=/invite/AbC123')
    wrapper.unmount()
  })

  it('shows why joining failed (banned)', async () => {
    signInAda()
    installFakeApi({
      'GET /invites/AbC123': jsonResponse(200, INVITE),
      'GET /users/@me/guilds': jsonResponse(200, []),
      'POST /invites/AbC123': jsonResponse(403, { code: 40007, message: 'You are banned from this server' }),
    })
    const { wrapper, router } = await mountAt('/invite/AbC123')
    await wrapper.find('[data-testid="accept-invite"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="form-error"]').text()).toContain('You are banned from this server.')
    expect(router.currentRoute.value.fullPath).toBe('/invite/AbC123')
    wrapper.unmount()
  })
})
