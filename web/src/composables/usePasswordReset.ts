// /reset#token=...: a new password from a mailed link. Accounts with two-factor on also need a
// code, which the server asks for (field `code`, MFA_REQUIRED) only once the link checked out:
// the field appears then. Success ends every session, this browser's included.
import { ref } from 'vue'
import { resetPassword } from '@/api/auth'
import { api, type ApiClient } from '@/api/client'
import { validatePassword, validatePasswordConfirmation } from '@/models/account'
import { guessMfaCodeKind, normalizeMfaCode, validateMfaCode } from '@/models/mfa'
import { useSessionStore } from '@/stores/session'
import { useServerForm } from './useServerForm'

export type ResetField = 'password' | 'confirmPassword' | 'code'

export function usePasswordReset(token: () => string | null, client: ApiClient = api) {
  const session = useSessionStore()
  /** The server said this account needs a two-factor (or recovery) code. */
  const needsCode = ref(false)
  /** The link is unknown, used or expired: only a new one helps. */
  const linkInvalid = ref(token() === null)
  const linkMessage = ref<string | null>(null)

  const form = useServerForm<ResetField, void>({
    initial: () => ({ password: '', confirmPassword: '', code: '' }),
    validate: (fields) => {
      const errors: Partial<Record<ResetField, string>> = {}
      const password = validatePassword(fields.password)
      if (password) errors.password = password
      const confirmation = validatePasswordConfirmation(fields.password, fields.confirmPassword)
      if (confirmation) errors.confirmPassword = confirmation
      if (needsCode.value) {
        const code = validateMfaCode(fields.code, guessMfaCodeKind(fields.code))
        if (code) errors.code = code
      }
      return errors
    },
    send: (fields) =>
      resetPassword(
        {
          token: token() ?? '',
          password: fields.password,
          ...(needsCode.value ? { code: normalizeMfaCode(fields.code, guessMfaCodeKind(fields.code)) } : {}),
        },
        client,
      ),
    serverFields: { password: 'password', new_password: 'password', code: 'code' },
  })

  async function submit(): Promise<boolean> {
    if (linkInvalid.value) return false
    if (await form.submit()) {
      // Every session ended on the server; this browser's token is dead too.
      session.clear(null)
      return true
    }
    const error = form.error.value
    if (error === null) return false
    if (error.hasFieldCode('code', 'MFA_REQUIRED') && !needsCode.value) {
      // Not a mistake: the next step. The field appears without an error on it.
      needsCode.value = true
      form.status.value = 'idle'
      form.error.value = null
    } else if (error.fieldErrors.token !== undefined || error.hasFieldCode('token', 'INVALID_TOKEN')) {
      linkInvalid.value = true
      linkMessage.value = error.fieldErrors.token?.[0] ?? null
    }
    return false
  }

  return { ...form, needsCode, linkInvalid, linkMessage, submit }
}
