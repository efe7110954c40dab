// Web Push: the server's VAPID key and this session's push subscription (docs/notifications.md).
import { api, type ApiClient } from './client'

/** PushSubscription.toJSON(), as the browser gives it. */
export interface PushSubscriptionBody {
  endpoint: string
  keys: { p256dh: string; auth: string }
  expirationTime?: number | null
}

export const getVapidPublicKey = (client: ApiClient = api) =>
  client.get<{ public_key: string }>('/push/vapid-public-key')

/** Stores the subscription for the current session, replacing the session's previous one. */
export const savePushSubscription = (body: PushSubscriptionBody, client: ApiClient = api) =>
  client.post<{ endpoint: string }>('/users/@me/push-subscriptions', body)

export const deletePushSubscription = (client: ApiClient = api) =>
  client.delete<void>('/users/@me/push-subscriptions')
