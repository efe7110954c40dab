import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defaultSettings } from '@/models/notification_settings'
import { patched, useNotificationSettingsStore } from '@/stores/notification_settings'
import { signInAda } from '../components/account_dialogs_support'
import { installFakeApi, jsonResponse } from '../support/fake_api'

beforeEach(() => {
  signInAda()
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('notification settings store', () => {
  it('merges a patch as the server does: overrides by channel, unmuting clears the mute', () => {
    const start = { ...defaultSettings('1'), muted: true, mute_config: { end_time: null, selected_time_window: -1 } }
    const once = patched(start, { muted: false, channel_overrides: [{ channel_id: 'c', message_notifications: 2 }] })
    expect(once.muted).toBe(false)
    expect(once.mute_config).toBeNull()
    const twice = patched(once, { channel_overrides: [{ channel_id: 'c', muted: true }, { channel_id: 'd', collapsed: true }] })
    expect(twice.channel_overrides).toEqual([
      { channel_id: 'c', message_notifications: 2, muted: true, mute_config: null },
      { channel_id: 'd', message_notifications: 3, muted: false, mute_config: null, collapsed: true },
    ])
  })

  it('takes READY and the event, shows a change at once and rolls it back when refused', async () => {
    const store = useNotificationSettingsStore()
    store.applyReady({ version: 2, partial: false, entries: [{ ...defaultSettings('1'), message_notifications: 1 }] })
    expect(store.of('1').message_notifications).toBe(1)
    expect(store.of(null).message_notifications).toBe(3)
    store.apply({ ...defaultSettings(null), muted: true, mute_config: null })
    expect(store.guildMuted(null)).toBe(true)

    const api = installFakeApi({ 'PATCH /users/@me/guilds/1/settings': jsonResponse(400, { code: 50035, message: 'Invalid Form Body' }) })
    const pending = store.update('1', { message_notifications: 2 })
    expect(store.of('1').message_notifications).toBe(2)
    await expect(pending).rejects.toThrow()
    expect(store.of('1').message_notifications).toBe(1)
    expect(api.calls('PATCH /users/@me/guilds/1/settings')[0]!.body).toEqual({ message_notifications: 2 })

    installFakeApi({ 'PATCH /users/@me/guilds/@me/settings': jsonResponse(200, { ...defaultSettings(null), message_notifications: 2 }) })
    await store.update(null, { message_notifications: 2 })
    expect(store.of(null).message_notifications).toBe(2)
  })

  it('reads the server default and the effective level of a channel', () => {
    const store = useNotificationSettingsStore()
    store.setGuildDefault('1', 1)
    expect(store.effective('1', store.guildDefault('1'), ['c']).level).toBe(1)
    store.apply({ ...defaultSettings('1'), channel_overrides: [{ channel_id: 'cat', message_notifications: 0, muted: false, mute_config: null }] })
    expect(store.effective('1', store.guildDefault('1'), ['c', 'cat']).level).toBe(0)
  })
})
