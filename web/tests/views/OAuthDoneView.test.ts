import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import App from '@/App.vue'
import { resetGatewayForTests } from '@/composables/useGateway'
import { SIGN_IN_LOST } from '@/composables/useOAuthDone'
import { routes } from '@/router'
import { installSessionGuard } from '@/router/session_guard'
import { useAuthFlowStore } from '@/stores/auth_flow'
import { useSessionStore } from '@/stores/session'
import { ADA, installFakeApi, jsonResponse, unauthorized } from '../support/fake_api'
import { FakeSocket } from '../support/fake_socket'

async function arriveAt(fragment: string) {
  const router = createRouter({ history: createMemoryHistory(), routes })
  installSessionGuard(router, useSessionStore())
  await router.push(`/oauth/done${fragment}`)
  const wrapper = mount(App, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, router }
}

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
  FakeSocket.reset()
  resetGatewayForTests()
  vi.stubGlobal('WebSocket', FakeSocket)
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.setAttribute('open', '')
  }
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    this.removeAttribute('open')
  }
})

afterEach(() => {
  resetGatewayForTests()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('/oauth/done', () => {
  it('signed_in: refreshes through the new cookie, as after a reload, then opens the app', async () => {
    // A guest before the round trip: no session hint, so only this page's refresh can find the cookie.
    const api = installFakeApi({
      'POST /auth/refresh': jsonResponse(200, { token: 'from-cookie' }),
      'GET /users/@me': jsonResponse(200, ADA),
      'GET /auth/oauth/providers': jsonResponse(200, []),
    })
    const { router, wrapper } = await arriveAt('#status=signed_in')

    expect(api.calls('POST /auth/refresh')).toHaveLength(1)
    expect(useSessionStore().token).toBe('from-cookie')
    expect(useSessionStore().user?.username).toBe('ada')
    expect(router.currentRoute.value.name).toBe('app')
    wrapper.unmount()
  })

  it('signed_in without a working cookie: the login page says so', async () => {
    installFakeApi({
      'POST /auth/refresh': unauthorized(),
      'GET /auth/oauth/providers': jsonResponse(200, []),
    })
    const { router, wrapper } = await arriveAt('#status=signed_in')
    expect(router.currentRoute.value.name).toBe('login')
    expect(wrapper.find('[role="alert"]').text()).toBe(SIGN_IN_LOST)
  })

  it('mfa: the login page opens at the code step with the ticket', async () => {
    const api = installFakeApi({
      'GET /auth/oauth/providers': jsonResponse(200, []),
      'POST /auth/mfa/totp': jsonResponse(200, { token: 't' }),
      'GET /users/@me': jsonResponse(200, ADA),
    })
    const { router, wrapper } = await arriveAt('#status=mfa&ticket=provider-ticket')
    expect(router.currentRoute.value.name).toBe('login')
    await wrapper.find('[data-testid="mfa-form"] input').setValue('654321')
    await wrapper.find('[data-testid="mfa-form"]').trigger('submit')
    await flushPromises()
    expect(api.calls('POST /auth/mfa/totp')[0]!.body).toEqual({ ticket: 'provider-ticket', code: '654321' })
  })

  it('linked: the app opens Settings at Connections with a confirmation naming the provider', async () => {
    localStorage.setItem('hearth.session', '1')
    installFakeApi({
      'POST /auth/refresh': jsonResponse(200, { token: 't' }),
      'GET /users/@me': jsonResponse(200, ADA),
      'GET /users/@me/connections': jsonResponse(200, [{ type: 'github', name: 'ada-gh', created_at: '2026-02-01T00:00:00Z' }]),
      'GET /auth/oauth/providers': jsonResponse(200, [{ id: 'github', name: 'GitHub' }]),
    })
    const { router, wrapper } = await arriveAt('#status=linked&provider=github')
    expect(router.currentRoute.value.name).toBe('app')
    expect(wrapper.find('[data-testid="settings-dialog"]').attributes('open')).toBeDefined()
    expect(wrapper.find('[data-testid="settings-connections"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="connections-notice"]').text()).toContain('Your GitHub account is now connected.')
    expect(useAuthFlowStore().settingsRequest).toBeNull()
    wrapper.unmount()
  })

  it('linked without a session: the login page says to sign in', async () => {
    installFakeApi({ 'GET /auth/oauth/providers': jsonResponse(200, []) })
    const { router, wrapper } = await arriveAt('#status=linked&provider=github')
    expect(router.currentRoute.value.name).toBe('login')
    expect(wrapper.find('[data-testid="login-notice"]').text()).toContain('Sign in to see your connections.')
  })

  it('error: the login page shows the message in its error banner', async () => {
    installFakeApi({ 'GET /auth/oauth/providers': jsonResponse(200, []) })
    const { router, wrapper } = await arriveAt('#status=error&message=That%20GitHub%20account%20is%20linked%20elsewhere.')
    expect(router.currentRoute.value.name).toBe('login')
    expect(wrapper.find('[data-testid="form-error"]').text()).toBe('That GitHub account is linked elsewhere.')
  })
})
