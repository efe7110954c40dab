// What unread and mention badges show once notification settings apply (docs/notifications.md):
// a muted channel (or category) is not shown unread but keeps its mention badge; a channel or
// server at "Nothing" shows neither; a muted server is dimmed in the rail and shows only its
// mention badge.
import { NotifyLevel } from '@/models/notification_settings'
import { useNotificationSettingsStore } from '@/stores/notification_settings'
import { useReadStatesStore } from '@/stores/read_states'

export function useNotificationBadges() {
  const store = useNotificationSettingsStore()
  const readStates = useReadStatesStore()

  function channelSettings(guildId: string | null, channel: { id: string; parent_id?: string | null }) {
    return store.effective(guildId, store.guildDefault(guildId), [channel.id, channel.parent_id])
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
      return !store.guildMuted(guildId) && store.effective(guildId, store.guildDefault(guildId), []).level !== NotifyLevel.Nothing && readStates.guildUnread(guildId)
    },
    guildMentions(guildId: string): number {
      return store.effective(guildId, store.guildDefault(guildId), []).level === NotifyLevel.Nothing ? 0 : readStates.guildMentions(guildId)
    },
    guildMuted: (guildId: string) => store.guildMuted(guildId),
    channelMuted: (guildId: string | null, channel: { id: string; parent_id?: string | null }) => channelSettings(guildId, channel).channelMuted,
  }
}
