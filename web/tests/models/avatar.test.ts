import { describe, expect, it } from 'vitest'
import { AVATAR_MAX_BYTES, avatarUrl, checkAvatarFile, readAsDataUri } from '@/models/avatar'

describe('checkAvatarFile', () => {
  it('accepts PNG, JPEG, GIF and WebP up to 8 MiB', () => {
    for (const type of ['image/png', 'image/jpeg', 'image/gif', 'image/webp']) {
      expect(checkAvatarFile({ type, size: 1024 })).toBeNull()
    }
    expect(checkAvatarFile({ type: 'image/png', size: AVATAR_MAX_BYTES })).toBeNull()
  })

  it('refuses one byte over the limit, naming both sizes', () => {
    expect(checkAvatarFile({ type: 'image/png', size: AVATAR_MAX_BYTES + 1 })).toBe(
      'That image is 8.0 MiB; the limit is 8 MiB.',
    )
    expect(checkAvatarFile({ type: 'image/jpeg', size: 12 * 1024 * 1024 })).toBe(
      'That image is 12 MiB; the limit is 8 MiB.',
    )
  })

  it('refuses other types and empty files', () => {
    expect(checkAvatarFile({ type: 'image/svg+xml', size: 10 })).toMatch(/PNG, JPEG, GIF or WebP/)
    expect(checkAvatarFile({ type: '', size: 10 })).toMatch(/PNG, JPEG, GIF or WebP/)
    expect(checkAvatarFile({ type: 'image/png', size: 0 })).toBe('That file is empty.')
  })
})

describe('avatarUrl', () => {
  it('points at the served image, or null for initials', () => {
    expect(avatarUrl({ id: '42', avatar: 'abc123' })).toBe('/api/v1/avatars/42/abc123')
    expect(avatarUrl({ id: '42', avatar: null })).toBeNull()
    expect(avatarUrl(null)).toBeNull()
  })
})

describe('readAsDataUri', () => {
  it('reads a file as a base64 data URI', async () => {
    const uri = await readAsDataUri(new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], { type: 'image/png' }))
    expect(uri).toBe('data:image/png;base64,iVBORw==')
  })
})
