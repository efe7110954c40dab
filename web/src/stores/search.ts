// Message search (docs/search.md): the query typed in the channel header, where it searches (a
// server, or one DM), the results panel's page and order, and the answer. Parsing and name
// resolution are in models/search_query.ts; a late answer to an older query is dropped.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ApiError } from '@/api/client'
import { searchChannelMessages, searchGuildMessages } from '@/api/search'
import type { Message } from '@/models/message'
import { isEmptySearch, parseSearchQuery, toSearchParams, type SearchParams, type SearchResolver } from '@/models/search_query'

export const SEARCH_PAGE_SIZE = 25
/** The API's largest offset (Discord's). */
const MAX_OFFSET = 9975

export type SearchScope = { kind: 'guild'; guildId: string } | { kind: 'channel'; channelId: string }
export type SearchSort = 'newest' | 'oldest' | 'relevant'
export type SearchStatus = 'idle' | 'loading' | 'done' | 'error'

const SORTS: Record<SearchSort, Pick<SearchParams, 'sort_by' | 'sort_order'>> = {
  newest: { sort_by: 'timestamp', sort_order: 'desc' },
  oldest: { sort_by: 'timestamp', sort_order: 'asc' },
  relevant: { sort_by: 'relevance', sort_order: 'desc' },
}

export const useSearchStore = defineStore('search', () => {
  const open = ref(false)
  const scope = ref<SearchScope | null>(null)
  const text = ref('')
  const sort = ref<SearchSort>('newest')
  const page = ref(0)
  const status = ref<SearchStatus>('idle')
  const error = ref<string | null>(null)
  const total = ref(0)
  const results = ref<Message[]>([])
  let params: SearchParams | null = null
  let generation = 0

  const pageCount = computed(() => Math.min(Math.ceil(total.value / SEARCH_PAGE_SIZE), Math.floor(MAX_OFFSET / SEARCH_PAGE_SIZE) + 1))

  async function load(): Promise<void> {
    const where = scope.value
    if (!where || !params) return
    const mine = ++generation
    status.value = 'loading'
    error.value = null
    const query: SearchParams = { ...params, ...SORTS[sort.value], offset: page.value * SEARCH_PAGE_SIZE, limit: SEARCH_PAGE_SIZE }
    try {
      const answer =
        where.kind === 'guild' ? await searchGuildMessages(where.guildId, query) : await searchChannelMessages(where.channelId, query)
      if (mine !== generation) return
      total.value = answer.total_results
      results.value = answer.messages.map((hit) => hit[0]).filter((message): message is Message => message !== undefined)
      status.value = 'done'
    } catch (caught) {
      if (mine !== generation) return
      status.value = 'error'
      error.value = caught instanceof ApiError ? caught.message : 'Search failed. Please try again.'
    }
  }

  /** Runs `query` in `where`; an empty query closes the panel. */
  function search(where: SearchScope, query: string, resolver: SearchResolver): void {
    text.value = query
    const parsed = parseSearchQuery(query)
    if (isEmptySearch(parsed) && parsed.errors.length === 0) {
      close()
      return
    }
    scope.value = where
    open.value = true
    page.value = 0
    total.value = 0
    results.value = []
    const built = toSearchParams(parsed, resolver)
    if (built.errors.length > 0) {
      ++generation
      params = null
      status.value = 'error'
      error.value = built.errors.join('. ')
      return
    }
    params = built.params
    void load()
  }

  function setPage(next: number): void {
    if (next < 0 || next >= pageCount.value || next === page.value) return
    page.value = next
    void load()
  }

  function setSort(next: SearchSort): void {
    if (next === sort.value) return
    sort.value = next
    page.value = 0
    void load()
  }

  function retry(): void {
    void load()
  }

  function close(): void {
    ++generation
    open.value = false
    status.value = 'idle'
    error.value = null
    results.value = []
    total.value = 0
    params = null
  }

  /** Leaving the place searched: the panel and the query go. */
  function reset(): void {
    close()
    text.value = ''
    scope.value = null
  }

  return { open, scope, text, sort, page, pageCount, status, error, total, results, search, setPage, setSort, retry, close, reset }
})
