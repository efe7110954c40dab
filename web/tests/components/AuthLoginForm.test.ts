import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import AuthLoginForm from '@/components/auth/AuthLoginForm.vue'
import { routes } from '@/router'

function mountForm() {
  const router = createRouter({ history: createMemoryHistory(), routes })
  return mount(AuthLoginForm, { global: { plugins: [createPinia(), router] } })
}

async function fillAndSubmit(wrapper: ReturnType<typeof mountForm>) {
  const inputs = wrapper.findAll('input')
  await inputs[0]!.setValue('ada@example.org')
  await inputs[1]!.setValue('hunter2')
  await wrapper.find('form').trigger('submit')
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('AuthLoginForm', () => {
  it('labels its fields and links to sign-up and password reset', () => {
    const wrapper = mountForm()
    const labels = wrapper.findAll('label').map((label) => label.text())
    expect(labels[0]).toContain('Email or username')
    expect(labels[1]).toContain('Password')
    const input = wrapper.find('input')
    expect(wrapper.find(`label[for="${input.attributes('id')}"]`).exists()).toBe(true)
    expect(wrapper.text()).toContain('Create an account')
    expect(wrapper.text()).toContain('Forgot your password?')
  })

  it("shows the server's error message inline", async () => {
    const fetch = vi.fn(async () =>
      new Response(JSON.stringify({ code: 90001, message: 'No route for POST /api/v1/auth/login' }), {
        status: 404,
        headers: { 'Content-Type': 'application/json' },
      }),
    )
    vi.stubGlobal('fetch', fetch)
    const wrapper = mountForm()

    await fillAndSubmit(wrapper)
    await flushPromises()

    expect(fetch).toHaveBeenCalledOnce()
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/v1/auth/login')
    expect(JSON.parse(String(init.body))).toEqual({ login: 'ada@example.org', password: 'hunter2' })
    const alert = wrapper.find('[role="alert"]')
    expect(alert.exists()).toBe(true)
    expect(alert.text()).toBe('No route for POST /api/v1/auth/login')
    expect(wrapper.emitted('signedIn')).toBeUndefined()
  })

  it('shows a loading button while the request is in flight and ignores a second submit', async () => {
    let answer: (response: Response) => void = () => {}
    const fetch = vi.fn(() => new Promise<Response>((resolve) => (answer = resolve)))
    vi.stubGlobal('fetch', fetch)
    const wrapper = mountForm()

    await fillAndSubmit(wrapper)
    const button = wrapper.find('button[type="submit"]')
    expect(button.attributes('aria-busy')).toBe('true')
    expect(wrapper.find('[role="status"][aria-label="Signing in"]').exists()).toBe(true)
    await wrapper.find('form').trigger('submit')
    expect(fetch).toHaveBeenCalledOnce()

    answer(new Response(JSON.stringify({ token: 'abc' }), { status: 200 }))
    await flushPromises()
    expect(button.attributes('aria-busy')).toBeUndefined()
    expect(wrapper.emitted('signedIn')).toEqual([['abc']])
  })

  it('asks for missing fields without calling the server', async () => {
    const fetch = vi.fn()
    vi.stubGlobal('fetch', fetch)
    const wrapper = mountForm()
    await wrapper.find('form').trigger('submit')
    expect(fetch).not.toHaveBeenCalled()
    expect(wrapper.findAll('[aria-invalid="true"]')).toHaveLength(2)
  })

  it('explains a network failure', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    const wrapper = mountForm()
    await fillAndSubmit(wrapper)
    await flushPromises()
    expect(wrapper.find('[role="alert"]').text()).toMatch(/cannot reach the server/i)
  })
})
