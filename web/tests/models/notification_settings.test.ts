import { describe, expect, it } from 'vitest'
import {
  defaultSettings,
  effectiveSettings,
  factsOf,
  muteActive,
  muteConfigFor,
  notificationBody,
  notificationTitle,
  shouldNotify,
  shouldShowDesktop,
  type EffectiveSettings,
  type NotifyFacts,
  type UserGuildSettings,
} from '@/models/notification_settings'

const NOW = Date.parse('2026-11-25T12:00:00Z')
const future = new Date(NOW + 60_000).toISOString()
const past = new Date(NOW - 1).toISOString()

function settings(patch: Partial<UserGuildSettings> = {}): UserGuildSettings {
  return { ...defaultSettings('1'), ...patch }
}

describe('shouldNotify (the server rule)', () => {
  // Every level x mute x suppress_everyone x DM x what is mentioned, against the rule in words.
  it('agrees with the rule for every combination', () => {
    let checked = 0
    for (const level of [0, 1, 2] as const) {
      for (const muted of [false, true]) {
        for (const suppressEveryone of [false, true]) {
          for (const suppressRoles of [false, true]) {
            for (const isDm of [false, true]) {
              for (let bits = 0; bits < 8; bits++) {
                const effective: EffectiveSettings = { level, muted, channelMuted: false, suppressEveryone, suppressRoles }
                const facts: NotifyFacts = { isDm, mentionsUser: (bits & 1) !== 0, mentionsRoleOfUser: (bits & 2) !== 0, mentionsEveryone: (bits & 4) !== 0 }
                const mentioned =
                  facts.mentionsUser || (facts.mentionsRoleOfUser && !suppressRoles) || (facts.mentionsEveryone && !suppressEveryone)
                let expected = false
                if (level === 2) expected = false
                else if (muted) expected = mentioned && !isDm // Discord's mute: mentions still notify
                else expected = level === 0 || isDm || mentioned
                expect(shouldNotify(effective, facts), JSON.stringify({ effective, facts })).toBe(expected)
                checked++
              }
            }
          }
        }
      }
    }
    expect(checked).toBe(3 * 2 * 2 * 2 * 2 * 8)
  })
})

describe('effectiveSettings', () => {
  it('takes the nearest level: channel, parent, category, server, then the default', () => {
    expect(effectiveSettings(undefined, 1, ['c'], NOW).level).toBe(1)
    expect(effectiveSettings(settings(), 0, ['c'], NOW).level).toBe(0)
    const mine = settings({
      message_notifications: 2,
      channel_overrides: [
        { channel_id: 'cat', message_notifications: 0, muted: false, mute_config: null },
        { channel_id: 'c', message_notifications: 3, muted: false, mute_config: null },
      ],
    })
    expect(effectiveSettings(mine, 0, ['other'], NOW).level).toBe(2)
    expect(effectiveSettings(mine, 0, ['c', 'cat'], NOW).level).toBe(0)
    expect(effectiveSettings(mine, 0, ['thread', 'c', 'cat'], NOW).level).toBe(0)
  })

  it('counts every mute on the way, and a mute ends at its end time', () => {
    const mine = settings({
      channel_overrides: [{ channel_id: 'cat', message_notifications: 3, muted: true, mute_config: { end_time: future, selected_time_window: 60 } }],
    })
    expect(effectiveSettings(mine, 0, ['c', 'cat'], NOW)).toMatchObject({ muted: true, channelMuted: true })
    expect(effectiveSettings(mine, 0, ['c', 'cat'], NOW + 60_000)).toMatchObject({ muted: false, channelMuted: false })
    const server = settings({ muted: true, mute_config: { end_time: past, selected_time_window: 900 } })
    expect(effectiveSettings(server, 0, ['c'], NOW).muted).toBe(false)
    expect(muteActive(true, null, NOW)).toBe(true)
    expect(muteActive(false, null, NOW)).toBe(false)
  })
})

describe('desktop notifications', () => {
  const allowed: EffectiveSettings = { level: 1, muted: false, channelMuted: false, suppressEveryone: false, suppressRoles: false }
  const mention = factsOf({ id: '9', channel_id: 'c', guild_id: 'g', author: { id: 'a' }, mentions: [{ id: 'me' }] }, 'me', [])
  const base = { settings: allowed, facts: mention, own: false, dnd: false, background: true, permission: 'granted' as const }

  it('shows a mention in a background tab, and not otherwise', () => {
    expect(shouldShowDesktop(base)).toBe(true)
    expect(shouldShowDesktop({ ...base, background: false })).toBe(false)
    expect(shouldShowDesktop({ ...base, dnd: true })).toBe(false)
    expect(shouldShowDesktop({ ...base, own: true })).toBe(false)
    expect(shouldShowDesktop({ ...base, permission: 'default' })).toBe(false)
    // A mute lets mentions through, as Discord's does; not other messages, nor anything in a muted DM.
    expect(shouldShowDesktop({ ...base, settings: { ...allowed, muted: true } })).toBe(true)
    expect(shouldShowDesktop({ ...base, settings: { ...allowed, level: 0, muted: true }, facts: { ...mention, mentionsUser: false } })).toBe(false)
    expect(shouldShowDesktop({ ...base, settings: { ...allowed, muted: true }, facts: { ...mention, isDm: true, mentionsUser: false } })).toBe(false)
    expect(shouldShowDesktop({ ...base, settings: { ...allowed, level: 2 } })).toBe(false)
  })

  it('reads what a message mentions', () => {
    const everyone = factsOf({ id: '9', channel_id: 'c', guild_id: 'g', author: { id: 'a' }, mention_everyone: true, mention_roles: ['r'] }, 'me', ['r'])
    expect(everyone).toEqual({ isDm: false, mentionsUser: false, mentionsRoleOfUser: true, mentionsEveryone: true })
    expect(factsOf({ id: '9', channel_id: 'c', author: { id: 'a' } }, 'me', []).isDm).toBe(true)
  })

  it('writes Discord\'s title and a plain excerpt', () => {
    expect(notificationTitle('ada', 'general', 'Hearth')).toBe('ada (#general, Hearth)')
    expect(notificationTitle('ada', null, null)).toBe('ada')
    const names = (kind: string, id: string) => (kind === 'user' ? `user${id}` : `${kind}${id}`)
    expect(notificationBody('hey <@12> **look** at <#5>', names)).toBe('hey @user12 look at #channel5')
    expect(notificationBody('x'.repeat(300), names, 10)).toBe(`${'x'.repeat(9)}…`)
  })

  it('turns a mute choice into an end time', () => {
    expect(muteConfigFor(900, NOW)).toEqual({ end_time: new Date(NOW + 900_000).toISOString(), selected_time_window: 900 })
    expect(muteConfigFor(-1, NOW)).toEqual({ end_time: null, selected_time_window: -1 })
  })
})
