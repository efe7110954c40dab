import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { defineComponent, h, ref } from 'vue'
import { RowLayout, useVirtualList } from '@/composables/useVirtualList'

const keys = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => `m${from + index}`)

describe('RowLayout', () => {
  it('lays rows out from estimates, then from measured heights', () => {
    const layout = new RowLayout(() => 20)
    layout.setKeys(keys(1, 10))
    expect(layout.total).toBe(200)
    expect(layout.top(3)).toBe(60)
    expect(layout.measure('m2', 50)).toBe(true)
    expect(layout.measure('m2', 50)).toBe(false)
    expect(layout.total).toBe(230)
    expect(layout.top(3)).toBe(90)
    expect(layout.indexAt(0)).toBe(0)
    expect(layout.indexAt(25)).toBe(1)
    expect(layout.indexAt(69)).toBe(1)
    expect(layout.indexAt(70)).toBe(2)
    expect(layout.indexAt(10_000)).toBe(9)
  })

  it('gives the rows near the viewport, with some above and below', () => {
    const layout = new RowLayout(() => 20)
    layout.setKeys(keys(1, 100))
    expect(layout.range(1000, 200, 0)).toEqual({ start: 50, end: 61 })
    expect(layout.range(1000, 200, 100)).toEqual({ start: 45, end: 66 })
    expect(layout.range(0, 200, 100)).toEqual({ start: 0, end: 16 })
    layout.setKeys([])
    expect(layout.range(0, 200, 100)).toEqual({ start: 0, end: 0 })
  })

  it('holds the first row on screen still when older rows come in above and are measured', () => {
    const layout = new RowLayout(() => 20)
    layout.setKeys(keys(51, 100))
    // Scrolled to 305 of 1000, viewport 200: m66 (300..320) is the first row on screen.
    const anchor = layout.anchorAt(305, 200, 0, false)
    expect(anchor).toEqual({ kind: 'row', key: 'm66', delta: 15, edge: 'bottom' })
    layout.setKeys(keys(1, 100))
    expect(layout.scrollTopFor(anchor, 200, 0)).toBe(1305)
    layout.measure('m10', 45)
    expect(layout.scrollTopFor(anchor, 200, 0)).toBe(1330)
    // The anchor row itself losing its header (it joined the group above): its bottom stays.
    layout.measure('m66', 10)
    expect(layout.scrollTopFor(anchor, 200, 0)).toBe(1320)
  })

  it('anchors on the bottom when there, and never on a row that may not anchor', () => {
    const layout = new RowLayout(
      () => 20,
      (key) => key !== 'older',
    )
    layout.setKeys(['older', ...keys(1, 20)])
    expect(layout.anchorAt(220, 200, 0, true)).toEqual({ kind: 'bottom' })
    expect(layout.scrollTopFor({ kind: 'bottom' }, 200, 0)).toBe(220)
    expect(layout.anchorAt(0, 200, 0, false)).toMatchObject({ key: 'm1', delta: 40 })
    // A short list sits at the bottom behind a spacer.
    expect(layout.scrollTopFor({ kind: 'bottom' }, 600, 180)).toBe(0)
    // A row that is gone cannot be put back.
    expect(layout.scrollTopFor({ kind: 'row', key: 'm99', delta: 0, edge: 'top' }, 200, 0)).toBeNull()
    // A top anchor (jump to a message) puts the row's top there.
    expect(layout.scrollTopFor({ kind: 'row', key: 'm10', delta: 90, edge: 'top' }, 200, 0)).toBe(110)
  })
})

/** A list of `rows` in a 200 px viewport; the scroller's geometry comes from the layout (jsdom has none). */
function mountList(initial: string[]) {
  const rows = ref(initial)
  let api!: ReturnType<typeof useVirtualList>
  const Host = defineComponent({
    setup() {
      const scroller = ref<HTMLElement | null>(null)
      api = useVirtualList({ scroller, keys: rows, estimate: () => 20, overscan: 40 })
      return () =>
        h('div', { ref: scroller, onScroll: api.onScroll }, [
          h(
            'div',
            rows.value.slice(api.range.value.start, api.range.value.end).map((key) => h('p', { key, 'data-key': key }, key)),
          ),
        ])
    },
  })
  const wrapper = mount(Host, { attachTo: document.body })
  const element = wrapper.element as HTMLElement
  let top = 0
  Object.defineProperty(element, 'clientHeight', { get: () => 200 })
  Object.defineProperty(element, 'scrollHeight', { get: () => Math.max(200, api.spacer.value + api.total.value) })
  Object.defineProperty(element, 'scrollTop', {
    get: () => top,
    set: (value: number) => {
      top = Math.max(0, Math.min(value, element.scrollHeight - 200))
    },
  })
  /** The user scrolls to `value`. */
  const scrollTo = async (value: number) => {
    element.scrollTop = value
    element.dispatchEvent(new Event('scroll'))
    await flushPromises()
  }
  const rendered = () => Array.from(element.querySelectorAll('p')).map((row) => row.textContent)
  return { rows, api: () => api, element, scrollTo, rendered, wrapper }
}

describe('useVirtualList', () => {
  it('renders only the rows near the viewport and starts at the bottom', async () => {
    const list = mountList(keys(1, 100))
    list.api().scrollToBottom()
    await flushPromises()
    expect(list.element.scrollTop).toBe(1800)
    expect(list.rendered()).toEqual(keys(89, 100))
    expect(list.api().atBottom.value).toBe(true)
    list.wrapper.unmount()
  })

  it('stays at the bottom as rows arrive there, and holds still when scrolled up', async () => {
    const list = mountList(keys(51, 100))
    list.api().scrollToBottom()
    await flushPromises()
    list.rows.value = keys(51, 101)
    await flushPromises()
    expect(list.element.scrollTop).toBe(820)
    expect(list.rendered().at(-1)).toBe('m101')

    await list.scrollTo(305)
    expect(list.api().atBottom.value).toBe(false)
    list.rows.value = keys(1, 102)
    await flushPromises()
    // 50 rows of 20 px came in above: the view moved down with them; the new one below is not seen.
    expect(list.element.scrollTop).toBe(1305)
    expect(list.rendered()).toContain('m66')
    list.wrapper.unmount()
  })

  it('shows a row on request, centred', async () => {
    const list = mountList(keys(1, 100))
    list.api().scrollToBottom()
    await flushPromises()
    expect(list.api().scrollToKey('m20')).toBe(true)
    await flushPromises()
    expect(list.element.scrollTop).toBe(19 * 20 - 90)
    expect(list.rendered()).toContain('m20')
    expect(list.api().scrollToKey('nope')).toBe(false)
    list.wrapper.unmount()
  })
})
