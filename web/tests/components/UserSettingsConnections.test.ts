import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import UserSettingsConnections from '@/components/user/UserSettingsConnections.vue'
import { externalNavigation } from '@/router/external'
import { installFakeApi, jsonResponse } from '../support/fake_api'
import { signInAda } from './account_dialogs_support'

const PROVIDERS = [
  { id: 'github', name: 'GitHub' },
  { id: 'google', name: 'Google' },
]

beforeEach(() => {
  signInAda()
})

afterEach(() => {
  vi.unstubAllGlobals()
})

async function mountConnections(props: { linkedProvider?: string } = {}) {
  const wrapper = mount(UserSettingsConnections, { props })
  await flushPromises()
  return wrapper
}

describe('UserSettingsConnections', () => {
  it('shows the empty state when the server has no providers', async () => {
    installFakeApi({
      'GET /users/@me/connections': jsonResponse(200, []),
      'GET /auth/oauth/providers': jsonResponse(200, []),
    })
    const wrapper = await mountConnections()
    expect(wrapper.find('[data-testid="connections-empty"]').text()).toContain(
      'No sign-in providers are set up on this server.',
    )
    expect(wrapper.find('[data-testid^="link-"]').exists()).toBe(false)
  })

  it('lists linked accounts and offers the providers not linked yet', async () => {
    installFakeApi({
      'GET /users/@me/connections': jsonResponse(200, [
        { type: 'github', id: '583231', name: 'octo-ada', created_at: '2026-03-04T12:00:00Z' },
      ]),
      'GET /auth/oauth/providers': jsonResponse(200, PROVIDERS),
    })
    const wrapper = await mountConnections()
    const item = wrapper.find('[data-testid="connection-github"]')
    expect(item.text()).toContain('octo-ada')
    expect(item.text()).toContain('GitHub')
    expect(item.text()).toContain('Connected')
    expect(wrapper.find('[data-testid="link-github"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="link-google"]').text()).toBe('Connect Google')
  })

  it('starts linking on the server, then leaves for the provider', async () => {
    const api = installFakeApi({
      'GET /users/@me/connections': jsonResponse(200, []),
      'GET /auth/oauth/providers': jsonResponse(200, PROVIDERS),
      'POST /users/@me/connections/google/authorize': jsonResponse(200, {
        url: 'https://accounts.example.com/auth?state=s',
      }),
    })
    const assign = vi.spyOn(externalNavigation, 'assign').mockImplementation(() => {})
    const wrapper = await mountConnections()
    await wrapper.find('[data-testid="link-google"]').trigger('click')
    await flushPromises()
    expect(api.calls('POST /users/@me/connections/google/authorize')).toHaveLength(1)
    expect(assign).toHaveBeenCalledWith('https://accounts.example.com/auth?state=s')
  })

  it("puts a refused removal back and shows the server's reason", async () => {
    const api = installFakeApi({
      'GET /users/@me/connections': jsonResponse(200, [{ type: 'github', name: 'octo-ada' }]),
      'GET /auth/oauth/providers': jsonResponse(200, PROVIDERS),
      'DELETE /users/@me/connections/github': jsonResponse(400, {
        code: 50035,
        message: 'Set a password before removing your only way to sign in.',
      }),
    })
    const wrapper = await mountConnections()
    await wrapper.find('button[aria-label="Remove GitHub"]').trigger('click')
    expect(wrapper.find('[data-testid="connection-github"]').exists()).toBe(false)
    await flushPromises()
    expect(api.calls('DELETE /users/@me/connections/github')).toHaveLength(1)
    expect(wrapper.find('[data-testid="connection-github"]').exists()).toBe(true)
    expect(wrapper.find('[role="alert"]').text()).toContain('Set a password before removing your only way to sign in.')
  })

  it('removes a connection and offers its provider again', async () => {
    installFakeApi({
      'GET /users/@me/connections': jsonResponse(200, [{ type: 'github', name: 'octo-ada' }]),
      'GET /auth/oauth/providers': jsonResponse(200, PROVIDERS),
      'DELETE /users/@me/connections/github': jsonResponse(204),
    })
    const wrapper = await mountConnections()
    await wrapper.find('button[aria-label="Remove GitHub"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="connection-github"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="link-github"]').exists()).toBe(true)
  })

  it('confirms a provider just linked, by name', async () => {
    installFakeApi({
      'GET /users/@me/connections': jsonResponse(200, [{ type: 'github', name: 'octo-ada' }]),
      'GET /auth/oauth/providers': jsonResponse(200, PROVIDERS),
    })
    const wrapper = await mountConnections({ linkedProvider: 'github' })
    expect(wrapper.find('[data-testid="connections-notice"]').text()).toContain('Your GitHub account is now connected.')
  })

  it('offers a retry when the list cannot be loaded', async () => {
    let calls = 0
    installFakeApi({
      'GET /users/@me/connections': () => {
        calls += 1
        return calls === 1 ? jsonResponse(500, { code: 0, message: 'Database unavailable.' }) : jsonResponse(200, [])
      },
      'GET /auth/oauth/providers': jsonResponse(200, PROVIDERS),
    })
    const wrapper = await mountConnections()
    expect(wrapper.text()).toContain('Database unavailable.')
    await wrapper.findAll('button').find((button) => button.text() === 'Try again')!.trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="link-github"]').exists()).toBe(true)
  })
})
