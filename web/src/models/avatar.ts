// Avatar images: what the server accepts (PNG, JPEG, GIF or WebP up to 8 MiB), checked before
// the upload so a wrong file fails at once, and where an uploaded one is served.
import { API_BASE } from '@/api/client'

export const AVATAR_MAX_BYTES = 8 * 1024 * 1024
export const AVATAR_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const
/** For the file input's `accept`. */
export const AVATAR_ACCEPT = AVATAR_TYPES.join(',')

/** null when the file can be sent; else why not. */
export function checkAvatarFile(file: { type: string; size: number }): string | null {
  if (!(AVATAR_TYPES as readonly string[]).includes(file.type)) return 'Choose a PNG, JPEG, GIF or WebP image.'
  if (file.size === 0) return 'That file is empty.'
  if (file.size > AVATAR_MAX_BYTES) {
    return `That image is ${formatMiB(file.size)}; the limit is ${formatMiB(AVATAR_MAX_BYTES)}.`
  }
  return null
}

function formatMiB(bytes: number): string {
  const mib = bytes / (1024 * 1024)
  return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`
}

/** The image as a `data:` URI, which PATCH /users/@me takes as `avatar`. */
export function readAsDataUri(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => (typeof reader.result === 'string' ? resolve(reader.result) : reject(new Error('unreadable')))
    reader.onerror = () => reject(reader.error ?? new Error('unreadable'))
    reader.readAsDataURL(file)
  })
}

/** The served image of a user's avatar, or null to fall back to initials. */
export function avatarUrl(user: { id: string; avatar: string | null } | null | undefined): string | null {
  if (!user?.avatar) return null
  return `${API_BASE}/avatars/${encodeURIComponent(user.id)}/${encodeURIComponent(user.avatar)}`
}
