import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import UserEditUsernameDialog from '@/components/user/UserEditUsernameDialog.vue'
import type { useSessionStore } from '@/stores/session'
import { ADA, installFakeApi, jsonResponse } from '../support/fake_api'
import { signInAda } from './account_dialogs_support'

const PASSWORD_MISMATCH = {
  code: 50035,
  message: 'Invalid Form Body',
  errors: { password: { _errors: [{ code: 'PASSWORD_DOES_NOT_MATCH', message: 'Password does not match.' }] } },
}

let session: ReturnType<typeof useSessionStore>

function mountDialog() {
  return mount(UserEditUsernameDialog, { props: { open: true }, attachTo: document.body })
}

/** The label (with its inline error) of the input with this visible name. */
function labelText(wrapper: ReturnType<typeof mountDialog>, name: string): string {
  const label = wrapper.findAll('label').find((candidate) => candidate.text().startsWith(name))
  if (!label) throw new Error(`no "${name}" field`)
  return label.text()
}

beforeEach(() => {
  session = signInAda()
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('UserEditUsernameDialog', () => {
  it('starts from the current username and shows the server error under Current Password', async () => {
    const api = installFakeApi({ 'PATCH /users/@me': jsonResponse(400, PASSWORD_MISMATCH) })
    const wrapper = mountDialog()
    const [username, password] = wrapper.findAll('input')
    expect((username!.element as HTMLInputElement).value).toBe('ada')

    await username!.setValue('ada.l')
    await password!.setValue('not my password')
    await wrapper.find('form').trigger('submit')
    await flushPromises()

    expect(api.calls('PATCH /users/@me')[0]!.body).toEqual({ username: 'ada.l', password: 'not my password' })
    expect(labelText(wrapper, 'Current Password')).toContain('Password does not match.')
    expect(password!.attributes('aria-invalid')).toBe('true')
    expect(username!.attributes('aria-invalid')).toBeUndefined()
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)
    expect(wrapper.emitted('saved')).toBeUndefined()
    expect(session.user?.username).toBe('ada')
  })

  it('asks for the current password before sending anything', async () => {
    const api = installFakeApi({ 'PATCH /users/@me': jsonResponse(200, ADA) })
    const wrapper = mountDialog()
    await wrapper.findAll('input')[0]!.setValue('ada.l')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(api.calls('PATCH /users/@me')).toHaveLength(0)
    expect(labelText(wrapper, 'Current Password')).toContain('Required')
  })

  it('shows loading on Done while the request is in flight, then updates the store and reports success', async () => {
    let answer: (response: Response) => void = () => {}
    installFakeApi({ 'PATCH /users/@me': () => new Promise<Response>((resolve) => (answer = resolve)) })
    const wrapper = mountDialog()
    const [username, password] = wrapper.findAll('input')
    await username!.setValue('ada.l')
    await password!.setValue('correct horse battery staple')
    await wrapper.find('form').trigger('submit')
    await flushPromises()

    const done = wrapper.find('button[type="submit"]')
    expect(done.attributes('aria-busy')).toBe('true')

    answer(jsonResponse(200, { ...ADA, username: 'ada.l' }))
    await flushPromises()
    expect(session.user?.username).toBe('ada.l')
    expect(session.displayName).toBe('Ada Lovelace')
    expect(wrapper.emitted('saved')).toHaveLength(1)
  })

  it('closes on Escape (the dialog cancel event) and on Cancel', async () => {
    installFakeApi({})
    const wrapper = mountDialog()
    const cancel = new Event('cancel', { cancelable: true })
    wrapper.find('dialog').element.dispatchEvent(cancel)
    expect(cancel.defaultPrevented).toBe(true)
    expect(wrapper.emitted('close')).toHaveLength(1)
    const cancelButton = wrapper.findAll('button').find((button) => button.text() === 'Cancel')
    await cancelButton!.trigger('click')
    expect(wrapper.emitted('close')).toHaveLength(2)
  })
})
