// Web Push for this browser: registers the service worker (public/sw.js), asks for notification
// permission on a user gesture, subscribes with the server's VAPID key and hands the
// subscription to the server (one per session); turning it off unsubscribes and deletes it.
import { ref, type Ref } from 'vue'
import type { Router } from 'vue-router'
import { deletePushSubscription, getVapidPublicKey, savePushSubscription, type PushSubscriptionBody } from '@/api/push'

export type PushState = 'unsupported' | 'blocked' | 'off' | 'on'

export const SERVICE_WORKER_URL = '/sw.js'
export const PUSH_SERVICE_UNAVAILABLE = 'Your browser could not reach its push service. Try again later.'

/** The bytes of a base64url string (a VAPID public key), as PushManager.subscribe wants them. */
export function base64UrlToBytes(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4)
  const binary = atob(base64)
  const out = new Uint8Array(new ArrayBuffer(binary.length))
  for (let index = 0; index < binary.length; index += 1) out[index] = binary.charCodeAt(index)
  return out
}

/** Whether `subscription` was made with `key` (a new server key needs a new subscription). */
export function subscribedWithKey(subscription: PushSubscription, key: Uint8Array): boolean {
  const used = subscription.options?.applicationServerKey
  if (!used) return false
  const bytes = new Uint8Array(used)
  return bytes.length === key.length && bytes.every((byte, index) => byte === key[index])
}

/** What the browser offers: nothing, a refusal already given, or a choice still to make. */
export function pushSupport(): 'unsupported' | NotificationPermission {
  if (typeof window === 'undefined' || !('serviceWorker' in navigator) || !('PushManager' in window)) {
    return 'unsupported'
  }
  if (!('Notification' in window)) return 'unsupported'
  return Notification.permission
}

async function currentSubscription(): Promise<PushSubscription | null> {
  const registration = await navigator.serviceWorker.getRegistration('/')
  return (await registration?.pushManager.getSubscription()) ?? null
}

/** Ends this browser's push subscription (signing out: the server drops its copy with the session). */
export async function unsubscribeBrowserPush(): Promise<void> {
  if (pushSupport() === 'unsupported') return
  try {
    await (await currentSubscription())?.unsubscribe()
  } catch {
    // Best effort: the server no longer sends to it once the session ends.
  }
}

/** A click on a push notification asks the open tab (through the worker) to show its channel. */
export function followNotificationClicks(router: Router): void {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return
  navigator.serviceWorker.addEventListener('message', (event: MessageEvent) => {
    const data = event.data as { type?: unknown; url?: unknown } | null
    if (data?.type === 'hearth:navigate' && typeof data.url === 'string' && data.url.startsWith('/channels/')) {
      void router.push(data.url)
    }
  })
}

export interface PushSubscriptionControl {
  state: Ref<PushState>
  busy: Ref<boolean>
  error: Ref<string | null>
  refresh: () => Promise<void>
  enable: () => Promise<void>
  disable: () => Promise<void>
}

export function usePushSubscription(): PushSubscriptionControl {
  const state = ref<PushState>('off')
  const busy = ref(false)
  const error = ref<string | null>(null)

  function fromPermission(): PushState | null {
    const support = pushSupport()
    if (support === 'unsupported') return 'unsupported'
    if (support === 'denied') return 'blocked'
    return null
  }

  async function refresh(): Promise<void> {
    const fixed = fromPermission()
    if (fixed) {
      state.value = fixed
      return
    }
    try {
      state.value = Notification.permission === 'granted' && (await currentSubscription()) ? 'on' : 'off'
    } catch {
      state.value = 'off'
    }
  }

  async function run(action: () => Promise<void>): Promise<void> {
    if (busy.value) return
    busy.value = true
    error.value = null
    try {
      await action()
    } catch (failure) {
      error.value = failure instanceof Error && failure.message ? failure.message : 'Something went wrong.'
      await refresh()
    } finally {
      busy.value = false
    }
  }

  /** Call from a click: browsers only ask for permission on a user gesture. */
  const enable = () =>
    run(async () => {
      if (fromPermission() === 'unsupported') return
      const permission = await Notification.requestPermission()
      if (permission !== 'granted') {
        state.value = permission === 'denied' ? 'blocked' : 'off'
        return
      }
      const registration = await navigator.serviceWorker.register(SERVICE_WORKER_URL, { scope: '/' })
      await navigator.serviceWorker.ready
      const key = base64UrlToBytes((await getVapidPublicKey()).public_key)
      let subscription = await registration.pushManager.getSubscription()
      if (subscription && !subscribedWithKey(subscription, key)) {
        await subscription.unsubscribe()
        subscription = null
      }
      try {
        subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key })
      } catch {
        // The browser's own push service refused or is out of reach (the message is the browser's).
        throw new Error(PUSH_SERVICE_UNAVAILABLE)
      }
      try {
        await savePushSubscription(subscription.toJSON() as PushSubscriptionBody)
      } catch (failure) {
        await subscription.unsubscribe() // the server would never use it: don't leave it behind
        throw failure
      }
      state.value = 'on'
    })

  const disable = () =>
    run(async () => {
      await (await currentSubscription())?.unsubscribe()
      await deletePushSubscription()
      state.value = 'off'
    })

  return { state, busy, error, refresh, enable, disable }
}
