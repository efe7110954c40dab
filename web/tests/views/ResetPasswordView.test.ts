import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import App from '@/App.vue'
import { routes } from '@/router'
import { SESSION_HINT_KEY, useSessionStore } from '@/stores/session'
import { ADA, installFakeApi, jsonResponse } from '../support/fake_api'

const NEW = 'a much better passphrase'

function formError(field: string, code: string, message: string) {
  return jsonResponse(400, {
    code: 50035,
    message: 'Invalid Form Body',
    errors: { [field]: { _errors: [{ code, message }] } },
  })
}

async function openLink(fragment = '#token=reset-1') {
  const router = createRouter({ history: createMemoryHistory(), routes })
  await router.push(`/reset${fragment}`)
  const wrapper = mount(App, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, router }
}

async function submit(wrapper: Awaited<ReturnType<typeof openLink>>['wrapper'], values: string[]) {
  const inputs = wrapper.findAll('[data-testid="reset-form"] input')
  for (const [index, value] of values.entries()) await inputs[index]!.setValue(value)
  await wrapper.find('[data-testid="reset-form"]').trigger('submit')
  await flushPromises()
}

function label(wrapper: Awaited<ReturnType<typeof openLink>>['wrapper'], name: string): string {
  return wrapper.findAll('label').find((candidate) => candidate.text().startsWith(name))?.text() ?? ''
}

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('/reset', () => {
  it('sets the new password, ends the local session and links to log in', async () => {
    const api = installFakeApi({ 'POST /auth/reset': jsonResponse(204) })
    const session = useSessionStore()
    session.token = 'old-token'
    session.user = { ...ADA }
    localStorage.setItem(SESSION_HINT_KEY, '1')
    const { wrapper, router } = await openLink()

    expect(router.currentRoute.value.hash).toBe('')
    await submit(wrapper, [NEW, NEW])
    expect(api.calls('POST /auth/reset')[0]!.body).toEqual({ token: 'reset-1', password: NEW })
    expect(wrapper.find('h1').text()).toBe('Password changed')
    expect(wrapper.find('[data-testid="reset-done"]').text()).toContain('All devices were signed out.')
    expect(wrapper.find('a[href="/login"]').text()).toBe('Log in')
    expect(session.token).toBeNull()
    expect(session.user).toBeNull()
    expect(localStorage.getItem(SESSION_HINT_KEY)).toBeNull()
  })

  it('reveals a two-factor field when the server asks for one, then sends it', async () => {
    let calls = 0
    const api = installFakeApi({
      'POST /auth/reset': () => {
        calls += 1
        return calls === 1 ? formError('code', 'MFA_REQUIRED', 'A two-factor code is required.') : jsonResponse(204)
      },
    })
    const { wrapper } = await openLink()
    expect(wrapper.findAll('[data-testid="reset-form"] input')).toHaveLength(2)

    await submit(wrapper, [NEW, NEW])
    const inputs = wrapper.findAll('[data-testid="reset-form"] input')
    expect(inputs).toHaveLength(3)
    expect(wrapper.find('.ui-input__error').exists()).toBe(false)
    expect(wrapper.find('[data-testid="reset-needs-code"]').exists()).toBe(true)
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)
    expect(document.activeElement).toBe(inputs[2]!.element)

    await submit(wrapper, [NEW, NEW, 'wxyz 2345'])
    expect(api.calls('POST /auth/reset')[1]!.body).toEqual({ token: 'reset-1', password: NEW, code: 'wxyz-2345' })
    expect(wrapper.find('[data-testid="reset-done"]').exists()).toBe(true)
  })

  it('shows a wrong code under the code field', async () => {
    let calls = 0
    installFakeApi({
      'POST /auth/reset': () => {
        calls += 1
        return calls === 1
          ? formError('code', 'MFA_REQUIRED', 'A two-factor code is required.')
          : formError('code', 'INVALID_MFA_CODE', 'Invalid two-factor code.')
      },
    })
    const { wrapper } = await openLink()
    await submit(wrapper, [NEW, NEW])
    await submit(wrapper, [NEW, NEW, '000000'])
    expect(label(wrapper, 'Two-factor code or recovery code')).toContain('Invalid two-factor code.')
  })

  it('blocks mismatched passwords without asking the server', async () => {
    const api = installFakeApi({ 'POST /auth/reset': jsonResponse(204) })
    const { wrapper } = await openLink()
    await submit(wrapper, [NEW, `${NEW}!`])
    expect(api.sent).toHaveLength(0)
    expect(label(wrapper, 'Confirm New Password')).toContain('Passwords do not match.')
  })

  it('turns a used or expired link into a way to get a new one', async () => {
    installFakeApi({ 'POST /auth/reset': formError('token', 'INVALID_TOKEN', 'This link is invalid or has expired.') })
    const { wrapper } = await openLink()
    await submit(wrapper, [NEW, NEW])
    expect(wrapper.find('h1').text()).toBe('This link does not work')
    expect(wrapper.find('[data-testid="reset-invalid"]').text()).toContain('This link is invalid or has expired.')
    expect(wrapper.find('a[href="/forgot-password"]').text()).toBe('Send a new link')
  })

  it('without a token, goes straight to asking for a new link', async () => {
    installFakeApi({})
    const { wrapper } = await openLink('')
    expect(wrapper.find('[data-testid="reset-invalid"]').exists()).toBe(true)
  })
})
