// Notification settings per server and for DMs (key ''), from READY's `user_guild_settings` and
// USER_GUILD_SETTINGS_UPDATE; changes go out as PATCHes applied at once and rolled back when
// refused. A clock ticking each minute lets mutes end by themselves on screen.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { patchGuildSettings } from '@/api/notification_settings'
import {
  defaultSettings,
  effectiveSettings,
  muteActive,
  type EffectiveSettings,
  type SettingsPatch,
  type UserGuildSettings,
} from '@/models/notification_settings'

const keyOf = (guildId: string | null | undefined) => guildId ?? ''

/** Applies a patch locally as the server would (overrides merged by channel_id). */
export function patched(current: UserGuildSettings, patch: SettingsPatch): UserGuildSettings {
  const next: UserGuildSettings = { ...current, channel_overrides: current.channel_overrides.map((o) => ({ ...o })) }
  if (patch.message_notifications !== undefined) next.message_notifications = patch.message_notifications ?? 3
  if (patch.muted !== undefined) {
    next.muted = patch.muted
    if (!patch.muted) next.mute_config = null
  }
  if (patch.mute_config !== undefined && next.muted) next.mute_config = patch.mute_config
  if (patch.suppress_everyone !== undefined) next.suppress_everyone = patch.suppress_everyone
  if (patch.suppress_roles !== undefined) next.suppress_roles = patch.suppress_roles
  for (const change of patch.channel_overrides ?? []) {
    let entry = next.channel_overrides.find((o) => o.channel_id === change.channel_id)
    if (!entry) {
      entry = { channel_id: change.channel_id, message_notifications: 3, muted: false, mute_config: null }
      next.channel_overrides.push(entry)
    }
    if (change.message_notifications !== undefined) entry.message_notifications = change.message_notifications
    if (change.muted !== undefined) {
      entry.muted = change.muted
      if (!change.muted) entry.mute_config = null
    }
    if (change.mute_config !== undefined && entry.muted) entry.mute_config = change.mute_config
    if (change.collapsed !== undefined) entry.collapsed = change.collapsed
  }
  return next
}

export const useNotificationSettingsStore = defineStore('notificationSettings', () => {
  const byGuild = ref<Record<string, UserGuildSettings>>({})
  const now = ref(Date.now())
  /** Each server's default_message_notifications (0 all, 1 only mentions). */
  const guildDefaults = ref<Record<string, 0 | 1>>({})
  let timer: ReturnType<typeof setInterval> | null = null

  function startClock(): void {
    if (timer === null) timer = setInterval(() => (now.value = Date.now()), 30_000)
  }
  function stopClock(): void {
    if (timer !== null) clearInterval(timer)
    timer = null
  }

  function applyReady(payload: unknown): void {
    const entries = (payload as { entries?: unknown })?.entries
    const next: Record<string, UserGuildSettings> = {}
    if (Array.isArray(entries)) {
      for (const entry of entries as UserGuildSettings[]) {
        if (entry && Array.isArray(entry.channel_overrides)) next[keyOf(entry.guild_id)] = entry
      }
    }
    byGuild.value = next
    now.value = Date.now()
  }

  function apply(entry: UserGuildSettings): void {
    if (!entry || !Array.isArray(entry.channel_overrides)) return
    byGuild.value = { ...byGuild.value, [keyOf(entry.guild_id)]: entry }
  }

  /** The user's settings in a server (null: DMs), defaults when they changed nothing. */
  function of(guildId: string | null): UserGuildSettings {
    return byGuild.value[keyOf(guildId)] ?? defaultSettings(guildId)
  }

  /** For a channel: `chain` is the channel, then its parent (category, or a thread's channel), then the parent's category. */
  function effective(guildId: string | null, guildDefault: number, chain: readonly (string | null | undefined)[]): EffectiveSettings {
    return effectiveSettings(byGuild.value[keyOf(guildId)], guildDefault, chain, now.value)
  }

  function guildMuted(guildId: string | null): boolean {
    const entry = byGuild.value[keyOf(guildId)]
    return entry ? muteActive(entry.muted, entry.mute_config, now.value) : false
  }

  function channelOverride(guildId: string | null, channelId: string) {
    return byGuild.value[keyOf(guildId)]?.channel_overrides.find((o) => o.channel_id === channelId)
  }

  function channelMuted(guildId: string | null, channelId: string): boolean {
    const entry = channelOverride(guildId, channelId)
    return entry ? muteActive(entry.muted, entry.mute_config, now.value) : false
  }

  /** Sends a change; shown at once, rolled back (and thrown) when refused. */
  async function update(guildId: string | null, patch: SettingsPatch): Promise<void> {
    const key = keyOf(guildId)
    const before = byGuild.value[key]
    byGuild.value = { ...byGuild.value, [key]: patched(before ?? defaultSettings(guildId), patch) }
    try {
      apply(await patchGuildSettings(guildId, patch))
    } catch (error) {
      const rolled = { ...byGuild.value }
      if (before) rolled[key] = before
      else delete rolled[key]
      byGuild.value = rolled
      throw error
    }
  }

  function setGuildDefault(guildId: string, level: 0 | 1): void {
    if (guildDefaults.value[guildId] !== level) guildDefaults.value = { ...guildDefaults.value, [guildId]: level }
  }

  function guildDefault(guildId: string | null): 0 | 1 {
    return guildId === null ? 0 : (guildDefaults.value[guildId] ?? 0)
  }

  function reset(): void {
    byGuild.value = {}
    guildDefaults.value = {}
  }

  const count = computed(() => Object.keys(byGuild.value).length)

  return { byGuild, now, count, guildDefaults, setGuildDefault, guildDefault, startClock, stopClock, applyReady, apply, of, effective, guildMuted, channelOverride, channelMuted, update, reset }
})
