import { describe, expect, it } from 'vitest'
import {
  admitFiles,
  attachmentKind,
  displayName,
  dragHasFiles,
  filesOf,
  formatBytes,
  isSpoiler,
  pastedFileName,
  previewBox,
  withSpoiler,
} from '@/models/attachment'

function file(name: string, size: number, type = 'application/octet-stream'): File {
  return new File([new Uint8Array(size)], name, { type })
}

describe('attachments', () => {
  it('shows only the types the server serves inline as media, never SVG', () => {
    expect(attachmentKind({ content_type: 'image/png' })).toBe('image')
    expect(attachmentKind({ content_type: 'image/webp' })).toBe('image')
    expect(attachmentKind({ content_type: 'image/svg+xml' })).toBe('file')
    expect(attachmentKind({ content_type: 'video/mp4' })).toBe('video')
    expect(attachmentKind({ content_type: 'audio/ogg; codecs=opus' })).toBe('audio')
    expect(attachmentKind({ content_type: 'text/html' })).toBe('file')
    expect(attachmentKind({})).toBe('file')
  })

  it("marks spoilers with Discord's prefix and shows names without it", () => {
    expect(isSpoiler('SPOILER_cat.png')).toBe(true)
    expect(isSpoiler('spoiler_cat.png')).toBe(false)
    expect(displayName('SPOILER_cat.png')).toBe('cat.png')
    expect(displayName('SPOILER_')).toBe('SPOILER_')
    expect(withSpoiler('cat.png', true)).toBe('SPOILER_cat.png')
    expect(withSpoiler('SPOILER_cat.png', true)).toBe('SPOILER_cat.png')
    expect(withSpoiler('SPOILER_cat.png', false)).toBe('cat.png')
  })

  it('formats sizes in 1024 steps with few digits', () => {
    expect(formatBytes(1)).toBe('1 byte')
    expect(formatBytes(812)).toBe('812 bytes')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(formatBytes(25 * 1024 * 1024)).toBe('25 MB')
    expect(formatBytes(123.4 * 1024 * 1024)).toBe('123 MB')
    expect(formatBytes(-1)).toBe('')
  })

  it('scales previews down to fit, never up, and boxes unknown sizes', () => {
    expect(previewBox(800, 600)).toEqual({ width: 400, height: 300 })
    expect(previewBox(100, 2000)).toEqual({ width: 15, height: 300 })
    expect(previewBox(64, 48)).toEqual({ width: 64, height: 48 })
    expect(previewBox(null, 10)).toEqual({ width: 400, height: 200 })
  })

  it('admits files up to the count and size limits and says why the rest were refused', () => {
    const limits = { maxFiles: 3, maxFileBytes: 100 }
    const picked = [file('a', 10), file('big', 101), file('b', 10), file('c', 10)]
    const first = admitFiles(picked, 0, limits)
    expect(first.accepted.map((entry) => entry.name)).toEqual(['a', 'b', 'c'])
    expect(first.refusal).toBe('big is too large: the limit is 100 bytes.')

    const full = admitFiles([file('d', 1)], 3, limits)
    expect(full.accepted).toEqual([])
    expect(full.refusal).toBe('You can only upload 3 files at a time.')

    expect(admitFiles([file('empty', 0)], 0, limits).refusal).toBe('empty is empty.')
    expect(admitFiles([file('ok', 5)], 0, limits).refusal).toBeNull()
  })

  it('takes files from a drop or paste, and tells a file drag from a text drag', () => {
    const one = file('x.txt', 3)
    const fromList = { files: [one], items: [], types: ['Files'] } as unknown as DataTransfer
    expect(filesOf(fromList)).toEqual([one])
    const fromItems = {
      files: [],
      items: [
        { kind: 'string', getAsFile: () => null },
        { kind: 'file', getAsFile: () => one },
      ],
      types: ['Files'],
    } as unknown as DataTransfer
    expect(filesOf(fromItems)).toEqual([one])
    expect(filesOf(null)).toEqual([])
    expect(dragHasFiles(fromList)).toBe(true)
    expect(dragHasFiles({ types: ['text/plain'] } as unknown as DataTransfer)).toBe(false)
  })

  it('names a pasted screenshot after the time it was pasted', () => {
    const when = new Date('2026-11-25T02:03:04Z')
    expect(pastedFileName(file('image.png', 1, 'image/png'), when)).toBe('pasted-20261125020304.png')
    expect(pastedFileName(file('', 1, 'image/jpeg'), when)).toBe('pasted-20261125020304.jpeg')
    expect(pastedFileName(file('notes.txt', 1, 'text/plain'), when)).toBe('notes.txt')
  })
})
