import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import AuthRegisterForm from '@/components/auth/AuthRegisterForm.vue'
import { routes } from '@/router'
import { installFakeApi, jsonResponse } from '../support/fake_api'

function mountForm() {
  const router = createRouter({ history: createMemoryHistory(), routes })
  return mount(AuthRegisterForm, { global: { plugins: [createPinia(), router] } })
}

type Wrapper = ReturnType<typeof mountForm>

/** The input whose label starts with `label`, and that label. */
function field(wrapper: Wrapper, label: string) {
  const labelElement = wrapper.findAll('label').find((candidate) => candidate.text().startsWith(label))
  if (!labelElement) throw new Error(`no field labelled ${label}`)
  const input = wrapper.find(`[id="${labelElement.attributes('for')}"]`)
  return { label: labelElement, input }
}

async function fillAndSubmit(
  wrapper: Wrapper,
  values: Partial<Record<'Email' | 'Display Name' | 'Username' | 'Password', string>> = {},
) {
  const filled = { Email: 'ada@example.org', Username: 'ada', Password: 'correct horse', ...values }
  for (const [label, value] of Object.entries(filled)) await field(wrapper, label).input.setValue(value)
  await wrapper.find('form').trigger('submit')
  await flushPromises()
}

function invalidForm(errors: Record<string, string>) {
  return jsonResponse(400, {
    code: 50035,
    message: 'Invalid Form Body',
    errors: Object.fromEntries(
      Object.entries(errors).map(([name, message]) => [name, { _errors: [{ code: 'INVALID', message }] }]),
    ),
  })
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('AuthRegisterForm', () => {
  it('labels every field, marking the required ones', () => {
    const wrapper = mountForm()
    const labels = wrapper.findAll('label').map((label) => label.text())
    expect(labels).toEqual(['Email*', 'Display Name', 'Username*', 'Password*'])
    for (const label of wrapper.findAll('label')) {
      expect(wrapper.find(`[id="${label.attributes('for')}"]`).element.tagName).toBe('INPUT')
    }
  })

  it('shows a 50035 field error under the matching input, not in a banner', async () => {
    installFakeApi({
      'POST /auth/register': invalidForm({ username: 'Username is unavailable. Try adding numbers.' }),
    })
    const wrapper = mountForm()

    await fillAndSubmit(wrapper)

    const username = field(wrapper, 'Username')
    expect(username.label.text()).toContain('Username is unavailable. Try adding numbers.')
    expect(username.input.attributes('aria-invalid')).toBe('true')
    for (const other of ['Email', 'Display Name', 'Password']) {
      expect(field(wrapper, other).input.attributes('aria-invalid')).toBeUndefined()
    }
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)
    expect(wrapper.text()).not.toContain('Invalid Form Body')
    expect(wrapper.emitted('signedIn')).toBeUndefined()
  })

  it('places errors for several fields, including display_name', async () => {
    installFakeApi({
      'POST /auth/register': invalidForm({ email: 'Email is already registered.', display_name: 'Too long.' }),
    })
    const wrapper = mountForm()
    await fillAndSubmit(wrapper, { 'Display Name': 'Ada' })
    expect(field(wrapper, 'Email').label.text()).toContain('Email is already registered.')
    expect(field(wrapper, 'Display Name').label.text()).toContain('Too long.')
    expect(field(wrapper, 'Username').input.attributes('aria-invalid')).toBeUndefined()
  })

  it('shows the top-level message when no field matches, with the unplaced field errors', async () => {
    installFakeApi({ 'POST /auth/register': invalidForm({ date_of_birth: 'You must be 13 or older.' }) })
    const wrapper = mountForm()
    await fillAndSubmit(wrapper)
    const alert = wrapper.find('[role="alert"]')
    expect(alert.text()).toContain('Invalid Form Body')
    expect(alert.text()).toContain('You must be 13 or older.')
  })

  it('shows a plain error message in the banner', async () => {
    installFakeApi({
      'POST /auth/register': jsonResponse(429, { code: 0, message: 'You are being rate limited.' }),
    })
    const wrapper = mountForm()
    await fillAndSubmit(wrapper)
    expect(wrapper.find('[role="alert"]').text()).toBe('You are being rate limited.')
  })

  it('checks the rules before asking the server', async () => {
    const api = installFakeApi({})
    const wrapper = mountForm()
    await fillAndSubmit(wrapper, { Email: 'not-an-email', Username: 'a', Password: 'short' })
    expect(api.fetch).not.toHaveBeenCalled()
    expect(field(wrapper, 'Email').label.text()).toContain('Not a well formed email address.')
    expect(field(wrapper, 'Username').label.text()).toContain('Must be between 2 and 32 in length.')
    expect(field(wrapper, 'Password').label.text()).toContain('Must be between 8 and 128 in length.')

    await fillAndSubmit(wrapper, { Username: 'ada lovelace' })
    expect(field(wrapper, 'Username').label.text()).toContain('letters, numbers')
    await fillAndSubmit(wrapper, { Username: 'ada..l' })
    expect(field(wrapper, 'Username').label.text()).toContain('Periods cannot be next to each other.')
    expect(api.fetch).not.toHaveBeenCalled()
  })

  it('sends the fields (display name only when given) and emits the token', async () => {
    const api = installFakeApi({ 'POST /auth/register': jsonResponse(201, { token: 'abc', user_id: '1' }) })
    const wrapper = mountForm()
    await fillAndSubmit(wrapper, { Username: 'Ada.L' })
    expect(api.calls('POST /auth/register')[0]?.body).toEqual({
      email: 'ada@example.org',
      username: 'Ada.L',
      password: 'correct horse',
    })
    expect(wrapper.emitted('signedIn')).toEqual([['abc']])

    await fillAndSubmit(wrapper, { 'Display Name': '  Ada Lovelace ' })
    expect(api.calls('POST /auth/register')[1]?.body).toMatchObject({ display_name: 'Ada Lovelace' })
  })
})
