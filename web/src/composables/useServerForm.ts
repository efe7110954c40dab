// One form that sends one request: client checks first, then the request; the server's field
// errors land under the input they are about, anything else in a banner. The My Account dialogs,
// two-factor and account deletion are all built on it.
import { computed, ref, watch, type Ref } from 'vue'
import { ApiError } from '@/api/client'

/** 'done' once the server accepted; a dialog then closes or moves on. */
export type ServerFormStatus = 'idle' | 'loading' | 'done' | 'error'

export interface ServerFormConfig<Field extends string, Result> {
  /** The fields' starting values, read again on every reset(). */
  initial: () => Record<Field, string>
  /** One message per invalid field; empty means "send it". */
  validate: (fields: Record<Field, string>) => Partial<Record<Field, string>>
  send: (fields: Record<Field, string>) => Promise<Result>
  /** The request's field names, as the server reports errors against them, to the form's fields. */
  serverFields: Record<string, Field>
  /** The dialog's open state: every opening starts from fresh values with no leftover errors. */
  open?: () => boolean
}

export function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'Something went wrong. Please try again.')
}

export function useServerForm<Field extends string, Result>(config: ServerFormConfig<Field, Result>) {
  const fields = ref(config.initial()) as Ref<Record<Field, string>>
  const status = ref<ServerFormStatus>('idle')
  const error = ref<ApiError | null>(null)
  const clientErrors = ref<Partial<Record<Field, string>>>({}) as Ref<Partial<Record<Field, string>>>
  /** The last accepted answer. */
  const result = ref<Result | null>(null) as Ref<Result | null>

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
    const retry = error.value.retryAfter !== null ? ` You can try again in ${Math.ceil(error.value.retryAfter)} s.` : ''
    return { message: error.value.message + retry, details: unplaced }
  })

  function errorFor(field: Field): string | null {
    return clientErrors.value[field] ?? serverErrors.value.byField[field] ?? null
  }

  function reset(): void {
    fields.value = config.initial()
    status.value = 'idle'
    error.value = null
    clientErrors.value = {}
    result.value = null
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

  /** Resolves true when the server accepted (the answer is then in `result`). */
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
      result.value = await config.send(fields.value)
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
    error,
    result,
    isLoading: computed(() => status.value === 'loading'),
    errorFor,
    bannerError,
    reset,
    submit,
  }
}
