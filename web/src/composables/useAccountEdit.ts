// The My Account edit dialogs: one small form each (display name, username, email, password,
// about me), all sent as PATCH /users/@me through useServerForm. On success the session store's
// user is replaced by the server's answer, so the user panel shows the change at once.
import { api, type ApiClient } from '@/api/client'
import { updateCurrentUser, type CurrentUser, type UpdateCurrentUserRequest } from '@/api/users'
import {
  normalizeDisplayName,
  validateBio,
  validateCurrentPassword,
  validateDisplayName,
  validateEmail,
  validatePassword,
  validatePasswordConfirmation,
  validateUsername,
} from '@/models/account'
import { guessMfaCodeKind, normalizeMfaCode, validateMfaCode } from '@/models/mfa'
import { useSessionStore } from '@/stores/session'
import { useServerForm, type ServerFormStatus } from './useServerForm'

export type AccountFormStatus = ServerFormStatus

interface AccountFormConfig<Field extends string> {
  initial: (user: CurrentUser | null) => Record<Field, string>
  validate: (fields: Record<Field, string>, user: CurrentUser | null) => Partial<Record<Field, string>>
  toRequest: (fields: Record<Field, string>, user: CurrentUser | null) => UpdateCurrentUserRequest
  serverFields: Record<string, Field>
  open?: () => boolean
  client?: ApiClient
}

function useAccountForm<Field extends string>(config: AccountFormConfig<Field>) {
  const session = useSessionStore()
  return useServerForm<Field, CurrentUser>({
    initial: () => config.initial(session.user),
    validate: (fields) => config.validate(fields, session.user),
    send: async (fields) => {
      const user = await updateCurrentUser(config.toRequest(fields, session.user), config.client ?? api)
      session.user = user
      return user
    },
    serverFields: config.serverFields,
    open: config.open,
  })
}

/** Two-factor on: the code is required, either kind (the server says which it takes). */
export function checkMfaCode(code: string, user: CurrentUser | null): string | null {
  if (!user?.mfa_enabled) return null
  return validateMfaCode(code, guessMfaCodeKind(code))
}

/** The `code` member of a request, present only when two-factor is on. */
export function mfaCodeField(code: string, user: CurrentUser | null): { code?: string } {
  return user?.mfa_enabled ? { code: normalizeMfaCode(code, guessMfaCodeKind(code)) } : {}
}

function collect<Field extends string>(checks: Partial<Record<Field, string | null>>): Partial<Record<Field, string>> {
  const errors: Partial<Record<Field, string>> = {}
  for (const [field, message] of Object.entries(checks) as [Field, string | null | undefined][]) {
    if (message) errors[field] = message
  }
  return errors
}

export type DisplayNameField = 'globalName'

export function useEditDisplayName(open?: () => boolean, client?: ApiClient) {
  return useAccountForm<DisplayNameField>({
    initial: (user) => ({ globalName: user?.global_name ?? '' }),
    validate: (fields) => collect({ globalName: validateDisplayName(fields.globalName) }),
    // An empty name clears it, and the UI then falls back to the username.
    toRequest: (fields) => ({ global_name: normalizeDisplayName(fields.globalName) || null }),
    serverFields: { global_name: 'globalName' },
    open,
    client,
  })
}

export type UsernameField = 'username' | 'password'

export function useEditUsername(open?: () => boolean, client?: ApiClient) {
  return useAccountForm<UsernameField>({
    initial: (user) => ({ username: user?.username ?? '', password: '' }),
    validate: (fields) =>
      collect({ username: validateUsername(fields.username), password: validateCurrentPassword(fields.password) }),
    toRequest: (fields) => ({ username: fields.username.trim(), password: fields.password }),
    serverFields: { username: 'username', password: 'password' },
    open,
    client,
  })
}

export type EmailField = 'email' | 'password' | 'code'

export function useEditEmail(open?: () => boolean, client?: ApiClient) {
  return useAccountForm<EmailField>({
    initial: () => ({ email: '', password: '', code: '' }),
    validate: (fields, user) => {
      let email = validateEmail(fields.email)
      if (!email && user && fields.email.trim().toLowerCase() === user.email?.toLowerCase()) {
        email = 'This is already your email address.'
      }
      return collect({
        email,
        password: validateCurrentPassword(fields.password),
        code: checkMfaCode(fields.code, user),
      })
    },
    toRequest: (fields, user) => ({
      email: fields.email.trim(),
      password: fields.password,
      ...mfaCodeField(fields.code, user),
    }),
    serverFields: { email: 'email', password: 'password', code: 'code' },
    open,
    client,
  })
}

export type PasswordField = 'currentPassword' | 'newPassword' | 'confirmPassword' | 'code'

export function useChangePassword(open?: () => boolean, client?: ApiClient) {
  return useAccountForm<PasswordField>({
    initial: () => ({ currentPassword: '', newPassword: '', confirmPassword: '', code: '' }),
    validate: (fields, user) =>
      collect({
        currentPassword: validateCurrentPassword(fields.currentPassword),
        newPassword: validatePassword(fields.newPassword),
        confirmPassword: validatePasswordConfirmation(fields.newPassword, fields.confirmPassword),
        code: checkMfaCode(fields.code, user),
      }),
    toRequest: (fields, user) => ({
      password: fields.currentPassword,
      new_password: fields.newPassword,
      ...mfaCodeField(fields.code, user),
    }),
    serverFields: { password: 'currentPassword', new_password: 'newPassword', code: 'code' },
    open,
    client,
  })
}

export type BioField = 'bio'

export function useEditBio(open?: () => boolean, client?: ApiClient) {
  return useAccountForm<BioField>({
    initial: (user) => ({ bio: user?.bio ?? '' }),
    validate: (fields) => collect({ bio: validateBio(fields.bio) }),
    // Empty clears it.
    toRequest: (fields) => ({ bio: fields.bio.trim() === '' ? null : fields.bio.trim() }),
    serverFields: { bio: 'bio' },
    open,
    client,
  })
}
