import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { THEME_STORAGE_KEY, useThemeStore } from '@/stores/theme'
import { installMatchMedia } from '../support/match_media'

const LIGHT = '(prefers-color-scheme: light)'
const DARK = '(prefers-color-scheme: dark)'

beforeEach(() => {
  localStorage.clear()
  delete document.documentElement.dataset.theme
  setActivePinia(createPinia())
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('theme store', () => {
  it('defaults to dark and applies it to <html>', () => {
    installMatchMedia([])
    const theme = useThemeStore()
    expect(theme.preference).toBe('system')
    expect(theme.theme).toBe('dark')
    expect(document.documentElement.dataset.theme).toBe('dark')
  })

  it('follows a light system preference, live', async () => {
    const media = installMatchMedia([LIGHT])
    const theme = useThemeStore()
    expect(theme.theme).toBe('light')
    expect(document.documentElement.dataset.theme).toBe('light')

    media.set(LIGHT, false)
    media.set(DARK, true)
    await nextTick()
    expect(theme.theme).toBe('dark')
    expect(document.documentElement.dataset.theme).toBe('dark')
  })

  it('toggling persists the explicit choice and applies it', async () => {
    installMatchMedia([DARK])
    const theme = useThemeStore()
    theme.toggle()
    await nextTick()

    expect(theme.preference).toBe('light')
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('light')
    expect(document.documentElement.dataset.theme).toBe('light')

    theme.toggle()
    await nextTick()
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark')
    expect(document.documentElement.dataset.theme).toBe('dark')
  })

  it('restores the stored choice over the system preference', () => {
    installMatchMedia([DARK])
    localStorage.setItem(THEME_STORAGE_KEY, 'light')
    const theme = useThemeStore()
    expect(theme.theme).toBe('light')
    expect(document.documentElement.dataset.theme).toBe('light')
  })

  it('going back to "system" forgets the stored choice', async () => {
    installMatchMedia([LIGHT])
    localStorage.setItem(THEME_STORAGE_KEY, 'dark')
    const theme = useThemeStore()
    theme.setPreference('system')
    await nextTick()
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBeNull()
    expect(theme.theme).toBe('light')
  })

  it('ignores a corrupt stored value', () => {
    installMatchMedia([])
    localStorage.setItem(THEME_STORAGE_KEY, 'purple')
    expect(useThemeStore().preference).toBe('system')
  })
})
