import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import App from '@/App.vue'
import { routes } from '@/router'
import { useSessionStore } from '@/stores/session'
import { ADA, installFakeApi, jsonResponse } from '../support/fake_api'

const INVALID = jsonResponse(400, {
  code: 50035,
  message: 'Invalid Form Body',
  errors: { token: { _errors: [{ code: 'INVALID_TOKEN', message: 'This link is invalid or has expired.' }] } },
})

async function openLink(fragment: string) {
  const router = createRouter({ history: createMemoryHistory(), routes })
  await router.push(`/verify${fragment}`)
  const wrapper = mount(App, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, router, card: () => wrapper.find('[data-testid="verify-email"]') }
}

function signInAda() {
  const session = useSessionStore()
  session.token = 'token'
  session.status = 'signed-in'
  session.user = { ...ADA }
  return session
}

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('/verify', () => {
  it('uses the token from the fragment and shows success, signed out', async () => {
    const api = installFakeApi({
      'POST /auth/verify': jsonResponse(200, { user_id: '100', email: 'ada@example.org', verified: true }),
    })
    const { wrapper, router, card } = await openLink('#token=tok-123')

    expect(api.calls('POST /auth/verify')[0]!.body).toEqual({ token: 'tok-123' })
    expect(card().attributes('data-status')).toBe('verified')
    expect(wrapper.find('h1').text()).toBe('Email verified')
    expect(card().text()).toContain('ada@example.org is verified')
    expect(wrapper.find('a[href="/app"]').text()).toBe('Open Hearth')
    // The spent token does not stay in the address.
    expect(router.currentRoute.value.hash).toBe('')
  })

  it('marks the signed-in user verified, so the banner goes', async () => {
    installFakeApi({
      'POST /auth/verify': jsonResponse(200, { user_id: '100', email: 'ada@example.org', verified: true }),
    })
    const session = signInAda()
    await openLink('#token=tok-123')
    expect(session.user?.verified).toBe(true)
  })

  it('leaves another account alone when the link was for someone else', async () => {
    installFakeApi({
      'POST /auth/verify': jsonResponse(200, { user_id: '999', email: 'grace@example.org', verified: true }),
    })
    const session = signInAda()
    await openLink('#token=tok-123')
    expect(session.user?.verified).toBe(false)
  })

  it('explains a used or expired link and offers a new one when signed in', async () => {
    const api = installFakeApi({
      'POST /auth/verify': INVALID,
      'POST /auth/verify/resend': jsonResponse(204),
    })
    signInAda()
    const { wrapper, card } = await openLink('#token=old')

    expect(card().attributes('data-status')).toBe('invalid')
    expect(wrapper.find('h1').text()).toBe('This link does not work')
    expect(card().find('[role="alert"]').text()).toContain('This link is invalid or has expired.')
    const resend = wrapper.findAll('button').find((button) => button.text() === 'Send a new link')
    await resend!.trigger('click')
    await flushPromises()
    expect(api.calls('POST /auth/verify/resend')).toHaveLength(1)
    expect(wrapper.find('[data-testid="verify-resent"]').text()).toContain('ada@example.org')
  })

  it('signed out, an invalid link points to signing in instead', async () => {
    installFakeApi({ 'POST /auth/verify': INVALID })
    const { wrapper } = await openLink('#token=old')
    expect(wrapper.findAll('button').some((button) => button.text() === 'Send a new link')).toBe(false)
    expect(wrapper.find('a[href="/login"]').text()).toBe('Sign in')
  })

  it('without a token, asks the server nothing', async () => {
    const api = installFakeApi({})
    const { card } = await openLink('')
    expect(api.sent).toHaveLength(0)
    expect(card().attributes('data-status')).toBe('missing')
  })

  it('offers to retry after a network failure', async () => {
    let calls = 0
    installFakeApi({
      'POST /auth/verify': () => {
        calls += 1
        if (calls === 1) throw new TypeError('Failed to fetch')
        return jsonResponse(200, { user_id: '100', email: 'ada@example.org', verified: true })
      },
    })
    const { wrapper, card } = await openLink('#token=tok')
    expect(card().attributes('data-status')).toBe('error')
    await wrapper.findAll('button').find((button) => button.text() === 'Try again')!.trigger('click')
    await flushPromises()
    expect(card().attributes('data-status')).toBe('verified')
  })
})
