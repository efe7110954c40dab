// The My Account edit dialogs: one small form each (display name, username, password), all sent as
// PATCH /users/@me. Client rules catch the obvious mistakes; the server's field errors land under
// the input they are about, anything else in a banner. On success the session store's user is
// replaced by the server's answer, so the user panel shows the change at once.
import { computed, ref, watch, type Ref } from 'vue'
import { api, ApiError, type ApiClient } from '@/api/client'
import { updateCurrentUser, type CurrentUser, type UpdateCurrentUserRequest } from '@/api/users'
import {
  normalizeDisplayName,
  validateCurrentPassword,
  validateDisplayName,
  validatePassword,
  validatePasswordConfirmation,
  validateUsername,
} from '@/models/account'
import { useSessionStore } from '@/stores/session'

/** 'done' once the server accepted the change; the dialog then closes. */
export type AccountFormStatus = 'idle' | 'loading' | 'done' | 'error'

interface AccountFormConfig<Field extends string> {
  /** The fields' starting values, read again on every reset(). */
  initial: (user: CurrentUser | null) => Record<Field, string>
  /** One message per invalid field; empty means "send it". */
  validate: (fields: Record<Field, string>) => Partial<Record<Field, string>>
  toRequest: (fields: Record<Field, string>) => UpdateCurrentUserRequest
  /** The request's field names, as the server reports errors against them, to the form's fields. */
  serverFields: Record<string, Field>
  /** The dialog's open state: every opening starts from fresh values with no leftover errors. */
  open?: () => boolean
  client?: ApiClient
}

function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'Something went wrong. Please try again.')
}

function useAccountForm<Field extends string>(config: AccountFormConfig<Field>) {
  const session = useSessionStore()
  const fields = ref(config.initial(session.user)) as Ref<Record<Field, string>>
  const status = ref<AccountFormStatus>('idle')
  const error = ref<ApiError | null>(null)
  const clientErrors = ref<Partial<Record<Field, string>>>({}) as Ref<Partial<Record<Field, string>>>

  const serverErrors = computed(() => {
    const byField: Partial<Record<Field, string>> = {}
    const unplaced: string[] = []
    if (status.value !== 'error' || error.value === null) return { byField, unplaced }
    for (const [path, messages] of Object.entries(error.value.fieldErrors)) {
      const field = config.serverFields[path]
      if (field !== undefined && messages[0] !== undefined) byField[field] ??= messages[0]
      else unplaced.push(...messages)
    }
    return { byField, unplaced }
  })

  /** An error no input can show: a plain failure, or field errors about fields the form lacks. */
  const bannerError = computed<{ message: string; details: string[] } | null>(() => {
    if (status.value !== 'error' || error.value === null) return null
    const { byField, unplaced } = serverErrors.value
    if (Object.keys(byField).length > 0 && unplaced.length === 0) return null
    return { message: error.value.message, details: unplaced }
  })

  function errorFor(field: Field): string | null {
    return clientErrors.value[field] ?? serverErrors.value.byField[field] ?? null
  }

  function reset(): void {
    fields.value = config.initial(session.user)
    status.value = 'idle'
    error.value = null
    clientErrors.value = {}
  }

  if (config.open) {
    watch(
      config.open,
      (open) => {
        if (open) reset()
      },
      { immediate: true },
    )
  }

  /** Resolves true when the server accepted the change (and the store holds the new user). */
  async function submit(): Promise<boolean> {
    if (status.value === 'loading') return false
    clientErrors.value = config.validate(fields.value)
    if (Object.keys(clientErrors.value).length > 0) {
      status.value = 'idle'
      error.value = null
      return false
    }
    status.value = 'loading'
    error.value = null
    try {
      session.user = await updateCurrentUser(config.toRequest(fields.value), config.client ?? api)
      status.value = 'done'
      return true
    } catch (caught) {
      error.value = asApiError(caught)
      status.value = 'error'
      return false
    }
  }

  return {
    fields,
    status,
    isLoading: computed(() => status.value === 'loading'),
    errorFor,
    bannerError,
    reset,
    submit,
  }
}

export type DisplayNameField = 'globalName'

export function useEditDisplayName(open?: () => boolean, client?: ApiClient) {
  return useAccountForm<DisplayNameField>({
    initial: (user) => ({ globalName: user?.global_name ?? '' }),
    validate: (fields) => {
      const globalName = validateDisplayName(fields.globalName)
      return globalName ? { globalName } : {}
    },
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
    validate: (fields) => {
      const errors: Partial<Record<UsernameField, string>> = {}
      const username = validateUsername(fields.username)
      if (username) errors.username = username
      const password = validateCurrentPassword(fields.password)
      if (password) errors.password = password
      return errors
    },
    toRequest: (fields) => ({ username: fields.username.trim(), password: fields.password }),
    serverFields: { username: 'username', password: 'password' },
    open,
    client,
  })
}

export type PasswordField = 'currentPassword' | 'newPassword' | 'confirmPassword'

export function useChangePassword(open?: () => boolean, client?: ApiClient) {
  return useAccountForm<PasswordField>({
    initial: () => ({ currentPassword: '', newPassword: '', confirmPassword: '' }),
    validate: (fields) => {
      const errors: Partial<Record<PasswordField, string>> = {}
      const current = validateCurrentPassword(fields.currentPassword)
      if (current) errors.currentPassword = current
      const next = validatePassword(fields.newPassword)
      if (next) errors.newPassword = next
      const confirmation = validatePasswordConfirmation(fields.newPassword, fields.confirmPassword)
      if (confirmation) errors.confirmPassword = confirmation
      return errors
    },
    toRequest: (fields) => ({ password: fields.currentPassword, new_password: fields.newPassword }),
    serverFields: { password: 'currentPassword', new_password: 'newPassword' },
    open,
    client,
  })
}
