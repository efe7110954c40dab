import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { UserSession } from '@/api/users'
import UserSettingsSessions from '@/components/user/UserSettingsSessions.vue'
import { useSessionStore } from '@/stores/session'
import { installFakeApi, jsonResponse } from '../support/fake_api'

const CHROME_LINUX =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0'
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()

const SESSIONS: UserSession[] = [
  { id: '2', client: FIREFOX_WINDOWS, ip: '198.51.100.7', created_at: minutesAgo(900), last_used_at: minutesAgo(90), current: false },
  { id: '1', client: CHROME_LINUX, ip: '203.0.113.5', created_at: minutesAgo(60), last_used_at: minutesAgo(0), current: true },
  { id: '3', client: SAFARI_IPHONE, ip: '192.0.2.44', created_at: minutesAgo(3000), last_used_at: minutesAgo(5), current: false },
]

/** DELETE answers wait for the test, so it can look at the list while the request is in flight. */
function installSessionsApi() {
  const pendingDeletes: ((response: Response) => void)[] = []
  const api = installFakeApi({
    'GET /users/@me/sessions': jsonResponse(200, SESSIONS),
    'DELETE /users/@me/sessions/2': () => new Promise<Response>((resolve) => pendingDeletes.push(resolve)),
    'DELETE /users/@me/sessions/1': () => new Promise<Response>((resolve) => pendingDeletes.push(resolve)),
    'DELETE /users/@me/sessions/3': () => new Promise<Response>((resolve) => pendingDeletes.push(resolve)),
  })
  return { api, answerDelete: (response: Response) => pendingDeletes.shift()?.(response) }
}

async function mountSessions() {
  const wrapper = mount(UserSettingsSessions)
  await flushPromises()
  return wrapper
}

function rows(wrapper: Awaited<ReturnType<typeof mountSessions>>) {
  return wrapper.findAll('[data-testid="session-item"]').map((row) => row.find('.session-item__label').text())
}

beforeEach(() => {
  setActivePinia(createPinia())
  useSessionStore().token = 'token'
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('UserSettingsSessions', () => {
  it('lists this device first, then the most recently used, described from the user agent', async () => {
    installSessionsApi()
    const wrapper = await mountSessions()

    expect(rows(wrapper)).toEqual(['Chrome on Linux', 'Safari on iOS', 'Firefox on Windows'])
    const current = wrapper.find('[data-testid="session-item"][data-current="true"]')
    expect(current.text()).toContain('This device')
    expect(current.text()).toContain('203.0.113.5')
    expect(wrapper.findAll('[data-current="true"]')).toHaveLength(1)
    expect(wrapper.text()).toContain('Last used 1 hour ago')
    expect(wrapper.text()).toContain('Last used 5 minutes ago')
  })

  it('removes a revoked session at once and keeps it removed when the server agrees', async () => {
    const { api, answerDelete } = installSessionsApi()
    const wrapper = await mountSessions()

    await wrapper.findAll('[data-testid="session-item"]')[2]!.find('button').trigger('click')
    expect(rows(wrapper)).toEqual(['Chrome on Linux', 'Safari on iOS'])
    expect(api.calls('DELETE /users/@me/sessions/2')).toHaveLength(1)

    answerDelete(jsonResponse(204))
    await flushPromises()
    expect(rows(wrapper)).toEqual(['Chrome on Linux', 'Safari on iOS'])
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)
    expect(wrapper.emitted('currentRevoked')).toBeUndefined()
  })

  it('puts the session back in its place and says why when revoking fails', async () => {
    const { answerDelete } = installSessionsApi()
    const wrapper = await mountSessions()

    await wrapper.findAll('[data-testid="session-item"]')[1]!.find('button').trigger('click')
    expect(rows(wrapper)).toEqual(['Chrome on Linux', 'Firefox on Windows'])

    answerDelete(jsonResponse(500, { code: 0, message: 'The database is unavailable.' }))
    await flushPromises()

    expect(rows(wrapper)).toEqual(['Chrome on Linux', 'Safari on iOS', 'Firefox on Windows'])
    expect(wrapper.find('[role="alert"]').text()).toContain('The database is unavailable.')

    await wrapper.find('[role="alert"] button').trigger('click')
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)
  })

  it('rolls back on a network failure too', async () => {
    installFakeApi({
      'GET /users/@me/sessions': jsonResponse(200, SESSIONS),
      'DELETE /users/@me/sessions/3': () => Promise.reject(new TypeError('Failed to fetch')),
    })
    const wrapper = await mountSessions()
    await wrapper.findAll('[data-testid="session-item"]')[1]!.find('button').trigger('click')
    await flushPromises()
    expect(rows(wrapper)).toEqual(['Chrome on Linux', 'Safari on iOS', 'Firefox on Windows'])
    expect(wrapper.find('[role="alert"]').text()).toMatch(/cannot reach the server/i)
  })

  it('reports that this device was revoked, so the app can sign out', async () => {
    const { answerDelete } = installSessionsApi()
    const wrapper = await mountSessions()
    await wrapper.find('[data-current="true"] button').trigger('click')
    answerDelete(jsonResponse(204))
    await flushPromises()
    expect(wrapper.emitted('currentRevoked')).toHaveLength(1)
  })

  it('shows an error with a retry when the list cannot be loaded', async () => {
    let fail = true
    installFakeApi({
      'GET /users/@me/sessions': () =>
        fail ? jsonResponse(500, { code: 0, message: 'Server trouble.' }) : jsonResponse(200, SESSIONS),
    })
    const wrapper = await mountSessions()
    expect(wrapper.text()).toContain('Sessions could not be loaded')
    expect(wrapper.text()).toContain('Server trouble.')

    fail = false
    await wrapper.find('button').trigger('click')
    await flushPromises()
    expect(rows(wrapper)).toHaveLength(3)
  })
})
