// A windowed list for the chat log: only the rows near the viewport are in the DOM. Row heights
// are estimated until a row has been shown once, then measured (ResizeObserver) and remembered by
// key. The list is laid out against the bottom, as a chat log is, and keeps what the user looks
// at still while rows are added above (older history), below (new messages) or change height:
// the scroll position is held as an anchor (the bottom, or a row and its distance from the top of
// the viewport) and put back after every change of layout.
import { computed, nextTick, onBeforeUnmount, onMounted, ref, shallowRef, watch, type Ref } from 'vue'

export interface RowRange {
  start: number
  end: number
}

/**
 * Where the view is: stuck to the bottom, or a row's top (or bottom) edge this far below the
 * viewport's top.
 */
export type ScrollAnchor = { kind: 'bottom' } | { kind: 'row'; key: string; delta: number; edge: 'top' | 'bottom' }

/** Offsets of rows from their heights: measured ones, the estimate for the rest. */
export class RowLayout {
  private readonly heights = new Map<string, number>()
  private keyList: readonly string[] = []
  private readonly indexByKey = new Map<string, number>()
  /** offsets[i] is the top of row i; offsets[n] is the total height. */
  private offsets: number[] = [0]
  private dirty = false

  constructor(
    private readonly estimate: (key: string, index: number) => number,
    /** Rows that may anchor the view; a placeholder (a spinner that a page replaces) may not. */
    private readonly anchorable: (key: string) => boolean = () => true,
  ) {}

  setKeys(keys: readonly string[]): void {
    this.keyList = keys
    this.indexByKey.clear()
    keys.forEach((key, index) => this.indexByKey.set(key, index))
    // Measurements of rows that are gone are kept: the same message may come back (cache).
    if (this.heights.size > 4 * keys.length + 500) {
      for (const key of this.heights.keys()) if (!this.indexByKey.has(key)) this.heights.delete(key)
    }
    this.dirty = true
  }

  get keys(): readonly string[] {
    return this.keyList
  }

  /** Records a row's height; true when it changed. */
  measure(key: string, height: number): boolean {
    if (this.heights.get(key) === height) return false
    this.heights.set(key, height)
    if (this.indexByKey.has(key)) this.dirty = true
    return true
  }

  isMeasured(key: string): boolean {
    return this.heights.has(key)
  }

  private layout(): number[] {
    if (!this.dirty) return this.offsets
    const offsets = new Array<number>(this.keyList.length + 1)
    offsets[0] = 0
    this.keyList.forEach((key, index) => {
      offsets[index + 1] = offsets[index]! + (this.heights.get(key) ?? this.estimate(key, index))
    })
    this.offsets = offsets
    this.dirty = false
    return offsets
  }

  get total(): number {
    const offsets = this.layout()
    return offsets[offsets.length - 1]!
  }

  indexOf(key: string): number {
    return this.indexByKey.get(key) ?? -1
  }

  top(index: number): number {
    const offsets = this.layout()
    return offsets[Math.max(0, Math.min(index, offsets.length - 1))]!
  }

  height(index: number): number {
    return this.top(index + 1) - this.top(index)
  }

  /** The row at `offset` (clamped to the rows there are). */
  indexAt(offset: number): number {
    const offsets = this.layout()
    const count = offsets.length - 1
    if (count === 0) return 0
    let low = 0
    let high = count - 1
    while (low < high) {
      const middle = (low + high + 1) >> 1
      if (offsets[middle]! <= offset) low = middle
      else high = middle - 1
    }
    return low
  }

  /** Rows that meet [top - overscan, bottom + overscan]. */
  range(top: number, viewport: number, overscan: number): RowRange {
    const count = this.keyList.length
    if (count === 0) return { start: 0, end: 0 }
    const start = this.indexAt(Math.max(0, top - overscan))
    const end = Math.min(count, this.indexAt(top + viewport + overscan) + 1)
    return { start, end }
  }

  /**
   * The anchor for a scroll position: the bottom when there, else the bottom edge of the first
   * row whose bottom is below the viewport's top (its bottom, because what changes in a chat row
   * when history comes in above is its top: a group's header goes when it joins the group above).
   * `spacer` is the empty space above the rows (short lists).
   */
  anchorAt(scrollTop: number, viewport: number, spacer: number, atBottom: boolean): ScrollAnchor {
    if (atBottom || this.keyList.length === 0) return { kind: 'bottom' }
    const content = scrollTop - spacer
    let index = this.indexAt(Math.max(0, content))
    if (this.top(index + 1) <= content && index < this.keyList.length - 1) index += 1
    while (index < this.keyList.length - 1 && !this.anchorable(this.keyList[index]!)) index += 1
    return { kind: 'row', key: this.keyList[index]!, delta: spacer + this.top(index + 1) - scrollTop, edge: 'bottom' }
  }

  /** The scroll position that puts `anchor` back; null when its row is gone. */
  scrollTopFor(anchor: ScrollAnchor, viewport: number, spacer: number): number | null {
    const max = Math.max(0, spacer + this.total - viewport)
    if (anchor.kind === 'bottom') return max
    const index = this.indexOf(anchor.key)
    if (index < 0) return null
    const edge = anchor.edge === 'top' ? this.top(index) : this.top(index + 1)
    return Math.max(0, Math.min(max, spacer + edge - anchor.delta))
  }
}

export interface VirtualListOptions {
  scroller: Ref<HTMLElement | null>
  keys: Ref<readonly string[]>
  estimate: (key: string, index: number) => number
  /** Extra rows rendered above and below the viewport, in pixels. */
  overscan?: number
  /** Within this many pixels of the bottom counts as "at the bottom". */
  bottomThreshold?: number
  /** Rows that may anchor the view (default: all). */
  anchorable?: (key: string) => boolean
}

export function useVirtualList(options: VirtualListOptions) {
  const overscan = options.overscan ?? 800
  const threshold = options.bottomThreshold ?? 24
  const layout = new RowLayout(options.estimate, options.anchorable)
  layout.setKeys(options.keys.value)

  /** Bumped whenever the layout changes, so computed values read it again. */
  const version = ref(0)
  const viewport = ref(0)
  const scrollTop = ref(0)
  const range = shallowRef<RowRange>({ start: 0, end: 0 })
  const atBottom = ref(true)
  let anchor: ScrollAnchor = { kind: 'bottom' }
  /** The scrollTop we set last: the scroll event it causes is not the user's. */
  let expectedScrollTop: number | null = null

  const total = computed(() => {
    void version.value
    return layout.total
  })
  const spacer = computed(() => Math.max(0, viewport.value - total.value))
  const paddingTop = computed(() => {
    void version.value
    return layout.top(range.value.start)
  })
  const paddingBottom = computed(() => {
    void version.value
    return Math.max(0, layout.total - layout.top(range.value.end))
  })
  const distanceFromBottom = computed(() => Math.max(0, spacer.value + total.value - viewport.value - scrollTop.value))

  function updateRange(): void {
    const next = layout.range(scrollTop.value - spacer.value, viewport.value, overscan)
    if (next.start !== range.value.start || next.end !== range.value.end) range.value = next
  }

  function readScroller(): HTMLElement | null {
    const element = options.scroller.value
    if (!element) return null
    viewport.value = element.clientHeight
    return element
  }

  function setScrollTop(value: number): void {
    const element = options.scroller.value
    if (!element) return
    element.scrollTop = value
    expectedScrollTop = element.scrollTop
    scrollTop.value = element.scrollTop
    atBottom.value = distanceFromBottom.value <= threshold
  }

  /** Puts the anchor back after a change of layout (rendered first, so the height is there). */
  async function restore(): Promise<void> {
    version.value += 1
    updateRange()
    await nextTick()
    const element = readScroller()
    if (!element) return
    const target = layout.scrollTopFor(anchor, viewport.value, spacer.value)
    if (target !== null && Math.abs(element.scrollTop - target) >= 1) setScrollTop(target)
    else scrollTop.value = element.scrollTop
    updateRange()
  }

  function onScroll(): void {
    const element = readScroller()
    if (!element) return
    scrollTop.value = element.scrollTop
    const ours = expectedScrollTop !== null && Math.abs(element.scrollTop - expectedScrollTop) < 1
    expectedScrollTop = null
    atBottom.value = distanceFromBottom.value <= threshold
    if (!ours) anchor = layout.anchorAt(element.scrollTop, viewport.value, spacer.value, atBottom.value)
    updateRange()
  }

  // --- measuring ---------------------------------------------------------------------------------

  const observed = new Map<Element, string>()
  let rowObserver: ResizeObserver | null = null
  let viewportObserver: ResizeObserver | null = null
  let restoreQueued = false

  function queueRestore(): void {
    if (restoreQueued) return
    restoreQueued = true
    void Promise.resolve().then(() => {
      restoreQueued = false
      void restore()
    })
  }

  function heightOf(element: Element, entry?: ResizeObserverEntry): number {
    const box = entry?.borderBoxSize?.[0]
    if (box) return box.blockSize
    return (element as HTMLElement).offsetHeight
  }

  const elementByKey = new Map<string, Element>()

  /**
   * For each row's element (a function ref): measures it now and whenever it changes size; null
   * (the row left the DOM) stops watching it.
   */
  function measureRow(element: Element | null, key: string): void {
    if (!element) {
      const gone = elementByKey.get(key)
      if (gone) forgetRow(gone)
      elementByKey.delete(key)
      return
    }
    if (observed.get(element) === key) return
    const previous = elementByKey.get(key)
    if (previous && previous !== element) forgetRow(previous)
    elementByKey.set(key, element)
    observed.set(element, key)
    // The observer reports the first size too. Reading it here (offsetHeight) would force a layout
    // in the middle of Vue's patch, with rows half replaced, and the browser would clamp the
    // scroll position to that shorter content.
    rowObserver?.observe(element)
  }

  function forgetRow(element: Element): void {
    observed.delete(element)
    rowObserver?.unobserve(element)
  }

  onMounted(() => {
    if (typeof ResizeObserver !== 'undefined') {
      rowObserver = new ResizeObserver((entries) => {
        let changed = false
        for (const entry of entries) {
          const key = observed.get(entry.target)
          if (key === undefined) continue
          if (!entry.target.isConnected) {
            forgetRow(entry.target)
            continue
          }
          const height = heightOf(entry.target, entry)
          if (height > 0 && layout.measure(key, height)) changed = true
        }
        if (changed) queueRestore()
      })
      for (const element of observed.keys()) rowObserver.observe(element)
      viewportObserver = new ResizeObserver(() => {
        readScroller()
        queueRestore()
      })
      if (options.scroller.value) viewportObserver.observe(options.scroller.value)
    }
    readScroller()
    void restore()
  })

  onBeforeUnmount(() => {
    rowObserver?.disconnect()
    viewportObserver?.disconnect()
    observed.clear()
    elementByKey.clear()
  })

  watch(options.keys, (keys) => {
    layout.setKeys(keys)
    // Forget elements whose rows went (Vue reuses nothing across keys).
    for (const [element, key] of observed) if (!element.isConnected || layout.indexOf(key) < 0) forgetRow(element)
    void restore()
  })

  // --- moving --------------------------------------------------------------------------------------

  function scrollToBottom(): void {
    anchor = { kind: 'bottom' }
    atBottom.value = true
    void restore()
  }

  /** Shows a row: centred ('center') or at the top ('start'), and keeps it there until the user scrolls. */
  function scrollToKey(key: string, align: 'center' | 'start' = 'center'): boolean {
    const index = layout.indexOf(key)
    if (index < 0) return false
    const height = layout.height(index)
    const delta = align === 'center' ? Math.max(0, (viewport.value - height) / 2) : 0
    anchor = { kind: 'row', key, delta, edge: 'top' }
    atBottom.value = false
    void restore()
    return true
  }

  /** The anchor now, e.g. to come back to the same place later. */
  function currentAnchor(): ScrollAnchor {
    return anchor
  }

  function setAnchor(next: ScrollAnchor): void {
    anchor = next
    atBottom.value = next.kind === 'bottom'
    void restore()
  }

  return {
    layout,
    range,
    spacer,
    paddingTop,
    paddingBottom,
    total,
    viewport,
    scrollTop,
    atBottom,
    distanceFromBottom,
    onScroll,
    measureRow,
    scrollToBottom,
    scrollToKey,
    currentAnchor,
    setAnchor,
  }
}
