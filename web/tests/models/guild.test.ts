import { describe, expect, it } from 'vitest'
import { ChannelType, groupChannelsByCategory, guildInitials, type Channel } from '@/models/guild'

const channel = (id: string, position: number, parent_id: string | null = null, type: Channel['type'] = ChannelType.GuildText): Channel => ({
  id,
  name: `c${id}`,
  type,
  position,
  parent_id,
})

describe('groupChannelsByCategory', () => {
  it('puts uncategorised channels first, then categories and children by position', () => {
    const groups = groupChannelsByCategory([
      channel('voice', 1, '20', ChannelType.GuildVoice),
      channel('20', 2, null, ChannelType.GuildCategory),
      channel('10', 1, null, ChannelType.GuildCategory),
      channel('general', 0, '10'),
      channel('rules', 0),
      channel('chat', 0, '20'),
      channel('random', 1, '10'),
    ])

    expect(groups.map((group) => [group.category?.id ?? null, group.channels.map((c) => c.id)])).toEqual([
      [null, ['rules']],
      ['10', ['general', 'random']],
      ['20', ['chat', 'voice']],
    ])
  })

  it('keeps channels whose category is missing, and empty categories', () => {
    const groups = groupChannelsByCategory([channel('orphan', 0, '999'), channel('30', 0, null, ChannelType.GuildCategory)])
    expect(groups).toHaveLength(2)
    expect(groups[0]!.channels.map((c) => c.id)).toEqual(['orphan'])
    expect(groups[1]!.channels).toEqual([])
  })

  it('returns nothing for no channels', () => {
    expect(groupChannelsByCategory([])).toEqual([])
  })
})

describe('guildInitials', () => {
  it('takes the first letters of up to three words', () => {
    expect(guildInitials('Hearth Developers')).toBe('HD')
    expect(guildInitials('  a b c d ')).toBe('abc')
  })
})
