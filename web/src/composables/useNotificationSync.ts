// The shell's part in notifications (docs/notifications.md): READY's `user_guild_settings` and
// USER_GUILD_SETTINGS_UPDATE to the settings store, each server's default level, and desktop
// notifications through the Notification API for messages that arrive while the tab is in the
// background, as the settings say (never while the user is Do Not Disturb, never for their own).
import { onBeforeUnmount, watch } from 'vue'
import { useRouter } from 'vue-router'
import type { GatewayFrame } from '@/gateway/protocol'
import type { Message } from '@/models/message'
import {
  factsOf,
  notificationBody,
  notificationTitle,
  shouldShowDesktop,
  type UserGuildSettings,
} from '@/models/notification_settings'
import { useGuildsStore } from '@/stores/guilds'
import { useNotificationSettingsStore } from '@/stores/notification_settings'
import { usePresenceStore } from '@/stores/presence'
import { useSessionStore } from '@/stores/session'
import { useThreadsStore } from '@/stores/threads'
import { useGateway } from './useGateway'

interface Place {
  guildId: string | null
  name: string | null
  parentId: string | null
}

type Data = Record<string, unknown>
const isObject = (value: unknown): value is Data => value !== null && typeof value === 'object' && !Array.isArray(value)
const text = (data: Data, key: string): string | null => (typeof data[key] === 'string' ? (data[key] as string) : null)

/** The Notification API's permission here ('unsupported' without it). */
export function desktopPermission(): NotificationPermission | 'unsupported' {
  return typeof window !== 'undefined' && 'Notification' in window ? window.Notification.permission : 'unsupported'
}

export function useNotificationSync() {
  const gateway = useGateway()
  const router = useRouter()
  const store = useNotificationSettingsStore()
  const session = useSessionStore()
  const guilds = useGuildsStore()
  const presence = usePresenceStore()
  const threads = useThreadsStore()
  /** Every channel READY and later events told of: its server, name and parent. */
  const places = new Map<string, Place>()

  function learnChannel(guildId: string | null, channel: Data): void {
    const id = text(channel, 'id')
    if (!id) return
    places.set(id, { guildId, name: text(channel, 'name'), parentId: text(channel, 'parent_id') })
  }

  function learnGuild(guild: Data): void {
    const id = text(guild, 'id')
    if (!id) return
    const level = guild.default_message_notifications
    if (level === 0 || level === 1) store.setGuildDefault(id, level)
    if (Array.isArray(guild.channels)) for (const channel of guild.channels) if (isObject(channel)) learnChannel(id, channel)
    if (Array.isArray(guild.threads)) for (const thread of guild.threads) if (isObject(thread)) learnChannel(id, thread)
  }

  function chainOf(channelId: string): string[] {
    const chain = [channelId]
    let parent = places.get(channelId)?.parentId ?? threads.threadById(channelId)?.parent_id ?? null
    for (let depth = 0; parent && depth < 2; depth++) {
      chain.push(parent)
      parent = places.get(parent)?.parentId ?? null
    }
    return chain
  }

  function authorName(message: Message): string {
    const guildId = message.guild_id ?? null
    const member = guilds.memberOf(guildId, message.author.id)
    return member?.nick || message.author.global_name || message.author.username
  }

  function maybeNotify(message: Message): void {
    const userId = session.user?.id
    if (!userId || !message.author) return
    const guildId = message.guild_id ?? null
    const roleIds = guildId ? (guilds.memberOf(guildId, userId)?.roles ?? []) : []
    const settings = store.effective(guildId, store.guildDefault(guildId), chainOf(message.channel_id))
    const background = document.visibilityState === 'hidden' || !document.hasFocus()
    const show = shouldShowDesktop({
      settings,
      facts: factsOf(message, userId, roleIds),
      own: message.author.id === userId,
      dnd: presence.chosenStatus === 'dnd',
      background,
      permission: desktopPermission(),
    })
    if (!show) return
    const place = places.get(message.channel_id) ?? null
    const guildName = guildId ? (guilds.guildById(guildId)?.name ?? null) : null
    const title = notificationTitle(authorName(message), guildId ? (place?.name ?? null) : null, guildName)
    const body = notificationBody(message.content ?? '', (kind, id) => {
      if (kind === 'user') {
        const user = message.mentions?.find((candidate) => candidate.id === id)
        return user?.global_name || user?.username || 'unknown-user'
      }
      if (kind === 'role') return guilds.rolesOf(guildId).find((role) => role.id === id)?.name ?? 'unknown-role'
      return places.get(id)?.name ?? 'unknown-channel'
    })
    try {
      const notification = new window.Notification(title, { body, tag: message.channel_id })
      notification.onclick = () => {
        window.focus()
        notification.close()
        void router.push(
          guildId ? { name: 'app', params: { guildId, channelId: message.channel_id } } : { name: 'dm', params: { channelId: message.channel_id } },
        )
      }
    } catch {
      // Some browsers allow notifications only from a service worker: nothing to show here then.
    }
  }

  function handle(frame: GatewayFrame): void {
    const data = frame.d
    if (!isObject(data)) return
    switch (frame.t) {
      case 'READY':
        places.clear()
        store.applyReady(data.user_guild_settings)
        if (Array.isArray(data.guilds)) for (const guild of data.guilds) if (isObject(guild)) learnGuild(guild)
        if (Array.isArray(data.private_channels)) for (const channel of data.private_channels) if (isObject(channel)) learnChannel(null, channel)
        break
      case 'USER_GUILD_SETTINGS_UPDATE':
        store.apply(data as unknown as UserGuildSettings)
        break
      case 'GUILD_CREATE':
      case 'GUILD_UPDATE':
        learnGuild(data)
        break
      case 'CHANNEL_CREATE':
      case 'CHANNEL_UPDATE':
      case 'THREAD_CREATE':
      case 'THREAD_UPDATE':
        learnChannel(text(data, 'guild_id'), data)
        break
      case 'MESSAGE_CREATE':
        if (text(data, 'id') && text(data, 'channel_id') && isObject(data.author)) maybeNotify(data as unknown as Message)
        break
      default:
        break
    }
  }

  const unsubscribe = gateway.onDispatch(handle)
  store.startClock()
  const stopAccount = watch(
    () => session.user?.id ?? null,
    (now, before) => {
      if (before !== null && now !== before) {
        store.reset()
        places.clear()
      }
    },
  )

  onBeforeUnmount(() => {
    unsubscribe()
    store.stopClock()
    stopAccount()
  })
}
