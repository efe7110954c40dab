import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import UserVerifyBanner from '@/components/user/UserVerifyBanner.vue'
import { VERIFY_BANNER_DISMISSED_KEY } from '@/composables/useEmailVerification'
import { installFakeApi, jsonResponse } from '../support/fake_api'
import { signInAda } from './account_dialogs_support'

beforeEach(() => {
  sessionStorage.clear()
})

afterEach(() => {
  vi.unstubAllGlobals()
})

function banner(wrapper: ReturnType<typeof mount>) {
  return wrapper.find('[data-testid="verify-banner"]')
}

describe('UserVerifyBanner', () => {
  it('asks an unverified user to check their inbox', () => {
    signInAda()
    const wrapper = mount(UserVerifyBanner)
    expect(banner(wrapper).text()).toContain('Check your inbox to verify ada@example.org.')
  })

  it('is absent once verified, and for guests', async () => {
    const session = signInAda()
    const wrapper = mount(UserVerifyBanner)
    session.user = { ...session.user!, verified: true }
    await flushPromises()
    expect(banner(wrapper).exists()).toBe(false)
    session.user = null
    await flushPromises()
    expect(banner(wrapper).exists()).toBe(false)
  })

  it('resends the link and says it was sent', async () => {
    const api = installFakeApi({ 'POST /auth/verify/resend': jsonResponse(204) })
    signInAda()
    const wrapper = mount(UserVerifyBanner)
    await wrapper.find('[data-testid="verify-resend"]').trigger('click')
    await flushPromises()
    expect(api.calls('POST /auth/verify/resend')).toHaveLength(1)
    expect(banner(wrapper).text()).toContain('We sent a new link to ada@example.org.')
    expect(wrapper.find('[data-testid="verify-resend"]').exists()).toBe(false)
  })

  it('says when the hourly limit is reached, with the wait', async () => {
    installFakeApi({
      'POST /auth/verify/resend': new Response(JSON.stringify({ message: 'You are being rate limited.', retry_after: 600 }), {
        status: 429,
        headers: { 'Content-Type': 'application/json', 'Retry-After': '600' },
      }),
    })
    signInAda()
    const wrapper = mount(UserVerifyBanner)
    await wrapper.find('[data-testid="verify-resend"]').trigger('click')
    await flushPromises()
    expect(banner(wrapper).text()).toContain('Too many emails sent. Try again in 10 minutes.')
    expect(wrapper.find('[data-testid="verify-resend"]').exists()).toBe(false)
  })

  it('stays dismissed for this tab, until the address changes', async () => {
    const session = signInAda()
    const wrapper = mount(UserVerifyBanner)
    await wrapper.find('button[aria-label="Dismiss"]').trigger('click')
    expect(banner(wrapper).exists()).toBe(false)
    expect(sessionStorage.getItem(VERIFY_BANNER_DISMISSED_KEY)).toBe('100:ada@example.org')

    // A reload of the same tab.
    expect(banner(mount(UserVerifyBanner)).exists()).toBe(false)

    session.user = { ...session.user!, email: 'ada@new.example.org' }
    await flushPromises()
    expect(banner(wrapper).text()).toContain('ada@new.example.org')
  })
})
