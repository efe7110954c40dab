import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, ref } from 'vue'
import UserChangePasswordDialog from '@/components/user/UserChangePasswordDialog.vue'
import { ADA, installFakeApi, jsonResponse } from '../support/fake_api'
import { signInAda } from './account_dialogs_support'

const CURRENT = 'correct horse battery staple'
const NEW = 'a much better passphrase'

/** A parent that closes the dialog on `close` and `saved`, like the My Account tab does. */
function mountWithParent() {
  const open = ref(true)
  const saved: string[] = []
  const Parent = defineComponent(() => () =>
    h(UserChangePasswordDialog, {
      open: open.value,
      onClose: () => (open.value = false),
      onSaved: (message: string) => {
        saved.push(message)
        open.value = false
      },
    }),
  )
  const wrapper = mount(Parent, { attachTo: document.body })
  return { wrapper, open, saved }
}

async function fill(wrapper: ReturnType<typeof mountWithParent>['wrapper'], values: [string, string, string]) {
  const inputs = wrapper.findAll('input')
  expect(inputs).toHaveLength(3)
  for (const [index, value] of values.entries()) await inputs[index]!.setValue(value)
  await wrapper.find('form').trigger('submit')
  await flushPromises()
}

function labelText(wrapper: ReturnType<typeof mountWithParent>['wrapper'], name: string): string {
  const label = wrapper.findAll('label').find((candidate) => candidate.text().startsWith(name))
  if (!label) throw new Error(`no "${name}" field`)
  return label.text()
}

beforeEach(() => {
  signInAda()
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('UserChangePasswordDialog', () => {
  it('blocks mismatched new passwords without asking the server', async () => {
    const api = installFakeApi({ 'PATCH /users/@me': jsonResponse(200, ADA) })
    const { wrapper, open } = mountWithParent()
    await fill(wrapper, [CURRENT, NEW, `${NEW}!`])

    expect(api.calls('PATCH /users/@me')).toHaveLength(0)
    expect(labelText(wrapper, 'Confirm New Password')).toContain('Passwords do not match.')
    expect(open.value).toBe(true)
  })

  it('blocks a new password shorter than 8 characters', async () => {
    const api = installFakeApi({ 'PATCH /users/@me': jsonResponse(200, ADA) })
    const { wrapper } = mountWithParent()
    await fill(wrapper, [CURRENT, 'short', 'short'])
    expect(api.calls('PATCH /users/@me')).toHaveLength(0)
    expect(labelText(wrapper, 'New Password')).toContain('Must be between 8 and 128 in length.')
  })

  it("shows the server's field errors under the fields they are about", async () => {
    installFakeApi({
      'PATCH /users/@me': jsonResponse(400, {
        code: 50035,
        message: 'Invalid Form Body',
        errors: { password: { _errors: [{ code: 'PASSWORD_DOES_NOT_MATCH', message: 'Password does not match.' }] } },
      }),
    })
    const { wrapper, open, saved } = mountWithParent()
    await fill(wrapper, ['wrong password', NEW, NEW])

    expect(labelText(wrapper, 'Current Password')).toContain('Password does not match.')
    expect(labelText(wrapper, 'New Password')).not.toContain('-')
    expect(open.value).toBe(true)
    expect(saved).toEqual([])
  })

  it('shows a failure without field errors in a banner', async () => {
    installFakeApi({ 'PATCH /users/@me': jsonResponse(500, { code: 0, message: 'The database is unavailable.' }) })
    const { wrapper, open } = mountWithParent()
    await fill(wrapper, [CURRENT, NEW, NEW])
    expect(wrapper.find('[role="alert"]').text()).toContain('The database is unavailable.')
    expect(open.value).toBe(true)
  })

  it('sends the current and new password, then closes', async () => {
    const api = installFakeApi({ 'PATCH /users/@me': jsonResponse(200, ADA) })
    const { wrapper, open, saved } = mountWithParent()
    await fill(wrapper, [CURRENT, NEW, NEW])

    expect(api.calls('PATCH /users/@me')[0]!.body).toEqual({ password: CURRENT, new_password: NEW })
    expect(open.value).toBe(false)
    expect(saved).toHaveLength(1)
    expect(wrapper.find('form').exists()).toBe(false)
    expect(wrapper.find('dialog').attributes('open')).toBeUndefined()
  })
})
