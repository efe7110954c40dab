// Colour theme: follows the system until the user picks one, then remembers it.
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'

export type ThemeName = 'dark' | 'light'
export type ThemePreference = ThemeName | 'system'

export const THEME_STORAGE_KEY = 'hearth.theme'
const DARK_QUERY = '(prefers-color-scheme: dark)'
const LIGHT_QUERY = '(prefers-color-scheme: light)'

function readStoredPreference(): ThemePreference {
  try {
    const stored = window.localStorage.getItem(THEME_STORAGE_KEY)
    if (stored === 'dark' || stored === 'light' || stored === 'system') return stored
  } catch {
    // Storage can be disabled (privacy modes); the system preference still works.
  }
  return 'system'
}

function systemTheme(): ThemeName {
  // Dark is the default look, so only an explicit light preference switches.
  if (typeof window.matchMedia !== 'function') return 'dark'
  if (window.matchMedia(DARK_QUERY).matches) return 'dark'
  return window.matchMedia(LIGHT_QUERY).matches ? 'light' : 'dark'
}

/** Sets the attribute tokens.css keys its colours (and `color-scheme`) on. */
export function applyTheme(theme: ThemeName, root: HTMLElement = document.documentElement): void {
  root.dataset.theme = theme
}

export const useThemeStore = defineStore('theme', () => {
  const preference = ref<ThemePreference>(readStoredPreference())
  const system = ref<ThemeName>(systemTheme())
  const theme = computed<ThemeName>(() => (preference.value === 'system' ? system.value : preference.value))

  if (typeof window.matchMedia === 'function') {
    window.matchMedia(LIGHT_QUERY).addEventListener('change', () => {
      system.value = systemTheme()
    })
  }

  function setPreference(next: ThemePreference): void {
    preference.value = next
    try {
      if (next === 'system') window.localStorage.removeItem(THEME_STORAGE_KEY)
      else window.localStorage.setItem(THEME_STORAGE_KEY, next)
    } catch {
      // Not persisted, still applied for this visit.
    }
  }

  /** Flips between dark and light; from then on the choice no longer follows the system. */
  function toggle(): void {
    setPreference(theme.value === 'dark' ? 'light' : 'dark')
  }

  watch(theme, (value) => applyTheme(value), { immediate: true })

  return { preference, theme, setPreference, toggle }
})
