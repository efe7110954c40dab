// The login page's two steps: the password, then, for accounts with two-factor on, a code.
// `useLoginFlow` says which step shows (a provider sign-in may hand over a ticket and start at
// the code step); `useMfaLogin` runs the code step.
import { computed, ref } from 'vue'
import { loginWithMfa } from '@/api/auth'
import type { ApiError} from '@/api/client';
import { api, type ApiClient } from '@/api/client'
import { normalizeMfaCode, validateMfaCode, type MfaCodeKind } from '@/models/mfa'
import { useAuthFlowStore, type LoginNotice } from '@/stores/auth_flow'
import { asApiError } from './useServerForm'

export type LoginStep = 'password' | 'code'

export const TICKET_EXPIRED_MESSAGE = 'Your sign-in timed out. Enter your password again.'

export function useLoginFlow() {
  const authFlow = useAuthFlowStore()
  const ticket = ref<string | null>(authFlow.takeMfaTicket())
  const notice = ref<LoginNotice | null>(authFlow.takeLoginNotice())
  const step = computed<LoginStep>(() => (ticket.value === null ? 'password' : 'code'))

  function onMfaRequired(newTicket: string): void {
    ticket.value = newTicket
    notice.value = null
  }

  function onTicketExpired(message: string): void {
    ticket.value = null
    notice.value = { kind: 'error', message }
  }

  function backToPassword(): void {
    ticket.value = null
    notice.value = null
  }

  function dismissNotice(): void {
    notice.value = null
  }

  return { step, ticket, notice, onMfaRequired, onTicketExpired, backToPassword, dismissNotice }
}

export type MfaLoginOutcome = { outcome: 'signed-in'; token: string } | { outcome: 'expired'; message: string }

export function useMfaLogin(ticket: () => string, client: ApiClient = api) {
  const kind = ref<MfaCodeKind>('totp')
  const code = ref('')
  const clientError = ref<string | null>(null)
  const status = ref<'idle' | 'loading' | 'done' | 'error'>('idle')
  const error = ref<ApiError | null>(null)

  /** Shown under the code field: ours, or the server's INVALID_MFA_CODE. */
  const codeError = computed(() => clientError.value ?? (status.value === 'error' ? (error.value?.fieldErrors.code?.[0] ?? null) : null))
  /** Anything else (rate limits, the network) goes in the banner. */
  const bannerError = computed(() => {
    if (status.value !== 'error' || error.value === null || error.value.fieldErrors.code !== undefined) return null
    const retry = error.value.retryAfter !== null ? ` You can try again in ${Math.ceil(error.value.retryAfter)} s.` : ''
    return error.value.message + retry
  })

  function toggleKind(): void {
    kind.value = kind.value === 'totp' ? 'recovery' : 'totp'
    code.value = ''
    clientError.value = null
    status.value = 'idle'
    error.value = null
  }

  async function submit(): Promise<MfaLoginOutcome | null> {
    if (status.value === 'loading') return null
    clientError.value = validateMfaCode(code.value, kind.value)
    if (clientError.value !== null) return null
    status.value = 'loading'
    error.value = null
    try {
      const answer = await loginWithMfa({ ticket: ticket(), code: normalizeMfaCode(code.value, kind.value) }, client)
      status.value = 'done'
      return { outcome: 'signed-in', token: answer.token }
    } catch (caught) {
      const failure = asApiError(caught)
      // Five minutes or five tries: the ticket is gone, so only the password step can help.
      if (failure.fieldErrors.ticket !== undefined || failure.hasFieldCode('ticket', 'MFA_TICKET_EXPIRED')) {
        status.value = 'idle'
        return { outcome: 'expired', message: TICKET_EXPIRED_MESSAGE }
      }
      error.value = failure
      status.value = 'error'
      return null
    }
  }

  return { kind, code, codeError, bannerError, status, isLoading: computed(() => status.value === 'loading'), toggleKind, submit }
}
