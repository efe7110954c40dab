import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import App from '@/App.vue'
import { TICKET_EXPIRED_MESSAGE } from '@/composables/useLoginFlow'
import { routes } from '@/router'
import { externalNavigation } from '@/router/external'
import { useAuthFlowStore } from '@/stores/auth_flow'
import { useSessionStore } from '@/stores/session'
import { ADA, installFakeApi, jsonResponse } from '../support/fake_api'

const CHALLENGE = { user_id: null, mfa: true, sms: false, ticket: 'ticket-1', totp: true, backup: true }

function formError(field: string, code: string, message: string) {
  return jsonResponse(400, {
    code: 50035,
    message: 'Invalid Form Body',
    errors: { [field]: { _errors: [{ code, message }] } },
  })
}

async function mountLogin() {
  const router = createRouter({ history: createMemoryHistory(), routes })
  await router.push('/login')
  const wrapper = mount(App, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, router }
}

async function signInWithPassword(wrapper: Awaited<ReturnType<typeof mountLogin>>['wrapper']) {
  const inputs = wrapper.findAll('[data-testid="login-form"] input')
  await inputs[0]!.setValue('ada')
  await inputs[1]!.setValue('correct horse battery staple')
  await wrapper.find('[data-testid="login-form"]').trigger('submit')
  await flushPromises()
}

async function submitCode(wrapper: Awaited<ReturnType<typeof mountLogin>>['wrapper'], code: string) {
  await wrapper.find('[data-testid="mfa-form"] input').setValue(code)
  await wrapper.find('[data-testid="mfa-form"]').trigger('submit')
  await flushPromises()
}

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('LoginView with two-factor', () => {
  it('switches to a code step when the password was right, then signs in like a normal login', async () => {
    const api = installFakeApi({
      'GET /auth/oauth/providers': jsonResponse(200, []),
      'POST /auth/login': jsonResponse(200, CHALLENGE),
      'POST /auth/mfa/totp': jsonResponse(200, { token: 'mfa-token', user_id: ADA.id }),
      'GET /users/@me': jsonResponse(200, { ...ADA, mfa_enabled: true }),
    })
    const { wrapper, router } = await mountLogin()
    await signInWithPassword(wrapper)

    expect(wrapper.find('[data-testid="login-form"]').exists()).toBe(false)
    expect(wrapper.find('h1').text()).toBe('Two-factor authentication')
    const input = wrapper.find('[data-testid="mfa-form"] input')
    expect(input.attributes()).toMatchObject({ autocomplete: 'one-time-code', inputmode: 'numeric' })
    expect(document.activeElement).toBe(input.element)

    await submitCode(wrapper, '123 456')
    expect(api.calls('POST /auth/mfa/totp')[0]!.body).toEqual({ ticket: 'ticket-1', code: '123456' })
    expect(useSessionStore().token).toBe('mfa-token')
    expect(router.currentRoute.value.name).toBe('app')
    wrapper.unmount()
  })

  it('checks the code before sending it', async () => {
    const api = installFakeApi({
      'GET /auth/oauth/providers': jsonResponse(200, []),
      'POST /auth/login': jsonResponse(200, CHALLENGE),
    })
    const { wrapper } = await mountLogin()
    await signInWithPassword(wrapper)
    await submitCode(wrapper, '12345')
    expect(api.calls('POST /auth/mfa/totp')).toHaveLength(0)
    expect(wrapper.find('[data-testid="mfa-form"] label').text()).toContain('Enter the 6-digit code from your app.')
  })

  it('shows a wrong code under the field and stays on the code step', async () => {
    installFakeApi({
      'GET /auth/oauth/providers': jsonResponse(200, []),
      'POST /auth/login': jsonResponse(200, CHALLENGE),
      'POST /auth/mfa/totp': formError('code', 'INVALID_MFA_CODE', 'Invalid two-factor code.'),
    })
    const { wrapper } = await mountLogin()
    await signInWithPassword(wrapper)
    await submitCode(wrapper, '000000')

    expect(wrapper.find('[data-testid="mfa-form"] label').text()).toContain('Invalid two-factor code.')
    expect(wrapper.find('[data-testid="mfa-form"] input').attributes('aria-invalid')).toBe('true')
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)
  })

  it('goes back to the password step with a message when the ticket expired', async () => {
    installFakeApi({
      'GET /auth/oauth/providers': jsonResponse(200, []),
      'POST /auth/login': jsonResponse(200, CHALLENGE),
      'POST /auth/mfa/totp': formError('ticket', 'MFA_TICKET_EXPIRED', 'The login expired.'),
    })
    const { wrapper } = await mountLogin()
    await signInWithPassword(wrapper)
    await submitCode(wrapper, '123456')

    expect(wrapper.find('[data-testid="mfa-form"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="login-form"]').exists()).toBe(true)
    expect(wrapper.find('h1').text()).toBe('Welcome back!')
    expect(wrapper.find('[role="alert"]').text()).toBe(TICKET_EXPIRED_MESSAGE)
  })

  it('takes a recovery code instead', async () => {
    const api = installFakeApi({
      'GET /auth/oauth/providers': jsonResponse(200, []),
      'POST /auth/login': jsonResponse(200, CHALLENGE),
      'POST /auth/mfa/totp': jsonResponse(200, { token: 'mfa-token' }),
      'GET /users/@me': jsonResponse(200, ADA),
    })
    const { wrapper } = await mountLogin()
    await signInWithPassword(wrapper)
    await wrapper.find('[data-testid="mfa-toggle"]').trigger('click')
    await flushPromises()

    const input = wrapper.find('[data-testid="mfa-form"] input')
    expect(wrapper.find('[data-testid="mfa-form"] label').text()).toContain('Recovery code')
    expect(input.attributes('inputmode')).toBeUndefined()
    expect(wrapper.find('[data-testid="mfa-toggle"]').text()).toBe('Use your authenticator app')
    await submitCode(wrapper, 'abcd2345')
    expect(api.calls('POST /auth/mfa/totp')[0]!.body).toEqual({ ticket: 'ticket-1', code: 'abcd-2345' })
  })

  it('"Go back to login" returns to the password step', async () => {
    installFakeApi({
      'GET /auth/oauth/providers': jsonResponse(200, []),
      'POST /auth/login': jsonResponse(200, CHALLENGE),
    })
    const { wrapper } = await mountLogin()
    await signInWithPassword(wrapper)
    const back = wrapper.findAll('[data-testid="mfa-form"] button').find((button) => button.text() === 'Go back to login')
    await back!.trigger('click')
    expect(wrapper.find('[data-testid="login-form"]').exists()).toBe(true)
  })

  it('starts at the code step with a ticket handed over by a provider sign-in', async () => {
    installFakeApi({ 'GET /auth/oauth/providers': jsonResponse(200, []) })
    useAuthFlowStore().mfaTicket = 'from-provider'
    const { wrapper } = await mountLogin()
    expect(wrapper.find('[data-testid="mfa-form"]').exists()).toBe(true)
    expect(useAuthFlowStore().mfaTicket).toBeNull()
  })

  it('shows a provider error in the banner until the user tries again', async () => {
    installFakeApi({
      'GET /auth/oauth/providers': jsonResponse(200, []),
      'POST /auth/login': jsonResponse(200, { token: 't' }),
      'GET /users/@me': jsonResponse(200, ADA),
    })
    useAuthFlowStore().loginNotice = { kind: 'error', message: 'GitHub said no.' }
    const { wrapper } = await mountLogin()
    expect(wrapper.find('[role="alert"]').text()).toBe('GitHub said no.')
  })
})

describe('LoginView provider buttons', () => {
  it('offers each provider and leaves for its authorize route', async () => {
    installFakeApi({
      'GET /auth/oauth/providers': jsonResponse(200, [
        { id: 'github', name: 'GitHub' },
        { id: 'corp', name: 'Corp SSO' },
      ]),
    })
    const assign = vi.spyOn(externalNavigation, 'assign').mockImplementation(() => {})
    const { wrapper } = await mountLogin()

    expect(wrapper.find('[data-testid="oauth-github"]').text()).toBe('Continue with GitHub')
    expect(wrapper.find('[data-testid="oauth-corp"]').text()).toBe('Continue with Corp SSO')
    await wrapper.find('[data-testid="oauth-corp"]').trigger('click')
    expect(assign).toHaveBeenCalledWith('/api/v1/auth/oauth/corp/authorize')
    expect(wrapper.find('[data-testid="oauth-github"]').attributes('disabled')).toBeDefined()
  })

  it('hides the section when there are no providers', async () => {
    installFakeApi({ 'GET /auth/oauth/providers': jsonResponse(200, []) })
    const { wrapper } = await mountLogin()
    expect(wrapper.find('[data-testid="oauth-providers"]').exists()).toBe(false)
  })

  it('hides the section when the list cannot be fetched', async () => {
    installFakeApi({ 'GET /auth/oauth/providers': jsonResponse(500, { code: 0, message: 'boom' }) })
    const { wrapper } = await mountLogin()
    expect(wrapper.find('[data-testid="oauth-providers"]').exists()).toBe(false)
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)
  })

  it('shows the same buttons on the register page', async () => {
    installFakeApi({ 'GET /auth/oauth/providers': jsonResponse(200, [{ id: 'github', name: 'GitHub' }]) })
    const router = createRouter({ history: createMemoryHistory(), routes })
    await router.push('/register')
    const wrapper = mount(App, { global: { plugins: [router] } })
    await flushPromises()
    expect(wrapper.find('[data-testid="oauth-github"]').exists()).toBe(true)
  })
})
