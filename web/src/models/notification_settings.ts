// Notification settings (docs/notifications.md), Discord's "user guild settings": the shapes, and
// the pure rules the client shares with the server's `shouldNotify` (src/domain/
// notification_settings.hpp): which level and mutes apply to a channel, whether a message
// notifies, and what a desktop notification says.
import type { MentionableMessage } from './read_state'

/** 0 all messages, 1 only mentions, 2 nothing, 3 as the level above (the server's default). */
export type NotifyLevelValue = 0 | 1 | 2 | 3
export const NotifyLevel = { All: 0, Mentions: 1, Nothing: 2, Inherit: 3 } as const

export interface MuteConfig {
  /** ISO 8601; null: until turned off. */
  end_time: string | null
  /** Seconds the user picked; -1: indefinitely. */
  selected_time_window: number
}

export interface ChannelOverride {
  channel_id: string
  message_notifications: NotifyLevelValue
  muted: boolean
  mute_config: MuteConfig | null
  collapsed?: boolean
}

export interface UserGuildSettings {
  /** null: the user's DMs ("@me"). */
  guild_id: string | null
  message_notifications: NotifyLevelValue
  muted: boolean
  mute_config: MuteConfig | null
  suppress_everyone: boolean
  suppress_roles: boolean
  channel_overrides: ChannelOverride[]
  version?: number
}

/** PATCH /users/@me/guilds/{id}/settings: any subset; overrides merged by channel_id. */
export interface SettingsPatch {
  message_notifications?: NotifyLevelValue | null
  muted?: boolean
  mute_config?: MuteConfig | null
  suppress_everyone?: boolean
  suppress_roles?: boolean
  channel_overrides?: (Partial<Omit<ChannelOverride, 'channel_id'>> & { channel_id: string })[]
}

export function defaultSettings(guildId: string | null): UserGuildSettings {
  return {
    guild_id: guildId,
    message_notifications: NotifyLevel.Inherit,
    muted: false,
    mute_config: null,
    suppress_everyone: false,
    suppress_roles: false,
    channel_overrides: [],
  }
}

/** A mute that silences at `now` (one whose end time has passed does not). */
export function muteActive(muted: boolean, config: MuteConfig | null | undefined, now: number): boolean {
  if (!muted) return false
  if (!config?.end_time) return true
  const end = Date.parse(config.end_time)
  return Number.isNaN(end) || now < end
}

/** The mute durations offered, as Discord's menu: seconds, -1 until turned back on. */
export const MUTE_CHOICES: readonly { label: string; seconds: number }[] = [
  { label: 'For 15 Minutes', seconds: 15 * 60 },
  { label: 'For 1 Hour', seconds: 3600 },
  { label: 'For 3 Hours', seconds: 3 * 3600 },
  { label: 'For 8 Hours', seconds: 8 * 3600 },
  { label: 'For 24 Hours', seconds: 24 * 3600 },
  { label: 'Until I turn it back on', seconds: -1 },
]

/** The mute config for a choice made at `now`. */
export function muteConfigFor(seconds: number, now: number): MuteConfig {
  return { end_time: seconds < 0 ? null : new Date(now + seconds * 1000).toISOString(), selected_time_window: seconds }
}

/** What the UI says of an active mute: "Muted until 14:05" or "Muted". */
export function muteLabel(config: MuteConfig | null | undefined): string {
  if (!config?.end_time) return 'Muted'
  const end = new Date(config.end_time)
  return `Muted until ${end.toLocaleString(undefined, { hour: '2-digit', minute: '2-digit', month: 'short', day: 'numeric' })}`
}

export interface EffectiveSettings {
  level: 0 | 1 | 2
  /** At least one mute on the way (server, channel, parent, category) is in force. */
  muted: boolean
  /** The channel itself (or its parent or category) is muted, not only the server. */
  channelMuted: boolean
  suppressEveryone: boolean
  suppressRoles: boolean
}

/**
 * The settings for one channel: the nearest override with a level of its own (the channel, its
 * parent: a thread's channel or a channel's category, then that one's category), else the user's
 * server setting, else the server's default (DMs: all). Every mute on the way counts.
 */
export function effectiveSettings(
  settings: UserGuildSettings | undefined,
  guildDefault: number,
  chain: readonly (string | null | undefined)[],
  now: number,
): EffectiveSettings {
  let level: number | null = null
  let channelMuted = false
  for (const channelId of chain) {
    if (!channelId) continue
    const entry = settings?.channel_overrides.find((o) => o.channel_id === channelId)
    if (!entry) continue
    if (level === null && entry.message_notifications !== NotifyLevel.Inherit) level = entry.message_notifications
    channelMuted ||= muteActive(entry.muted, entry.mute_config, now)
  }
  if (level === null && settings && settings.message_notifications !== NotifyLevel.Inherit) level = settings.message_notifications
  if (level === null) level = guildDefault === 1 ? 1 : 0
  const guildMuted = settings ? muteActive(settings.muted, settings.mute_config, now) : false
  return {
    level: level as 0 | 1 | 2,
    muted: guildMuted || channelMuted,
    channelMuted,
    suppressEveryone: settings?.suppress_everyone ?? false,
    suppressRoles: settings?.suppress_roles ?? false,
  }
}

export interface NotifyFacts {
  isDm: boolean
  mentionsUser: boolean
  mentionsRoleOfUser: boolean
  /** @everyone or @here that counted. */
  mentionsEveryone: boolean
}

/** The server's shouldNotify: never at "nothing"; muted, only a mention that counts (never a muted DM); else a DM, all, or such a mention. */
export function shouldNotify(settings: EffectiveSettings, facts: NotifyFacts): boolean {
  if (settings.level === NotifyLevel.Nothing) return false
  const mentioned =
    facts.mentionsUser || (facts.mentionsRoleOfUser && !settings.suppressRoles) || (facts.mentionsEveryone && !settings.suppressEveryone)
  // As Discord's: a mute silences everything but mentions (a muted DM, everything).
  if (settings.muted) return mentioned && !facts.isDm
  return settings.level === NotifyLevel.All || facts.isDm || mentioned
}

/** What a message mentions of the user. */
export function factsOf(message: MentionableMessage, userId: string, roleIds: readonly string[]): NotifyFacts {
  const held = new Set(roleIds)
  return {
    isDm: !message.guild_id,
    mentionsUser: message.mentions?.some((user) => user.id === userId) ?? false,
    mentionsRoleOfUser: message.mention_roles?.some((role) => held.has(role)) ?? false,
    mentionsEveryone: message.mention_everyone === true,
  }
}

export interface DesktopContext {
  settings: EffectiveSettings
  facts: NotifyFacts
  /** The message's author is the user. */
  own: boolean
  /** The user's own status is Do Not Disturb. */
  dnd: boolean
  /** The tab is hidden or without focus. */
  background: boolean
  permission: NotificationPermission | 'unsupported'
}

/**
 * Whether to show a desktop notification: only while the tab is in the background (a focused tab
 * shows the message, or its badge), when the settings allow it, the user granted permission,
 * isn't DND and didn't write it.
 */
export function shouldShowDesktop(context: DesktopContext): boolean {
  if (context.permission !== 'granted' || context.own || context.dnd || !context.background) return false
  return shouldNotify(context.settings, context.facts)
}

/** Discord's title: the author, and where: "ada (#general, Hearth)". */
export function notificationTitle(author: string, channelName: string | null, guildName: string | null): string {
  if (!channelName) return author
  return guildName ? `${author} (#${channelName}, ${guildName})` : `${author} (#${channelName})`
}

/** A plain-text excerpt of Markdown content: markup dropped, mentions named, at most `max` characters. */
export function notificationBody(content: string, nameOf: (kind: 'user' | 'role' | 'channel', id: string) => string, max = 200): string {
  const text = content
    .replace(/<@!?(\d+)>/g, (_, id: string) => `@${nameOf('user', id)}`)
    .replace(/<@&(\d+)>/g, (_, id: string) => `@${nameOf('role', id)}`)
    .replace(/<#(\d+)>/g, (_, id: string) => `#${nameOf('channel', id)}`)
    .replace(/```[a-z]*\n?/gi, '')
    .replace(/(\*\*|__|~~|\|\||`|\*|_)/g, '')
    .replace(/\s+/g, ' ')
    .trim()
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
