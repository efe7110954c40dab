import { describe, expect, it } from 'vitest'
import { snowflakeAt, snowflakeTime } from '@/models/message'
import { isEmptySearch, parseDay, parseSearchQuery, searchQueryString, toSearchParams, type SearchResolver } from '@/models/search_query'

const users: Record<string, string> = { ada: '101', 'ada lovelace': '101', bob: '102' }
const channels: Record<string, string> = { general: '201', 'off-topic': '202' }
const resolver: SearchResolver = {
  user: (name) => users[name.toLowerCase()] ?? null,
  channel: (name) => channels[name.toLowerCase()] ?? null,
  dayStart: (year, month, day) => Date.UTC(year, month - 1, day),
}

describe('parseSearchQuery', () => {
  it('keeps free words as content', () => {
    const parsed = parseSearchQuery('  hello   brave world ')
    expect(parsed.content).toBe('hello brave world')
    expect(parsed.errors).toEqual([])
    expect(isEmptySearch(parsed)).toBe(false)
    expect(isEmptySearch(parseSearchQuery('   '))).toBe(true)
  })

  it('reads every filter, in any order, mixed with words', () => {
    const parsed = parseSearchQuery('from:ada cake mentions:@bob in:#general has:link before:2025-03-01 after:2025-02-01 pinned:true recipe')
    expect(parsed).toEqual({
      content: 'cake recipe',
      from: ['ada'],
      mentions: ['bob'],
      in: ['general'],
      has: ['link'],
      before: '2025-03-01',
      after: '2025-02-01',
      pinned: true,
      errors: [],
    })
  })

  it('repeats filters, takes quoted values with spaces, and keys in any case', () => {
    const parsed = parseSearchQuery('FROM:"Ada Lovelace" from:bob In:off-topic has:file has:IMAGE has:file "two words"')
    expect(parsed.from).toEqual(['Ada Lovelace', 'bob'])
    expect(parsed.in).toEqual(['off-topic'])
    expect(parsed.has).toEqual(['file', 'image'])
    expect(parsed.content).toBe('two words')
  })

  it('leaves unknown keys and empty values as words', () => {
    const parsed = parseSearchQuery('note: https://example.org from: during:2025-01-01')
    expect(parsed.content).toBe('note: https://example.org from: during:2025-01-01')
    expect(parsed.from).toEqual([])
  })

  it('names what it cannot understand', () => {
    const parsed = parseSearchQuery('has:gif before:2025-02-30 after:yesterday pinned:maybe')
    expect(parsed.errors).toHaveLength(4)
    expect(parsed.errors[0]).toMatch(/^has:/)
    expect(parsed.errors[1]).toMatch(/^before:/)
    expect(parsed.errors[2]).toMatch(/^after:/)
    expect(parsed.errors[3]).toMatch(/^pinned:/)
    expect(parsed.has).toEqual([])
    expect(parsed.before).toBeNull()
    expect(parsed.pinned).toBeNull()
  })

  it('pinned:false is a filter too', () => {
    expect(parseSearchQuery('pinned:false').pinned).toBe(false)
  })
})

describe('parseDay', () => {
  it('accepts real dates only', () => {
    expect(parseDay('2024-02-29')).toEqual([2024, 2, 29])
    expect(parseDay('2023-02-29')).toBeNull()
    expect(parseDay('2024-13-01')).toBeNull()
    expect(parseDay('2024-1-01')).toBeNull()
  })
})

describe('toSearchParams', () => {
  it('turns names into ids and drops duplicates', () => {
    const { params, errors } = toSearchParams(parseSearchQuery('from:Ada from:"ada lovelace" from:bob mentions:bob in:general cake'), resolver)
    expect(errors).toEqual([])
    expect(params).toEqual({ content: 'cake', author_id: ['101', '102'], mentions: ['102'], channel_id: ['201'] })
  })

  it('takes ids as they are and reports unknown names', () => {
    const { params, errors } = toSearchParams(parseSearchQuery('from:123456789 from:zed in:nowhere'), resolver)
    expect(params.author_id).toEqual(['123456789'])
    expect(params.channel_id).toBeUndefined()
    expect(errors).toEqual(['No member called "zed"', 'No channel called "nowhere"'])
  })

  it('before: a day is before it starts; after: a day is after it ends', () => {
    const { params } = toSearchParams(parseSearchQuery('before:2025-03-01 after:2025-02-01'), resolver)
    expect(params.max_id).toBe(snowflakeAt(Date.UTC(2025, 2, 1)))
    const firstOfNextDay = BigInt(snowflakeAt(Date.UTC(2025, 1, 2)))
    expect(BigInt(params.min_id!)).toBe(firstOfNextDay - 1n)
    expect(snowflakeTime(params.min_id!)).toBe(Date.UTC(2025, 1, 2) - 1)
  })

  it('after: the last day of a month moves to the next month', () => {
    const { params } = toSearchParams(parseSearchQuery('after:2024-12-31'), resolver)
    expect(BigInt(params.min_id!)).toBe(BigInt(snowflakeAt(Date.UTC(2025, 0, 1))) - 1n)
  })

  it('passes has and pinned, and carries parse errors', () => {
    const { params, errors } = toSearchParams(parseSearchQuery('has:link has:image pinned:false has:nope'), resolver)
    expect(params).toEqual({ has: ['link', 'image'], pinned: false })
    expect(errors).toHaveLength(1)
  })
})

describe('searchQueryString', () => {
  it('repeats arrays and skips what is absent', () => {
    expect(searchQueryString({ content: 'a b', author_id: ['1', '2'], pinned: true, offset: 25, min_id: undefined })).toBe(
      'content=a+b&author_id=1&author_id=2&pinned=true&offset=25',
    )
  })
})
