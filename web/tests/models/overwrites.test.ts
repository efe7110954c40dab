import { describe, expect, it } from 'vitest'
import {
  isPrivateChannel,
  overwriteState,
  removeOverwrite,
  sameOverwrites,
  setPrivateChannel,
  upsertOverwrite,
  withOverwriteState,
} from '@/models/overwrites'
import { Permission, type OverwriteLike } from '@/models/permissions'

const GUILD = '100'

describe('tri-state overwrites', () => {
  it('reads allow, deny and inherit per bit', () => {
    const overwrite = { id: '5', type: 0 as const, allow: '1024', deny: '2048' }
    expect(overwriteState(overwrite, Permission.VIEW_CHANNEL)).toBe('allow')
    expect(overwriteState(overwrite, Permission.SEND_MESSAGES)).toBe('deny')
    expect(overwriteState(overwrite, Permission.ADD_REACTIONS)).toBe('inherit')
    expect(overwriteState(undefined, Permission.VIEW_CHANNEL)).toBe('inherit')
  })

  it('writes a bit into allow or deny, never both, as decimal strings', () => {
    let overwrite = { id: '5', type: 0 as const, allow: '0', deny: '0' }
    overwrite = withOverwriteState(overwrite, Permission.SEND_MESSAGES, 'allow')
    expect(overwrite).toEqual({ id: '5', type: 0, allow: '2048', deny: '0' })
    overwrite = withOverwriteState(overwrite, Permission.SEND_MESSAGES, 'deny')
    expect(overwrite).toEqual({ id: '5', type: 0, allow: '0', deny: '2048' })
    overwrite = withOverwriteState(overwrite, Permission.VIEW_CHANNEL, 'allow')
    overwrite = withOverwriteState(overwrite, Permission.BYPASS_SLOWMODE, 'deny')
    expect(overwrite).toEqual({ id: '5', type: 0, allow: '1024', deny: '4503599627372544' })
    overwrite = withOverwriteState(overwrite, Permission.SEND_MESSAGES, 'inherit')
    expect(overwrite).toEqual({ id: '5', type: 0, allow: '1024', deny: '4503599627370496' })
  })

  it('replaces or appends by id and type, and removes', () => {
    const list: OverwriteLike[] = [{ id: '5', type: 0, allow: '1', deny: '0' }]
    expect(upsertOverwrite(list, { id: '5', type: 1, allow: '2', deny: '0' })).toHaveLength(2)
    expect(upsertOverwrite(list, { id: '5', type: 0, allow: '2', deny: '0' })).toEqual([{ id: '5', type: 0, allow: '2', deny: '0' }])
    expect(removeOverwrite(list, '5', 0)).toEqual([])
  })
})

describe('private channels', () => {
  it('denies View Channel to @everyone and allows it to the chosen roles and members', () => {
    const list = setPrivateChannel([], GUILD, true, [
      { id: '201', type: 0 },
      { id: '7', type: 1 },
    ])
    expect(list).toEqual([
      { id: GUILD, type: 0, allow: '0', deny: '1024' },
      { id: '201', type: 0, allow: '1024', deny: '0' },
      { id: '7', type: 1, allow: '1024', deny: '0' },
    ])
    expect(isPrivateChannel(list, GUILD)).toBe(true)
  })

  it('keeps other bits of @everyone and lifts only the deny when made public', () => {
    const start = [{ id: GUILD, type: 0 as const, allow: '0', deny: '2048' }]
    const hidden = setPrivateChannel(start, GUILD, true)
    expect(hidden[0]).toEqual({ id: GUILD, type: 0, allow: '0', deny: '3072' })
    expect(setPrivateChannel(hidden, GUILD, false)).toEqual(start)
    expect(setPrivateChannel(setPrivateChannel([], GUILD, true), GUILD, false)).toEqual([])
  })

  it('compares overwrites regardless of order and of empty ones (category sync)', () => {
    const a = [
      { id: '1', type: 0 as const, allow: '1024', deny: '0' },
      { id: '2', type: 1 as const, allow: '0', deny: '2048' },
    ]
    expect(sameOverwrites(a, [...a].reverse())).toBe(true)
    expect(sameOverwrites(a, [...a, { id: '3', type: 0, allow: '0', deny: '0' }])).toBe(true)
    expect(sameOverwrites(a, a.slice(1))).toBe(false)
  })
})
