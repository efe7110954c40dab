import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, ref, type Component } from 'vue'
import UserAvatarDialog from '@/components/user/UserAvatarDialog.vue'
import UserChangePasswordDialog from '@/components/user/UserChangePasswordDialog.vue'
import UserDeleteAccountDialog from '@/components/user/UserDeleteAccountDialog.vue'
import UserEditBioDialog from '@/components/user/UserEditBioDialog.vue'
import UserEditEmailDialog from '@/components/user/UserEditEmailDialog.vue'
import { AVATAR_MAX_BYTES } from '@/models/avatar'
import { ADA, installFakeApi, jsonResponse } from '../support/fake_api'
import { signInAda } from './account_dialogs_support'

function formError(field: string, code: string, message: string) {
  return jsonResponse(400, { code: 50035, message: 'Invalid Form Body', errors: { [field]: { _errors: [{ code, message }] } } })
}

function mountDialog(dialog: Component) {
  const open = ref(true)
  const saved: string[] = []
  let deleted = 0
  const Parent = defineComponent(() => () =>
    h(dialog, {
      open: open.value,
      onClose: () => (open.value = false),
      onSaved: (message: string) => {
        saved.push(message)
        open.value = false
      },
      onDeleted: () => (deleted += 1),
    }),
  )
  return { wrapper: mount(Parent, { attachTo: document.body }), open, saved, deleted: () => deleted }
}

async function fillAndSubmit(wrapper: ReturnType<typeof mount>, values: string[]) {
  const inputs = wrapper.findAll('input:not([type="file"]), textarea')
  expect(inputs.length).toBe(values.length)
  for (const [index, value] of values.entries()) await inputs[index]!.setValue(value)
  await wrapper.find('form').trigger('submit')
  await flushPromises()
}

function labelOf(wrapper: ReturnType<typeof mount>, name: string): string {
  const label = wrapper.findAll('label').find((candidate) => candidate.text().startsWith(name))
  if (!label) throw new Error(`no "${name}" field`)
  return label.text()
}

let session: ReturnType<typeof signInAda>

beforeEach(() => {
  session = signInAda()
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('UserEditEmailDialog', () => {
  it('sends the new email with the current password, and the store shows it unverified', async () => {
    const api = installFakeApi({
      'PATCH /users/@me': jsonResponse(200, { ...ADA, email: 'ada@new.example.org', verified: false }),
    })
    const { wrapper, saved } = mountDialog(UserEditEmailDialog)
    await fillAndSubmit(wrapper, [' ada@new.example.org ', 'hunter22'])
    expect(api.calls('PATCH /users/@me')[0]!.body).toEqual({ email: 'ada@new.example.org', password: 'hunter22' })
    expect(session.user?.email).toBe('ada@new.example.org')
    expect(saved[0]).toContain('ada@new.example.org')
  })

  it('asks for a two-factor code too when 2FA is on', async () => {
    session.user = { ...session.user!, mfa_enabled: true }
    const api = installFakeApi({ 'PATCH /users/@me': jsonResponse(200, ADA) })
    const { wrapper } = mountDialog(UserEditEmailDialog)
    await fillAndSubmit(wrapper, ['ada@new.example.org', 'hunter22', '654 321'])
    expect(api.calls('PATCH /users/@me')[0]!.body).toEqual({
      email: 'ada@new.example.org',
      password: 'hunter22',
      code: '654321',
    })
  })

  it('places the server errors under email and code', async () => {
    session.user = { ...session.user!, mfa_enabled: true }
    installFakeApi({
      'PATCH /users/@me': jsonResponse(400, {
        code: 50035,
        message: 'Invalid Form Body',
        errors: {
          email: { _errors: [{ code: 'EMAIL_ALREADY_REGISTERED', message: 'Email is already registered.' }] },
          code: { _errors: [{ code: 'INVALID_MFA_CODE', message: 'Invalid two-factor code.' }] },
        },
      }),
    })
    const { wrapper, open } = mountDialog(UserEditEmailDialog)
    await fillAndSubmit(wrapper, ['grace@example.org', 'hunter22', '000000'])
    expect(labelOf(wrapper, 'Email')).toContain('Email is already registered.')
    expect(labelOf(wrapper, 'Two-Factor Code')).toContain('Invalid two-factor code.')
    expect(labelOf(wrapper, 'Current Password')).not.toContain('Invalid')
    expect(open.value).toBe(true)
  })

  it('refuses the address the account already has', async () => {
    const api = installFakeApi({})
    const { wrapper } = mountDialog(UserEditEmailDialog)
    await fillAndSubmit(wrapper, ['ADA@example.org', 'hunter22'])
    expect(api.sent).toHaveLength(0)
    expect(labelOf(wrapper, 'Email')).toContain('already your email')
  })
})

describe('UserChangePasswordDialog with two-factor on', () => {
  it('adds a code field and sends the code', async () => {
    session.user = { ...session.user!, mfa_enabled: true }
    const api = installFakeApi({ 'PATCH /users/@me': jsonResponse(200, ADA) })
    const { wrapper } = mountDialog(UserChangePasswordDialog)
    await fillAndSubmit(wrapper, ['old password', 'new password!', 'new password!', '123456'])
    expect(api.calls('PATCH /users/@me')[0]!.body).toEqual({
      password: 'old password',
      new_password: 'new password!',
      code: '123456',
    })
  })

  it('requires the code', async () => {
    session.user = { ...session.user!, mfa_enabled: true }
    const api = installFakeApi({})
    const { wrapper } = mountDialog(UserChangePasswordDialog)
    await fillAndSubmit(wrapper, ['old password', 'new password!', 'new password!', ''])
    expect(api.sent).toHaveLength(0)
    expect(labelOf(wrapper, 'Two-Factor Code')).toContain('Required')
  })
})

describe('UserEditBioDialog', () => {
  it('counts down to 190 and refuses more', async () => {
    const api = installFakeApi({})
    const { wrapper } = mountDialog(UserEditBioDialog)
    const textarea = wrapper.find('textarea')
    await textarea.setValue('hello 👋')
    expect(wrapper.find('[data-testid="textarea-counter"] [aria-hidden="true"]').text()).toBe('183')
    await textarea.setValue('x'.repeat(191))
    expect(wrapper.find('[data-testid="textarea-counter"] [aria-hidden="true"]').text()).toBe('-1')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(api.sent).toHaveLength(0)
    expect(labelOf(wrapper, 'About Me')).toContain('Must be 190 or fewer in length.')
  })

  it('saves the text, or null when emptied', async () => {
    session.user = { ...session.user!, bio: 'old' }
    const api = installFakeApi({ 'PATCH /users/@me': jsonResponse(200, { ...ADA, bio: '' }) })
    const { wrapper } = mountDialog(UserEditBioDialog)
    expect((wrapper.find('textarea').element as HTMLTextAreaElement).value).toBe('old')
    await fillAndSubmit(wrapper, ['   '])
    expect(api.calls('PATCH /users/@me')[0]!.body).toEqual({ bio: null })
  })
})

describe('UserAvatarDialog', () => {
  async function pick(wrapper: ReturnType<typeof mount>, file: File) {
    const input = wrapper.find('input[type="file"]')
    Object.defineProperty(input.element, 'files', { value: [file], configurable: true })
    await input.trigger('change')
    // FileReader answers on a later task.
    await vi.waitFor(() => expect(wrapper.text()).not.toContain('Reading the image'))
  }

  function fileOf(size: number, type: string, name = 'me.png'): File {
    const file = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], name, { type })
    Object.defineProperty(file, 'size', { value: size })
    return file
  }

  it('accepts only the image types the server takes', () => {
    const { wrapper } = mountDialog(UserAvatarDialog)
    expect(wrapper.find('input[type="file"]').attributes('accept')).toBe('image/png,image/jpeg,image/gif,image/webp')
  })

  it('refuses a file over 8 MiB without uploading it', async () => {
    const api = installFakeApi({})
    const { wrapper } = mountDialog(UserAvatarDialog)
    await pick(wrapper, fileOf(AVATAR_MAX_BYTES + 1, 'image/png'))
    await flushPromises()
    expect(wrapper.find('[data-testid="avatar-error"]').text()).toContain('the limit is 8 MiB')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(api.sent).toHaveLength(0)
  })

  it('refuses other file types', async () => {
    const { wrapper } = mountDialog(UserAvatarDialog)
    await pick(wrapper, fileOf(100, 'image/svg+xml', 'me.svg'))
    await flushPromises()
    expect(wrapper.find('[data-testid="avatar-error"]').text()).toContain('PNG, JPEG, GIF or WebP')
  })

  it('previews the image and uploads it as a data URI', async () => {
    const api = installFakeApi({ 'PATCH /users/@me': jsonResponse(200, { ...ADA, avatar: 'a'.repeat(32) }) })
    const { wrapper, saved } = mountDialog(UserAvatarDialog)
    await pick(wrapper, fileOf(4, 'image/png'))
    await flushPromises()
    expect(wrapper.find('img').attributes('src')).toBe('data:image/png;base64,iVBORw==')
    expect(wrapper.text()).toContain('Preview of me.png')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(api.calls('PATCH /users/@me')[0]!.body).toEqual({ avatar: 'data:image/png;base64,iVBORw==' })
    expect(session.avatarUrl).toBe(`/api/v1/avatars/100/${'a'.repeat(32)}`)
    expect(saved).toEqual(['Your avatar has been updated.'])
  })

  it("shows the server's reason under the picker", async () => {
    installFakeApi({ 'PATCH /users/@me': formError('avatar', 'IMAGE_INVALID', 'That is not an image.') })
    const { wrapper } = mountDialog(UserAvatarDialog)
    await pick(wrapper, fileOf(4, 'image/png'))
    await flushPromises()
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[data-testid="avatar-error"]').text()).toContain('That is not an image.')
    expect(wrapper.find('[data-testid="form-error"]').exists()).toBe(false)
  })

  it('removes the current avatar with null', async () => {
    session.user = { ...session.user!, avatar: 'b'.repeat(32) }
    const api = installFakeApi({ 'PATCH /users/@me': jsonResponse(200, ADA) })
    const { wrapper, saved } = mountDialog(UserAvatarDialog)
    expect(wrapper.find('img').attributes('src')).toBe(`/api/v1/avatars/100/${'b'.repeat(32)}`)
    await wrapper.findAll('button').find((button) => button.text() === 'Remove Avatar')!.trigger('click')
    await flushPromises()
    expect(api.calls('PATCH /users/@me')[0]!.body).toEqual({ avatar: null })
    expect(saved).toEqual(['Your avatar has been removed.'])
  })
})

describe('UserDeleteAccountDialog', () => {
  it('explains what goes, then deletes with the password', async () => {
    const api = installFakeApi({ 'POST /users/@me/delete': jsonResponse(204) })
    const { wrapper, deleted } = mountDialog(UserDeleteAccountDialog)
    expect(wrapper.text()).toContain('Every device signed in to the account is signed out.')
    expect(wrapper.find('footer button[type="submit"]').classes()).toContain('ui-button--danger')
    await fillAndSubmit(wrapper, ['hunter22'])
    expect(api.calls('POST /users/@me/delete')[0]!.body).toEqual({ password: 'hunter22' })
    expect(deleted()).toBe(1)
  })

  it('adds the code with two-factor on', async () => {
    session.user = { ...session.user!, mfa_enabled: true }
    const api = installFakeApi({ 'POST /users/@me/delete': jsonResponse(204) })
    const { wrapper } = mountDialog(UserDeleteAccountDialog)
    await fillAndSubmit(wrapper, ['hunter22', '123456'])
    expect(api.calls('POST /users/@me/delete')[0]!.body).toEqual({ password: 'hunter22', code: '123456' })
  })

  it('asks accounts without a password to type their username', async () => {
    session.user = { ...session.user!, has_password: false }
    const api = installFakeApi({ 'POST /users/@me/delete': jsonResponse(204) })
    const { wrapper, deleted } = mountDialog(UserDeleteAccountDialog)
    await fillAndSubmit(wrapper, ['grace'])
    expect(api.sent).toHaveLength(0)
    expect(labelOf(wrapper, 'Type your username')).toContain('That is not your username.')
    await fillAndSubmit(wrapper, ['Ada'])
    expect(api.calls('POST /users/@me/delete')[0]!.body).toEqual({ confirm: 'Ada' })
    expect(deleted()).toBe(1)
  })

  it('keeps the dialog open on a wrong password', async () => {
    installFakeApi({
      'POST /users/@me/delete': formError('password', 'PASSWORD_DOES_NOT_MATCH', 'Password does not match.'),
    })
    const { wrapper, deleted, open } = mountDialog(UserDeleteAccountDialog)
    await fillAndSubmit(wrapper, ['wrong'])
    expect(labelOf(wrapper, 'Password')).toContain('Password does not match.')
    expect(deleted()).toBe(0)
    expect(open.value).toBe(true)
  })
})
