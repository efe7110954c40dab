// Email verification: using a mailed link (/verify#token=...), asking for a new one, and the
// app's "check your inbox" banner, which can be dismissed for the rest of the browser session.
import { computed, ref } from 'vue'
import { resendVerification, verifyEmail } from '@/api/auth'
import { api, type ApiClient } from '@/api/client'
import { useSessionStore } from '@/stores/session'
import { asApiError } from './useServerForm'

export type VerifyStatus = 'missing' | 'verifying' | 'verified' | 'invalid' | 'error'

export function useVerifyLink(client: ApiClient = api) {
  const session = useSessionStore()
  const status = ref<VerifyStatus>('verifying')
  const email = ref<string | null>(null)
  const message = ref<string | null>(null)
  let token: string | null = null

  async function verify(linkToken: string | null = token): Promise<void> {
    token = linkToken
    if (token === null) {
      status.value = 'missing'
      return
    }
    status.value = 'verifying'
    message.value = null
    try {
      const answer = await verifyEmail({ token }, client)
      email.value = answer.email
      session.markVerified(answer.user_id, answer.email)
      status.value = 'verified'
    } catch (caught) {
      const error = asApiError(caught)
      // Unknown, used or expired: trying the same link again cannot help, a new one can.
      const invalid = error.fieldErrors.token !== undefined || error.hasFieldCode('token', 'INVALID_TOKEN')
      status.value = invalid ? 'invalid' : 'error'
      message.value = invalid ? (error.fieldErrors.token?.[0] ?? null) : error.message
    }
  }

  return { status, email, message, verify }
}

export type ResendStatus = 'idle' | 'loading' | 'sent' | 'limited' | 'error'

export function useResendVerification(client: ApiClient = api) {
  const status = ref<ResendStatus>('idle')
  const message = ref<string | null>(null)

  async function resend(): Promise<void> {
    if (status.value === 'loading') return
    status.value = 'loading'
    message.value = null
    try {
      await resendVerification(client)
      status.value = 'sent'
    } catch (caught) {
      const error = asApiError(caught)
      if (error.isRateLimited) {
        status.value = 'limited'
        const minutes = error.retryAfter !== null ? Math.max(1, Math.ceil(error.retryAfter / 60)) : null
        message.value =
          minutes === null
            ? 'Too many emails sent. Try again later.'
            : `Too many emails sent. Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`
      } else {
        status.value = 'error'
        message.value = error.message
      }
    }
  }

  return { status, message, resend }
}

/** sessionStorage: lasts as long as the tab, like Discord's notice bars. */
export const VERIFY_BANNER_DISMISSED_KEY = 'hearth.verify-banner-dismissed'

function readDismissed(): string | null {
  try {
    return sessionStorage.getItem(VERIFY_BANNER_DISMISSED_KEY)
  } catch {
    return null
  }
}

export function useVerifyBanner() {
  const session = useSessionStore()
  const dismissedFor = ref<string | null>(readDismissed())
  /** Dismissal is per address: changing the email brings the banner back for the new one. */
  const subject = computed(() => (session.user ? `${session.user.id}:${session.user.email}` : null))
  const visible = computed(
    () =>
      session.user !== null &&
      !session.user.verified &&
      Boolean(session.user.email) &&
      dismissedFor.value !== subject.value,
  )

  function dismiss(): void {
    dismissedFor.value = subject.value
    try {
      if (subject.value !== null) sessionStorage.setItem(VERIFY_BANNER_DISMISSED_KEY, subject.value)
    } catch {
      // Without storage the banner stays dismissed until the next load only.
    }
  }

  return { visible, email: computed(() => session.user?.email ?? ''), dismiss }
}
