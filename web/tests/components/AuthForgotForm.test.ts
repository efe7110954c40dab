import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import AuthForgotForm from '@/components/auth/AuthForgotForm.vue'
import { routes } from '@/router'
import { installFakeApi, jsonResponse } from '../support/fake_api'

function mountForm() {
  const router = createRouter({ history: createMemoryHistory(), routes })
  return mount(AuthForgotForm, { global: { plugins: [createPinia(), router] }, attachTo: document.body })
}

async function send(wrapper: ReturnType<typeof mountForm>, login: string) {
  await wrapper.find('input').setValue(login)
  await wrapper.find('form').trigger('submit')
  await flushPromises()
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('AuthForgotForm', () => {
  it('sends {login} and then says the same thing whether or not the account exists', async () => {
    const api = installFakeApi({ 'POST /auth/forgot': jsonResponse(204) })
    const wrapper = mountForm()
    await send(wrapper, '  nobody@example.org ')

    expect(api.calls('POST /auth/forgot')[0]!.body).toEqual({ login: 'nobody@example.org' })
    expect(wrapper.find('form').exists()).toBe(false)
    const sent = wrapper.find('[data-testid="forgot-sent"]')
    expect(sent.text()).toContain('If an account exists for nobody@example.org, we sent it a link')
    expect(document.activeElement?.textContent?.trim()).toBe('Check your email')
  })

  it('can go back to the form to try another address', async () => {
    installFakeApi({ 'POST /auth/forgot': jsonResponse(204) })
    const wrapper = mountForm()
    await send(wrapper, 'ada')
    await wrapper.find('[data-testid="forgot-sent"] button').trigger('click')
    expect(wrapper.find('form').exists()).toBe(true)
  })

  it('shows a rate limit instead of pretending', async () => {
    installFakeApi({
      'POST /auth/forgot': new Response(JSON.stringify({ message: 'You are being rate limited.', retry_after: 12 }), {
        status: 429,
        headers: { 'Content-Type': 'application/json', 'Retry-After': '12' },
      }),
    })
    const wrapper = mountForm()
    await send(wrapper, 'ada')
    expect(wrapper.find('[data-testid="forgot-sent"]').exists()).toBe(false)
    expect(wrapper.find('[role="alert"]').text()).toContain('try again in 12 s')
  })
})
