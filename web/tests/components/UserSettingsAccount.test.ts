import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import UserSettingsAccount from '@/components/user/UserSettingsAccount.vue'
import { ADA, installFakeApi, jsonResponse } from '../support/fake_api'
import { signInAda } from './account_dialogs_support'

let session: ReturnType<typeof signInAda>

beforeEach(() => {
  session = signInAda()
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

function mountAccount() {
  return mount(UserSettingsAccount, { props: { user: session.user! }, attachTo: document.body })
}

function buttonNamed(wrapper: ReturnType<typeof mountAccount>, name: string) {
  return wrapper.findAll('button').find((button) => button.text() === name)
}

describe('UserSettingsAccount', () => {
  it('shows the profile: avatar image, email state and about me', async () => {
    session.user = { ...ADA, avatar: 'd'.repeat(32), bio: 'Engines.\nNumbers.' }
    const wrapper = mountAccount()
    expect(wrapper.find('[data-testid="account-avatar"] img').attributes('src')).toBe(`/api/v1/avatars/100/${'d'.repeat(32)}`)
    expect(wrapper.find('[data-testid="account-email"]').text()).toContain('Unverified')
    expect(wrapper.find('[data-testid="account-bio"]').text()).toBe('Engines.\nNumbers.')
  })

  it('offers password change and 2FA set-up to an account with a password', () => {
    const wrapper = mountAccount()
    expect(buttonNamed(wrapper, 'Change Password')).toBeDefined()
    expect(buttonNamed(wrapper, 'Enable Two-Factor Auth')?.attributes('disabled')).toBeUndefined()
    expect(buttonNamed(wrapper, 'Remove 2FA')).toBeUndefined()
  })

  it('with 2FA on, offers new backup codes and removal instead', () => {
    session.user = { ...ADA, mfa_enabled: true }
    const wrapper = mountAccount()
    expect(wrapper.find('[data-testid="mfa-on"]').exists()).toBe(true)
    expect(buttonNamed(wrapper, 'View New Backup Codes')).toBeDefined()
    expect(buttonNamed(wrapper, 'Remove 2FA')).toBeDefined()
    expect(buttonNamed(wrapper, 'Enable Two-Factor Auth')).toBeUndefined()
  })

  it('sends an account without a password a link to set one, through the reset flow', async () => {
    session.user = { ...ADA, has_password: false }
    const api = installFakeApi({ 'POST /auth/forgot': jsonResponse(204) })
    const wrapper = mountAccount()
    expect(buttonNamed(wrapper, 'Change Password')).toBeUndefined()
    expect(buttonNamed(wrapper, 'Enable Two-Factor Auth')?.attributes('disabled')).toBeDefined()
    expect(wrapper.find('button[aria-label="Edit email"]').attributes('disabled')).toBeDefined()

    await wrapper.find('[data-testid="set-password"]').trigger('click')
    await flushPromises()
    expect(api.calls('POST /auth/forgot')[0]!.body).toEqual({ login: 'ada@example.org' })
    expect(wrapper.find('[data-testid="account-notice"]').text()).toContain('We sent a link to ada@example.org')
  })

  it('says so when the set-password link could not be sent', async () => {
    session.user = { ...ADA, has_password: false }
    installFakeApi({ 'POST /auth/forgot': jsonResponse(503, { code: 0, message: 'Mail is down.' }) })
    const wrapper = mountAccount()
    await wrapper.find('[data-testid="set-password"]').trigger('click')
    await flushPromises()
    const notice = wrapper.find('[data-testid="account-notice"]')
    expect(notice.attributes('role')).toBe('alert')
    expect(notice.text()).toContain('Mail is down.')
  })

  it('opens the delete dialog from the danger zone and reports the deletion', async () => {
    installFakeApi({ 'POST /users/@me/delete': jsonResponse(204) })
    const wrapper = mountAccount()
    await buttonNamed(wrapper, 'Delete Account')!.trigger('click')
    await flushPromises()
    const dialog = wrapper.find('[data-testid="delete-account-dialog"]')
    expect(dialog.attributes('open')).toBeDefined()
    await dialog.find('input').setValue('hunter22')
    await dialog.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.emitted('accountDeleted')).toHaveLength(1)
  })
})
