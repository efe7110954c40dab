import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, type Pinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import App from '@/App.vue'
import { RECONNECT_NOTICE_MS, resetGatewayForTests } from '@/composables/useGateway'
import { routes } from '@/router'
import { useSessionStore } from '@/stores/session'
import { ADA, installFakeApi, jsonResponse } from '../support/fake_api'
import { FakeSocket } from '../support/fake_socket'

async function mountAt(path: string, pinia: Pinia = createPinia()) {
  const router = createRouter({ history: createMemoryHistory(), routes })
  await router.push(path)
  const wrapper = mount(App, { global: { plugins: [pinia, router] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, router }
}

/** Mounts the app with Ada signed in (the dialog's showModal is missing from jsdom, so it is stubbed). */
async function mountSignedIn(path = '/app', user: Record<string, unknown> = ADA, extraRoutes: Parameters<typeof installFakeApi>[0] = {}) {
  const api = installFakeApi({
    'GET /users/@me': jsonResponse(200, user),
    'POST /auth/logout': jsonResponse(204),
    'GET /users/@me/sessions': jsonResponse(200, []),
    ...extraRoutes,
  })
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.setAttribute('open', '')
  }
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    this.removeAttribute('open')
  }
  const pinia = createPinia()
  await useSessionStore(pinia).signIn('token')
  return { api, ...(await mountAt(path, pinia)) }
}

beforeEach(() => {
  FakeSocket.reset()
  resetGatewayForTests()
  vi.stubGlobal('WebSocket', FakeSocket)
  localStorage.clear()
})

afterEach(() => {
  resetGatewayForTests()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('AppView', () => {
  it('renders the landmarks and honest empty states', async () => {
    const { wrapper } = await mountAt('/app')
    expect(wrapper.find('nav[aria-label="Servers"]').exists()).toBe(true)
    expect(wrapper.find('nav[aria-label="Channels"]').exists()).toBe(true)
    expect(wrapper.find('main').exists()).toBe(true)
    expect(wrapper.find('aside[aria-label="Members"]').exists()).toBe(true)

    expect(wrapper.find('h2#welcome-title').text()).toBe('Welcome to Hearth')
    const composer = wrapper.find('#message-composer')
    expect(composer.attributes('placeholder')).toBe('Sign in to start talking')
    expect(composer.attributes('disabled')).toBeDefined()
    // Home and "Add a Server" only: no made-up servers.
    expect(wrapper.findAll('nav[aria-label="Servers"] [aria-label]').map((item) => item.attributes('aria-label'))).toEqual([
      'Home',
      'Add a Server',
    ])
    wrapper.unmount()
  })

  it('shows the gateway state in the user panel', async () => {
    const { wrapper } = await mountAt('/app')
    const status = () => wrapper.find('[data-testid="gateway-status"]')
    expect(status().text()).toBe('Connecting…')
    expect(FakeSocket.latest().url).toMatch(/^ws:\/\/[^/]+\/api\/v1\/gateway$/)

    FakeSocket.latest().open()
    FakeSocket.latest().hello(41_250)
    await flushPromises()
    expect(status().text()).toBe('Connected')
    expect(status().attributes('data-state')).toBe('connected')

    // A drop mended within RECONNECT_NOTICE_MS shows nothing; a longer one says so.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    FakeSocket.latest().serverClose()
    await flushPromises()
    expect(status().text()).toBe('Connected')
    expect(wrapper.text()).not.toContain('Reconnecting')
    vi.advanceTimersByTime(RECONNECT_NOTICE_MS)
    await flushPromises()
    expect(status().text()).toBe('Reconnecting…')
    expect(wrapper.text()).toContain('Connection lost. Reconnecting…')
    vi.useRealTimers()
    wrapper.unmount()
  })

  it('switches theme from the user panel', async () => {
    const { wrapper } = await mountAt('/app')
    const before = document.documentElement.dataset.theme
    await wrapper.find('[data-testid="theme-toggle"]').trigger('click')
    expect(document.documentElement.dataset.theme).not.toBe(before)
    expect(localStorage.getItem('hearth.theme')).toBe(document.documentElement.dataset.theme)
    wrapper.unmount()
  })

  it('renders an unknown deep link inside the app', async () => {
    const { wrapper } = await mountAt('/app/123/456')
    expect(wrapper.find('main').text()).toContain('This channel is not available')
    expect(wrapper.find('nav[aria-label="Servers"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('opens home on the friends page, with the DM list, and says what comes next, without fake actions', async () => {
    const { wrapper } = await mountSignedIn()
    expect(wrapper.find('[data-testid="user-panel-name"]').text()).toBe('Ada Lovelace')
    expect(wrapper.find('[data-testid="user-panel-username"]').text()).toBe('ada')
    // Home is Discord's: friends in the main pane, Friends and Direct Messages on the left.
    expect(wrapper.find('[data-testid="friends-page"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="friends-empty"]').text()).toContain("No one's around right now")
    expect(wrapper.find('[data-testid="friends-link"]').attributes('aria-current')).toBe('page')
    expect(wrapper.find('[data-testid="dm-empty"]').exists()).toBe(true)
    expect(wrapper.text()).not.toContain('Sign in to')
    // No composer without a conversation, and no member list at home.
    expect(wrapper.find('#message-composer').exists()).toBe(false)
    expect(wrapper.find('aside[aria-label="Members"]').exists()).toBe(false)
    const addServer = wrapper.find('nav[aria-label="Servers"] [aria-label="Add a Server"]')
    expect(addServer.attributes('aria-disabled')).toBeUndefined()
    await addServer.trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="create-server-dialog"]').attributes('open')).toBeDefined()
    // The gateway indicator is still there for the hover swap and for assistive technology.
    expect(wrapper.find('[data-testid="gateway-status"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('shows the account in settings and logs out to /login', async () => {
    const { wrapper, router, api } = await mountSignedIn()
    await wrapper.find('button[aria-label="User Settings"]').trigger('click')
    await flushPromises()
    const account = wrapper.find('[data-testid="settings-account"]')
    expect(account.text()).toContain('ada@example.org')
    expect(account.text()).toContain('Unverified')
    expect(account.text()).toContain('Ada Lovelace')

    const navItems = wrapper.findAll('.settings-dialog__nav-item')
    expect(navItems.map((item) => item.text())).toEqual(['My Account', 'Sessions', 'Connections', 'Appearance', 'Notifications', 'Log Out'])
    await navItems[1]!.trigger('click')
    await flushPromises()
    expect(api.calls('GET /users/@me/sessions')).toHaveLength(1)

    await navItems[4]!.trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="settings-notifications"]').exists()).toBe(true)

    await navItems[5]!.trigger('click')
    await flushPromises()
    expect(api.calls('POST /auth/logout')).toHaveLength(1)
    expect(router.currentRoute.value.name).toBe('login')
    wrapper.unmount()
  })

  it('asks an unverified user to verify, above the whole app', async () => {
    const { wrapper } = await mountSignedIn()
    const banner = wrapper.find('[data-testid="verify-banner"]')
    expect(banner.text()).toContain('Check your inbox to verify ada@example.org.')
    expect(wrapper.find('.app-frame').element.firstElementChild).toBe(banner.element)
    wrapper.unmount()
  })

  it('shows no banner once verified', async () => {
    const { wrapper } = await mountSignedIn('/app', { ...ADA, verified: true })
    expect(wrapper.find('[data-testid="verify-banner"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('shows the uploaded avatar in the user panel, else initials', async () => {
    const { wrapper } = await mountSignedIn('/app', { ...ADA, avatar: 'c'.repeat(32) })
    const image = wrapper.find('[data-testid="user-panel"] img')
    expect(image.attributes('src')).toBe(`/api/v1/avatars/100/${'c'.repeat(32)}`)
    wrapper.unmount()

    const plain = await mountSignedIn()
    expect(plain.wrapper.find('[data-testid="user-panel"] img').exists()).toBe(false)
    expect(plain.wrapper.find('[data-testid="user-panel"]').text()).toContain('AL')
    plain.wrapper.unmount()
  })

  it('after deleting the account, signs out and tells the login page why', async () => {
    const { wrapper, router, api } = await mountSignedIn('/app', ADA, {
      'POST /users/@me/delete': jsonResponse(204),
      'GET /auth/oauth/providers': jsonResponse(200, []),
    })
    await wrapper.find('button[aria-label="User Settings"]').trigger('click')
    await flushPromises()
    await wrapper.findAll('button').find((button) => button.text() === 'Delete Account')!.trigger('click')
    await flushPromises()
    const dialog = wrapper.find('[data-testid="delete-account-dialog"]')
    await dialog.find('input').setValue('hunter22')
    await dialog.find('form').trigger('submit')
    await flushPromises()

    expect(api.calls('POST /users/@me/delete')).toHaveLength(1)
    expect(useSessionStore().token).toBeNull()
    expect(router.currentRoute.value.name).toBe('login')
    expect(wrapper.find('[data-testid="login-notice"]').text()).toContain('Your account has been deleted.')
    wrapper.unmount()
  })

  it('logs out of every device from Sessions', async () => {
    const { wrapper, router, api } = await mountSignedIn('/app', ADA, {
      'POST /auth/logout-all': jsonResponse(204),
      'GET /auth/oauth/providers': jsonResponse(200, []),
    })
    await wrapper.find('button[aria-label="User Settings"]').trigger('click')
    await flushPromises()
    await wrapper.findAll('.settings-dialog__nav-item').find((item) => item.text() === 'Sessions')!.trigger('click')
    await flushPromises()
    await wrapper.find('[data-testid="logout-all"]').trigger('click')
    await flushPromises()
    await wrapper.find('[data-testid="logout-all-dialog"] form').trigger('submit')
    await flushPromises()

    expect(api.calls('POST /auth/logout-all')).toHaveLength(1)
    expect(useSessionStore().token).toBeNull()
    expect(router.currentRoute.value.name).toBe('login')
    expect(wrapper.find('[data-testid="login-notice"]').text()).toContain('logged out of every device')
    wrapper.unmount()
  })

  it('offers only the app settings to a guest', async () => {
    const { wrapper } = await mountAt('/app')
    expect(wrapper.findAll('.settings-dialog__nav-item').map((item) => item.text())).toEqual(['Appearance'])
    wrapper.unmount()
  })
})
