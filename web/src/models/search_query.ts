// The search box's language (docs/search.md), as Discord's: free words plus `from:user`,
// `mentions:user`, `in:channel`, `has:link|file|image|...`, `before:YYYY-MM-DD`,
// `after:YYYY-MM-DD`, `pinned:true|false`. Values with spaces go in double quotes
// (`from:"Ada Lovelace"`). Parsing is pure; names become ids through a resolver, and dates
// become snowflake bounds, in `toSearchParams`.
import { snowflakeAt } from './message'

export const SEARCH_HAS = ['link', 'embed', 'file', 'image', 'video', 'sound', 'sticker', 'poll', 'snapshot'] as const
export type SearchHas = (typeof SEARCH_HAS)[number]

export interface ParsedSearch {
  /** The free words, joined by single spaces. */
  content: string
  from: string[]
  mentions: string[]
  in: string[]
  has: SearchHas[]
  /** YYYY-MM-DD, as typed. */
  before: string | null
  after: string | null
  pinned: boolean | null
  /** What could not be understood, in words for the user. */
  errors: string[]
}

/** The query string of GET .../messages/search (arrays repeat the parameter). */
export interface SearchParams {
  content?: string
  author_id?: string[]
  mentions?: string[]
  channel_id?: string[]
  has?: string[]
  min_id?: string
  max_id?: string
  pinned?: boolean
  sort_by?: 'relevance' | 'timestamp'
  sort_order?: 'asc' | 'desc'
  offset?: number
  limit?: number
}

export interface SearchResolver {
  /** A user id for a name (username, display name or nickname), or null. */
  user: (name: string) => string | null
  /** A channel id for a name, or null. */
  channel: (name: string) => string | null
  /** Milliseconds since 1970 at the start of a calendar day; the user's time zone by default. */
  dayStart?: (year: number, month: number, day: number) => number
}

const FILTERS = ['from', 'mentions', 'in', 'has', 'before', 'after', 'pinned'] as const
type Filter = (typeof FILTERS)[number]

/** Splits on whitespace, keeping "quoted parts" (quotes removed) inside one token. */
function tokens(text: string): string[] {
  const out: string[] = []
  let current = ''
  let quoted = false
  let started = false
  for (const char of text) {
    if (char === '"') {
      quoted = !quoted
      started = true
    } else if (!quoted && /\s/.test(char)) {
      if (started) out.push(current)
      current = ''
      started = false
    } else {
      current += char
      started = true
    }
  }
  if (started) out.push(current)
  return out
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** [year, month, day] of a real calendar date, or null. */
export function parseDay(text: string): [number, number, number] | null {
  const match = DATE.exec(text)
  if (!match) return null
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const check = new Date(Date.UTC(year, month - 1, day))
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null
  return [year, month, day]
}

export function parseSearchQuery(text: string): ParsedSearch {
  const parsed: ParsedSearch = {
    content: '',
    from: [],
    mentions: [],
    in: [],
    has: [],
    before: null,
    after: null,
    pinned: null,
    errors: [],
  }
  const words: string[] = []
  for (const token of tokens(text)) {
    const colon = token.indexOf(':')
    const key = colon > 0 ? token.slice(0, colon).toLowerCase() : ''
    const value = colon > 0 ? token.slice(colon + 1) : ''
    if (!(FILTERS as readonly string[]).includes(key) || value === '') {
      words.push(token)
      continue
    }
    switch (key as Filter) {
      case 'from':
        parsed.from.push(value.replace(/^@/, ''))
        break
      case 'mentions':
        parsed.mentions.push(value.replace(/^@/, ''))
        break
      case 'in':
        parsed.in.push(value.replace(/^#/, ''))
        break
      case 'has': {
        const kind = value.toLowerCase()
        if ((SEARCH_HAS as readonly string[]).includes(kind)) {
          if (!parsed.has.includes(kind as SearchHas)) parsed.has.push(kind as SearchHas)
        } else {
          parsed.errors.push(`has: takes ${SEARCH_HAS.join(', ')}`)
        }
        break
      }
      case 'before':
      case 'after':
        if (parseDay(value)) parsed[key as 'before' | 'after'] = value
        else parsed.errors.push(`${key}: takes a date as YYYY-MM-DD`)
        break
      case 'pinned':
        if (value.toLowerCase() === 'true') parsed.pinned = true
        else if (value.toLowerCase() === 'false') parsed.pinned = false
        else parsed.errors.push('pinned: takes true or false')
        break
    }
  }
  parsed.content = words.join(' ')
  return parsed
}

/** Whether the query asks for anything at all. */
export function isEmptySearch(parsed: ParsedSearch): boolean {
  return (
    parsed.content === '' &&
    parsed.from.length + parsed.mentions.length + parsed.in.length + parsed.has.length === 0 &&
    parsed.before === null &&
    parsed.after === null &&
    parsed.pinned === null
  )
}

const localDayStart = (year: number, month: number, day: number): number => new Date(year, month - 1, day).getTime()
const DAY_MS = 24 * 60 * 60 * 1000

/**
 * The API's parameters for a parsed query. `before:` a day means before that day starts;
 * `after:` a day means after it ends (Discord's reading). Names no resolver knows are errors.
 */
export function toSearchParams(parsed: ParsedSearch, resolver: SearchResolver): { params: SearchParams; errors: string[] } {
  const errors = [...parsed.errors]
  const params: SearchParams = {}
  if (parsed.content !== '') params.content = parsed.content
  const resolve = (names: string[], lookup: (name: string) => string | null, what: string): string[] => {
    const ids: string[] = []
    for (const name of names) {
      const found = /^\d{1,20}$/.test(name) ? name : lookup(name)
      if (found === null) errors.push(`No ${what} called "${name}"`)
      else if (!ids.includes(found)) ids.push(found)
    }
    return ids
  }
  const authors = resolve(parsed.from, resolver.user, 'member')
  if (authors.length > 0) params.author_id = authors
  const mentioned = resolve(parsed.mentions, resolver.user, 'member')
  if (mentioned.length > 0) params.mentions = mentioned
  const channels = resolve(parsed.in, resolver.channel, 'channel')
  if (channels.length > 0) params.channel_id = channels
  if (parsed.has.length > 0) params.has = [...parsed.has]
  const dayStart = resolver.dayStart ?? localDayStart
  const before = parsed.before ? parseDay(parsed.before) : null
  if (before) params.max_id = snowflakeAt(dayStart(...before))
  const after = parsed.after ? parseDay(parsed.after) : null
  if (after) {
    // The next day's start: localDayStart copes with daylight saving, so step by date, not ms.
    const next = new Date(Date.UTC(after[0], after[1] - 1, after[2]) + DAY_MS)
    const nextStart = snowflakeAt(dayStart(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()))
    params.min_id = (BigInt(nextStart) - 1n).toString()
  }
  if (parsed.pinned !== null) params.pinned = parsed.pinned
  return { params, errors }
}

/** The query string for `params` (arrays repeated). */
export function searchQueryString(params: SearchParams): string {
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue
    for (const item of Array.isArray(value) ? value : [value]) query.append(name, String(item))
  }
  return query.toString()
}
