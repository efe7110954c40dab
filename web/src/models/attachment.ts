// Files on messages (docs/files.md; Discord v10 shapes): the attachment object, how each kind is
// shown, spoilers (Discord's `SPOILER_` file-name prefix), the limits checked before an upload
// starts, and the size a preview takes in the chat.

export interface Attachment {
  id: string
  filename: string
  /** Bytes. */
  size: number
  /** The type the server found in the bytes, never the uploader's claim. */
  content_type?: string
  /** The file itself (for an image, the re-encoded copy without metadata). */
  url: string
  /** For an image, a thumbnail fitting 1024x1024; otherwise the same as url. */
  proxy_url: string
  width?: number | null
  height?: number | null
  description?: string | null
}

/** Discord's limits: files per message, and the server's default size of each. */
export const MAX_FILES_PER_MESSAGE = 10
export const DEFAULT_MAX_FILE_BYTES = 25 * 1024 * 1024

export const SPOILER_PREFIX = 'SPOILER_'

export type AttachmentKind = 'image' | 'video' | 'audio' | 'file'

/** Types a browser shows inline; the server serves the rest as downloads (and never SVG inline). */
const INLINE_IMAGE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp'])

export function attachmentKind(attachment: Pick<Attachment, 'content_type'>): AttachmentKind {
  const type = (attachment.content_type ?? '').split(';')[0]!.trim().toLowerCase()
  if (INLINE_IMAGE.has(type)) return 'image'
  if (type.startsWith('video/')) return 'video'
  if (type.startsWith('audio/')) return 'audio'
  return 'file'
}

export function isSpoiler(filename: string): boolean {
  return filename.startsWith(SPOILER_PREFIX)
}

/** The name shown to people: without the spoiler prefix. */
export function displayName(filename: string): string {
  return isSpoiler(filename) ? filename.slice(SPOILER_PREFIX.length) || filename : filename
}

/** The file name to upload under, marked as a spoiler or not. */
export function withSpoiler(filename: string, spoiler: boolean): string {
  const plain = displayName(filename)
  return spoiler ? `${SPOILER_PREFIX}${plain}` : plain
}

/** "812 bytes", "1.5 KB", "24.3 MB" (1024-based, as Discord shows sizes). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return ''
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2
  return `${Number(value.toFixed(digits))} ${units[unit]}`
}

/**
 * The box an image or video preview takes: the media's own size, scaled down to fit
 * `maxWidth` x `maxHeight`, never up. Unknown dimensions get a placeholder box.
 */
export function previewBox(
  width: number | null | undefined,
  height: number | null | undefined,
  maxWidth = 400,
  maxHeight = 300,
): { width: number; height: number } {
  if (!width || !height || width <= 0 || height <= 0) return { width: maxWidth, height: Math.round(maxHeight / 1.5) }
  const scale = Math.min(1, maxWidth / width, maxHeight / height)
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}

/** A file picked for upload, before it is sent. */
export interface DraftFile {
  /** Local id, stable while the draft lives. */
  key: string
  file: File
  /** The name it will be uploaded under (the spoiler prefix is added at send time). */
  filename: string
  spoiler: boolean
}

export interface FileLimits {
  maxFiles: number
  maxFileBytes: number
}

export const DEFAULT_FILE_LIMITS: FileLimits = { maxFiles: MAX_FILES_PER_MESSAGE, maxFileBytes: DEFAULT_MAX_FILE_BYTES }

/**
 * Splits newly picked files into those that fit beside the `already` attached and a reason for
 * the first refusal (too many, too large, empty), shown to the user.
 */
export function admitFiles(
  picked: readonly File[],
  already: number,
  limits: FileLimits = DEFAULT_FILE_LIMITS,
): { accepted: File[]; refusal: string | null } {
  const accepted: File[] = []
  let refusal: string | null = null
  for (const file of picked) {
    if (already + accepted.length >= limits.maxFiles) {
      refusal ??= `You can only upload ${limits.maxFiles} files at a time.`
      continue
    }
    if (file.size > limits.maxFileBytes) {
      refusal ??= `${file.name || 'That file'} is too large: the limit is ${formatBytes(limits.maxFileBytes)}.`
      continue
    }
    if (file.size === 0) {
      refusal ??= `${file.name || 'That file'} is empty.`
      continue
    }
    accepted.push(file)
  }
  return { accepted, refusal }
}

/** The files a drag or a paste carries (none for dragged text or links). */
export function filesOf(transfer: DataTransfer | null | undefined): File[] {
  if (!transfer) return []
  const fromList = Array.from(transfer.files ?? [])
  if (fromList.length > 0) return fromList
  const fromItems: File[] = []
  for (const item of Array.from(transfer.items ?? [])) {
    if (item.kind !== 'file') continue
    const file = item.getAsFile()
    if (file) fromItems.push(file)
  }
  return fromItems
}

/** Whether a drag carries files (its items are hidden until the drop; only the types show). */
export function dragHasFiles(transfer: DataTransfer | null | undefined): boolean {
  return !!transfer && Array.from(transfer.types ?? []).includes('Files')
}

/** A pasted image arrives as "image.png"; give it a name worth keeping, as Discord does. */
export function pastedFileName(file: File, now: Date = new Date()): string {
  if (file.name && file.name !== 'image.png') return file.name
  const extension = file.type.split('/')[1]?.replace(/[^a-z0-9]/gi, '') || 'png'
  const stamp = now.toISOString().slice(0, 19).replace(/[-:T]/g, '')
  return `pasted-${stamp}.${extension}`
}
