import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import AttachmentList from '@/components/attachment/AttachmentList.vue'
import UploadProgress from '@/components/attachment/UploadProgress.vue'
import type { Attachment } from '@/models/attachment'

afterEach(() => {
  document.body.innerHTML = ''
})

function attachment(id: string, filename: string, content_type: string, extra: Partial<Attachment> = {}): Attachment {
  const url = `/api/v1/attachments/5/${id}/${filename}`
  return { id, filename, size: 2048, content_type, url, proxy_url: `${url}?preview=1`, ...extra }
}

describe('AttachmentList', () => {
  it('shows images by their thumbnail at their proportions, and opens the full image in the lightbox', async () => {
    const wrapper = mount(AttachmentList, {
      props: { attachments: [attachment('1', 'cat.png', 'image/png', { width: 1600, height: 1200 })] },
      attachTo: document.body,
    })
    const image = wrapper.get('[data-testid="attachment-image"] img')
    expect(image.attributes('src')).toBe('/api/v1/attachments/5/1/cat.png?preview=1')
    expect([image.attributes('width'), image.attributes('height')]).toEqual(['400', '300'])
    expect(wrapper.find('[data-testid="lightbox"]').exists()).toBe(false)
    await wrapper.get('.media__open').trigger('click')
    const full = wrapper.get('[data-testid="lightbox-image"]')
    expect(full.attributes('src')).toBe('/api/v1/attachments/5/1/cat.png')
    expect(wrapper.get('[data-testid="lightbox"]').text()).toContain('1600×1200')
  })

  it('hides a spoiler until clicked, and offers other files as a card to download', async () => {
    const wrapper = mount(AttachmentList, {
      props: {
        attachments: [attachment('2', 'SPOILER_plot.png', 'image/webp'), attachment('3', 'report.pdf', 'application/pdf'), attachment('4', 'x.svg', 'image/svg+xml')],
      },
    })
    const media = wrapper.get('[data-testid="attachment-image"]')
    expect(media.classes()).toContain('media--hidden')
    expect(media.get('img').attributes('alt')).toBe('plot.png')
    await media.get('[data-testid="attachment-spoiler"]').trigger('click')
    expect(media.classes()).not.toContain('media--hidden')

    const cards = wrapper.findAll('[data-testid="attachment-file"]')
    expect(cards.map((card) => card.get('[data-testid="attachment-download"]').text())).toEqual(['report.pdf', 'x.svg'])
    expect(cards[0]!.get('[data-testid="attachment-download"]').attributes('href')).toBe('/api/v1/attachments/5/3/report.pdf')
    expect(cards[0]!.text()).toContain('2 KB')
  })

  it('plays video and audio in place', () => {
    const wrapper = mount(AttachmentList, {
      props: { attachments: [attachment('5', 'clip.mp4', 'video/mp4'), attachment('6', 'song.ogg', 'audio/ogg')] },
    })
    expect(wrapper.get('[data-testid="attachment-video"] video').attributes('src')).toBe('/api/v1/attachments/5/5/clip.mp4')
    expect(wrapper.get('[data-testid="attachment-audio"] audio').attributes('src')).toBe('/api/v1/attachments/5/6/song.ogg')
  })
})

describe('UploadProgress', () => {
  it('shows how much of the files went out, and cancels', async () => {
    const wrapper = mount(UploadProgress, {
      props: { upload: { files: [{ filename: 'a.bin', size: 3072 }, { filename: 'b.bin', size: 1024 }], loaded: 1024, total: 4096 } },
    })
    expect(wrapper.text()).toContain('2 files')
    expect(wrapper.text()).toContain('1 KB of 4 KB')
    expect(wrapper.get('[role="progressbar"]').attributes('aria-valuenow')).toBe('25')
    await wrapper.get('[data-testid="upload-cancel"]').trigger('click')
    expect(wrapper.emitted('cancel')).toHaveLength(1)
  })
})
