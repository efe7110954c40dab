// Deleting one's own account: confirmed with the password (and a code with two-factor on), or,
// for accounts without a password, by typing the username.
import { api, type ApiClient } from '@/api/client'
import { deleteAccount, type DeleteAccountRequest } from '@/api/users'
import { validateCurrentPassword } from '@/models/account'
import { useSessionStore } from '@/stores/session'
import { checkMfaCode, mfaCodeField } from './useAccountEdit'
import { useServerForm } from './useServerForm'

export type DeleteAccountField = 'password' | 'code' | 'confirm'

export function useDeleteAccount(open: () => boolean, client: ApiClient = api) {
  const session = useSessionStore()

  function request(fields: Record<DeleteAccountField, string>): DeleteAccountRequest {
    const user = session.user
    if (user !== null && !user.has_password) return { confirm: fields.confirm.trim() }
    return { password: fields.password, ...mfaCodeField(fields.code, user) }
  }

  return useServerForm<DeleteAccountField, void>({
    initial: () => ({ password: '', code: '', confirm: '' }),
    validate: (fields) => {
      const user = session.user
      const errors: Partial<Record<DeleteAccountField, string>> = {}
      if (user !== null && !user.has_password) {
        const typed = fields.confirm.trim().toLowerCase()
        if (typed === '') errors.confirm = 'Required'
        else if (typed !== user.username.toLowerCase()) errors.confirm = 'That is not your username.'
        return errors
      }
      const password = validateCurrentPassword(fields.password)
      if (password) errors.password = password
      const code = checkMfaCode(fields.code, user)
      if (code) errors.code = code
      return errors
    },
    send: (fields) => deleteAccount(request(fields), client),
    serverFields: { password: 'password', code: 'code', confirm: 'confirm' },
    open,
  })
}
