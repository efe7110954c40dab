// Shared set-up for the My Account dialog tests: Ada signed in, and the native dialog's
// showModal/close (missing from jsdom) stubbed to toggle the open attribute.
import { createPinia, setActivePinia } from 'pinia'
import { useSessionStore } from '@/stores/session'
import { ADA } from '../support/fake_api'

export function signInAda() {
  setActivePinia(createPinia())
  const session = useSessionStore()
  session.token = 'token'
  session.status = 'signed-in'
  session.user = { ...ADA }
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.setAttribute('open', '')
  }
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    this.removeAttribute('open')
  }
  return session
}
