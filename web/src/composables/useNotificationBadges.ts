// What unread and mention badges show once notification settings apply (docs/notifications.md):
// a muted channel (or category) is not shown unread but keeps its mention badge; a channel or
// server at "Nothing" shows neither; a muted server is dimmed in the rail and shows only its
// mention badge; a server whose only unread channels are muted shows no unread pill; a muted DM
// is neither listed as unread in the rail nor counted on Home.
import { NotifyLevel } from '@/models/notification_settings'
import { useGuildsStore } from '@/stores/guilds'
import { useNotificationSettingsStore } from '@/stores/notification_settings'
import { useReadStatesStore } from '@/stores/read_states'

export function useNotificationBadges() {
  const store = useNotificationSettingsStore()
  const readStates = useReadStatesStore()
  const guilds = useGuildsStore()

  function channelSettings(guildId: string | null, channel: { id: string; parent_id?: string | null }) {
    return store.effective(guildId, store.guildDefault(guildId), [channel.id, channel.parent_id])
  }

  /** A DM or group DM the user has not muted (listed as unread, counted on Home). */
  function dmShown(channelId: string): boolean {
    return !channelSettings(null, { id: channelId }).channelMuted && !store.guildMuted(null)
  }

  return {
    /** The channel shows as unread (bold, pill). */
    channelUnread(guildId: string | null, channel: { id: string; parent_id?: string | null }): boolean {
      const settings = channelSettings(guildId, channel)
      return !settings.channelMuted && settings.level !== NotifyLevel.Nothing && readStates.isUnread(channel.id)
    },
    /** The channel's mention badge (0: none). */
    channelMentions(guildId: string | null, channel: { id: string; parent_id?: string | null }): number {
      return channelSettings(guildId, channel).level === NotifyLevel.Nothing ? 0 : readStates.mentionCount(channel.id)
    },
    /** The rail's pill beside a server. */
    guildUnread(guildId: string): boolean {
      if (store.guildMuted(guildId) || store.effective(guildId, store.guildDefault(guildId), []).level === NotifyLevel.Nothing) return false
      if (!readStates.guildUnread(guildId)) return false
      // Some channel is unread: is any of them shown as unread (not muted, itself or by its category)?
      const parents = new Map(guilds.channelsOf(guildId).map((channel) => [channel.id, channel.parent_id ?? null]))
      return Object.entries(readStates.channels).some(([channelId, tracked]) => {
        if (tracked.guildId !== guildId || !readStates.isUnread(channelId)) return false
        const settings = channelSettings(guildId, { id: channelId, parent_id: parents.get(channelId) ?? null })
        return !settings.channelMuted && settings.level !== NotifyLevel.Nothing
      })
    },
    dmShown,
    /** Home's count of unread DM messages, without muted conversations. */
    dmMentions(): number {
      let total = readStates.dmMentions
      for (const [channelId, tracked] of Object.entries(readStates.channels)) {
        if (tracked.guildId === null && !dmShown(channelId)) total -= readStates.mentionCount(channelId)
      }
      return Math.max(0, total)
    },
    guildMentions(guildId: string): number {
      return store.effective(guildId, store.guildDefault(guildId), []).level === NotifyLevel.Nothing ? 0 : readStates.guildMentions(guildId)
    },
    guildMuted: (guildId: string) => store.guildMuted(guildId),
    channelMuted: (guildId: string | null, channel: { id: string; parent_id?: string | null }) => channelSettings(guildId, channel).channelMuted,
  }
}
