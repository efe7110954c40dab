// Two-factor authentication in settings: turning it on (password, then scan and confirm a code,
// then the recovery codes, shown once), turning it off, and a new set of recovery codes. Each
// step is one useServerForm; the session store's user learns the new state on success.
import { computed, ref, watch } from 'vue'
import { api, type ApiClient } from '@/api/client'
import {
  disableTotp,
  enableTotp,
  regenerateBackupCodes,
  setupTotp,
  type BackupCode,
  type TotpSetup,
} from '@/api/users'
import { validateCurrentPassword } from '@/models/account'
import { guessMfaCodeKind, normalizeMfaCode, validateMfaCode } from '@/models/mfa'
import { useSessionStore } from '@/stores/session'
import { useServerForm } from './useServerForm'

function setMfaEnabled(session: ReturnType<typeof useSessionStore>, enabled: boolean): void {
  if (session.user !== null) session.user = { ...session.user, mfa_enabled: enabled }
}

/** Either kind of code, where the server takes both. */
function anyCode(code: string): string {
  return normalizeMfaCode(code, guessMfaCodeKind(code))
}

export type MfaSetupStep = 'password' | 'scan' | 'codes'

export function useMfaSetup(open: () => boolean, client: ApiClient = api) {
  const session = useSessionStore()
  const step = ref<MfaSetupStep>('password')
  const setup = ref<TotpSetup | null>(null)
  const backupCodes = ref<BackupCode[]>([])

  const passwordForm = useServerForm<'password', TotpSetup>({
    initial: () => ({ password: '' }),
    validate: (fields) => {
      const password = validateCurrentPassword(fields.password)
      return password ? { password } : {}
    },
    send: (fields) => setupTotp({ password: fields.password }, client),
    serverFields: { password: 'password' },
  })

  // The set-up step takes only codes from the app: a recovery code does not exist yet.
  const codeForm = useServerForm<'code', BackupCode[]>({
    initial: () => ({ code: '' }),
    validate: (fields) => {
      const code = validateMfaCode(fields.code, 'totp')
      return code ? { code } : {}
    },
    send: async (fields) => (await enableTotp({ code: normalizeMfaCode(fields.code, 'totp') }, client)).backup_codes,
    serverFields: { code: 'code' },
  })

  watch(
    open,
    (isOpen) => {
      if (!isOpen) return
      step.value = 'password'
      setup.value = null
      backupCodes.value = []
      passwordForm.reset()
      codeForm.reset()
    },
    { immediate: true },
  )

  async function submitPassword(): Promise<boolean> {
    if (!(await passwordForm.submit()) || passwordForm.result.value === null) return false
    setup.value = passwordForm.result.value
    step.value = 'scan'
    return true
  }

  async function submitCode(): Promise<boolean> {
    if (!(await codeForm.submit()) || codeForm.result.value === null) return false
    backupCodes.value = codeForm.result.value
    setMfaEnabled(session, true)
    step.value = 'codes'
    return true
  }

  const isLoading = computed(() => passwordForm.isLoading.value || codeForm.isLoading.value)

  return { step, setup, backupCodes, passwordForm, codeForm, isLoading, submitPassword, submitCode }
}

export type PasswordCodeField = 'password' | 'code'

function passwordAndCodeForm<Result>(
  open: () => boolean,
  send: (body: { password: string; code: string }) => Promise<Result>,
) {
  return useServerForm<PasswordCodeField, Result>({
    initial: () => ({ password: '', code: '' }),
    validate: (fields) => {
      const errors: Partial<Record<PasswordCodeField, string>> = {}
      const password = validateCurrentPassword(fields.password)
      if (password) errors.password = password
      const code = validateMfaCode(fields.code, guessMfaCodeKind(fields.code))
      if (code) errors.code = code
      return errors
    },
    send: (fields) => send({ password: fields.password, code: anyCode(fields.code) }),
    serverFields: { password: 'password', code: 'code' },
    open,
  })
}

export function useMfaDisable(open: () => boolean, client: ApiClient = api) {
  const session = useSessionStore()
  const form = passwordAndCodeForm(open, async (body) => {
    await disableTotp(body, client)
    setMfaEnabled(session, false)
  })
  return form
}

export function useBackupCodes(open: () => boolean, client: ApiClient = api) {
  const form = passwordAndCodeForm(open, async (body) => (await regenerateBackupCodes(body, client)).backup_codes)
  /** The new codes once the server issued them; the dialog then shows them instead of the form. */
  const codes = computed<BackupCode[] | null>(() => (form.status.value === 'done' ? form.result.value : null))
  return { ...form, codes }
}
