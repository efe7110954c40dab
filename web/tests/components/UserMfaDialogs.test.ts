import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, ref, type Component } from 'vue'
import UserBackupCodesDialog from '@/components/user/UserBackupCodesDialog.vue'
import UserMfaDisableDialog from '@/components/user/UserMfaDisableDialog.vue'
import UserMfaSetupDialog from '@/components/user/UserMfaSetupDialog.vue'
import { installFakeApi, jsonResponse } from '../support/fake_api'
import { signInAda } from './account_dialogs_support'

const SECRET = 'JBSWY3DPEHPK3PXP'
const URI = `otpauth://totp/Hearth:ada?secret=${SECRET}&issuer=Hearth&algorithm=SHA1&digits=6&period=30`
const CODES = Array.from({ length: 10 }, (_, index) => ({ code: `abcd-${2000 + index}`, consumed: false }))

function formError(field: string, code: string, message: string) {
  return jsonResponse(400, { code: 50035, message: 'Invalid Form Body', errors: { [field]: { _errors: [{ code, message }] } } })
}

function mountDialog(dialog: Component) {
  const open = ref(true)
  const saved: string[] = []
  const Parent = defineComponent(() => () =>
    h(dialog, {
      open: open.value,
      onClose: () => (open.value = false),
      onSaved: (message: string) => {
        saved.push(message)
        open.value = false
      },
    }),
  )
  return { wrapper: mount(Parent, { attachTo: document.body }), open, saved }
}

async function submit(wrapper: ReturnType<typeof mount>) {
  await wrapper.find('form').trigger('submit')
  await flushPromises()
}

function labelOf(wrapper: ReturnType<typeof mount>, name: string): string {
  return wrapper.findAll('label').find((label) => label.text().startsWith(name))?.text() ?? ''
}

let session: ReturnType<typeof signInAda>

beforeEach(() => {
  session = signInAda()
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('UserMfaSetupDialog', () => {
  it('goes password → QR and key → code → recovery codes, and turns 2FA on', async () => {
    const api = installFakeApi({
      'POST /users/@me/mfa/totp/setup': jsonResponse(200, { secret: SECRET, uri: URI }),
      'POST /users/@me/mfa/totp/enable': jsonResponse(200, { backup_codes: CODES }),
    })
    const { wrapper, open, saved } = mountDialog(UserMfaSetupDialog)

    await wrapper.find('input[type="password"]').setValue('hunter22')
    await submit(wrapper)
    expect(api.calls('POST /users/@me/mfa/totp/setup')[0]!.body).toEqual({ password: 'hunter22' })

    // The QR encoder loads with this step.
    await vi.waitFor(() => expect(wrapper.find('[data-testid="qr-code"]').exists()).toBe(true))
    expect(wrapper.find('[data-testid="qr-code"]').attributes('aria-label')).toBe('QR code for your authenticator app')
    expect(wrapper.findAll('[data-testid="mfa-secret"] span').map((group) => group.text())).toEqual([
      'JBSW',
      'Y3DP',
      'EHPK',
      '3PXP',
    ])
    const codeInput = wrapper.find('input[autocomplete="one-time-code"]')
    expect(document.activeElement).toBe(codeInput.element)

    const writeText = vi.fn(async () => {})
    vi.stubGlobal('navigator', { clipboard: { writeText } })
    const copyButton = wrapper.findAll('button').find((button) => button.text() === 'Copy')!
    await copyButton.trigger('click')
    await flushPromises()
    expect(writeText).toHaveBeenCalledWith(SECRET)
    expect(copyButton.text()).toBe('Copied')

    await codeInput.setValue('123 456')
    await submit(wrapper)
    expect(api.calls('POST /users/@me/mfa/totp/enable')[0]!.body).toEqual({ code: '123456' })
    expect(session.user?.mfa_enabled).toBe(true)

    const shown = wrapper.findAll('[data-testid="backup-codes"] li').map((item) => item.text())
    expect(shown).toEqual(CODES.map((entry) => entry.code))
    expect(wrapper.findAll('footer button').map((button) => button.text())).toEqual(['I saved them'])
    await submit(wrapper)
    expect(open.value).toBe(false)
    expect(saved[0]).toMatch(/Two-factor authentication is on/)
  })

  it('keeps a wrong password on the first step, under the field', async () => {
    installFakeApi({
      'POST /users/@me/mfa/totp/setup': formError('password', 'PASSWORD_DOES_NOT_MATCH', 'Password does not match.'),
    })
    const { wrapper } = mountDialog(UserMfaSetupDialog)
    await wrapper.find('input[type="password"]').setValue('wrong')
    await submit(wrapper)
    expect(labelOf(wrapper, 'Password')).toContain('Password does not match.')
    expect(wrapper.find('[data-testid="qr-code"]').exists()).toBe(false)
  })

  it('refuses a wrong code and stays on the QR step', async () => {
    installFakeApi({
      'POST /users/@me/mfa/totp/setup': jsonResponse(200, { secret: SECRET, uri: URI }),
      'POST /users/@me/mfa/totp/enable': formError('code', 'INVALID_MFA_CODE', 'Invalid two-factor code.'),
    })
    const { wrapper } = mountDialog(UserMfaSetupDialog)
    await wrapper.find('input[type="password"]').setValue('hunter22')
    await submit(wrapper)
    await wrapper.find('input[autocomplete="one-time-code"]').setValue('000000')
    await submit(wrapper)
    expect(labelOf(wrapper, 'Code from your app')).toContain('Invalid two-factor code.')
    expect(session.user?.mfa_enabled).toBe(false)
  })

  it('accepts only app codes at set-up, since there are no recovery codes yet', async () => {
    const api = installFakeApi({ 'POST /users/@me/mfa/totp/setup': jsonResponse(200, { secret: SECRET, uri: URI }) })
    const { wrapper } = mountDialog(UserMfaSetupDialog)
    await wrapper.find('input[type="password"]').setValue('hunter22')
    await submit(wrapper)
    await wrapper.find('input[autocomplete="one-time-code"]').setValue('abcd-2345')
    await submit(wrapper)
    expect(api.calls('POST /users/@me/mfa/totp/enable')).toHaveLength(0)
  })

  it('starts over on the password step each time it opens', async () => {
    installFakeApi({ 'POST /users/@me/mfa/totp/setup': jsonResponse(200, { secret: SECRET, uri: URI }) })
    const { wrapper, open } = mountDialog(UserMfaSetupDialog)
    await wrapper.find('input[type="password"]').setValue('hunter22')
    await submit(wrapper)
    open.value = false
    await flushPromises()
    open.value = true
    await flushPromises()
    expect(wrapper.find('input[type="password"]').exists()).toBe(true)
    expect((wrapper.find('input[type="password"]').element as HTMLInputElement).value).toBe('')
  })
})

describe('UserMfaDisableDialog', () => {
  it('sends the password and code, then turns 2FA off', async () => {
    session.user = { ...session.user!, mfa_enabled: true }
    const api = installFakeApi({ 'POST /users/@me/mfa/totp/disable': jsonResponse(204) })
    const { wrapper, saved } = mountDialog(UserMfaDisableDialog)
    const inputs = wrapper.findAll('input')
    await inputs[0]!.setValue('hunter22')
    await inputs[1]!.setValue('ABCD2345')
    await submit(wrapper)
    expect(api.calls('POST /users/@me/mfa/totp/disable')[0]!.body).toEqual({ password: 'hunter22', code: 'ABCD-2345' })
    expect(session.user?.mfa_enabled).toBe(false)
    expect(saved).toHaveLength(1)
  })

  it('needs both fields', async () => {
    const api = installFakeApi({})
    const { wrapper } = mountDialog(UserMfaDisableDialog)
    await submit(wrapper)
    expect(api.sent).toHaveLength(0)
    expect(wrapper.findAll('[aria-invalid="true"]')).toHaveLength(2)
  })
})

describe('UserBackupCodesDialog', () => {
  it('confirms with password and code, then shows the new set once', async () => {
    session.user = { ...session.user!, mfa_enabled: true }
    const api = installFakeApi({ 'POST /users/@me/mfa/codes': jsonResponse(200, { backup_codes: CODES }) })
    const { wrapper, open } = mountDialog(UserBackupCodesDialog)
    const inputs = wrapper.findAll('input')
    await inputs[0]!.setValue('hunter22')
    await inputs[1]!.setValue('123456')
    await submit(wrapper)
    expect(api.calls('POST /users/@me/mfa/codes')[0]!.body).toEqual({ password: 'hunter22', code: '123456' })
    expect(wrapper.findAll('[data-testid="backup-codes"] li')).toHaveLength(10)
    expect(wrapper.find('input').exists()).toBe(false)
    await submit(wrapper)
    expect(open.value).toBe(false)
  })
})
