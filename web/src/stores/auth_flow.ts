// Hand-offs between pages of the sign-in flows, kept in memory only: a two-factor ticket from a
// provider sign-in for the login page's code step, a message for the login page (an error from
// a provider, "your account was deleted"), and a settings section to open once the app shows
// (after linking a provider). Each is taken once by the page it is for.
import { defineStore } from 'pinia'
import { ref } from 'vue'

export interface LoginNotice {
  kind: 'error' | 'info'
  message: string
}

/** Settings sections another page can ask the app to open. */
export type SettingsSectionRequest = 'account' | 'sessions' | 'connections' | 'appearance' | 'notifications'

export interface SettingsRequest {
  section: SettingsSectionRequest
  /** A provider just linked to the account: Connections confirms it by name. */
  linkedProvider?: string
}

export const useAuthFlowStore = defineStore('authFlow', () => {
  const mfaTicket = ref<string | null>(null)
  const loginNotice = ref<LoginNotice | null>(null)
  const settingsRequest = ref<SettingsRequest | null>(null)

  function takeMfaTicket(): string | null {
    const ticket = mfaTicket.value
    mfaTicket.value = null
    return ticket
  }

  function takeLoginNotice(): LoginNotice | null {
    const notice = loginNotice.value
    loginNotice.value = null
    return notice
  }

  function takeSettingsRequest(): SettingsRequest | null {
    const request = settingsRequest.value
    settingsRequest.value = null
    return request
  }

  return { mfaTicket, loginNotice, settingsRequest, takeMfaTicket, takeLoginNotice, takeSettingsRequest }
})
