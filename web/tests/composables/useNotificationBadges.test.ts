import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { useNotificationBadges } from '@/composables/useNotificationBadges'
import { useNotificationSettingsStore } from '@/stores/notification_settings'
import { useReadStatesStore } from '@/stores/read_states'

beforeEach(() => {
  setActivePinia(createPinia())
})

/** A server `g` with #a and #b, a DM `d` and a group `e`, all with messages past the read marks. */
function unreadEverywhere() {
  const readStates = useReadStatesStore()
  readStates.applyReady(
    [
      { id: 'a', last_message_id: '100', mention_count: 0 },
      { id: 'b', last_message_id: '100', mention_count: 0 },
      { id: 'd', last_message_id: '100', mention_count: 2 },
      { id: 'e', last_message_id: '100', mention_count: 3 },
    ],
    [{ id: 'g', channels: [{ id: 'a', type: 0, last_message_id: '200' }, { id: 'b', type: 0, last_message_id: '100' }] }],
    [
      { id: 'd', type: 1, last_message_id: '200' },
      { id: 'e', type: 3, last_message_id: '200' },
    ],
  )
  return readStates
}

const override = (channel_id: string, muted: boolean) => ({ channel_id, message_notifications: 3, muted, mute_config: null, collapsed: false })

function settings(guild_id: string | null, channel_overrides: ReturnType<typeof override>[]) {
  return { guild_id, message_notifications: 3, muted: false, mute_config: null, suppress_everyone: false, suppress_roles: false, channel_overrides, version: 1 }
}

describe('notification badges', () => {
  it('shows no unread pill for a server whose only unread channel is muted', () => {
    unreadEverywhere()
    const badges = useNotificationBadges()
    const store = useNotificationSettingsStore()
    expect(badges.guildUnread('g')).toBe(true)
    store.applyReady({ entries: [settings('g', [override('a', true)])] })
    expect(badges.guildUnread('g')).toBe(false)
    expect(badges.channelUnread('g', { id: 'a' })).toBe(false)
    store.applyReady({ entries: [settings('g', [override('b', true)])] })
    expect(badges.guildUnread('g')).toBe(true)
  })

  it('leaves muted DMs out of the rail and of the count on Home', () => {
    const readStates = unreadEverywhere()
    const badges = useNotificationBadges()
    expect(readStates.dmMentions).toBe(5)
    expect(badges.dmMentions()).toBe(5)
    useNotificationSettingsStore().applyReady({ entries: [settings(null, [override('e', true)])] })
    expect(badges.dmShown('e')).toBe(false)
    expect(badges.dmShown('d')).toBe(true)
    expect(badges.dmMentions()).toBe(2)
  })
})
