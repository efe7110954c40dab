// "5 minutes ago" from an ISO 8601 time. `now` is injected so tests need no fake clock.

const formatter = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })

const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
]

/** Relative time for the past (and "just now" for the last minute or a slightly fast server clock). */
export function formatRelativeTime(iso: string, now: number = Date.now()): string {
  const time = Date.parse(iso)
  if (Number.isNaN(time)) return 'Unknown'
  const secondsAgo = Math.round((now - time) / 1000)
  if (secondsAgo < 60) return 'Just now'
  for (const [unit, seconds] of UNITS) {
    if (secondsAgo >= seconds) {
      const text = formatter.format(-Math.floor(secondsAgo / seconds), unit)
      return text.charAt(0).toUpperCase() + text.slice(1)
    }
  }
  return 'Just now'
}

/** "March 5, 2026" for a date that does not need to be relative. */
export function formatDate(iso: string): string {
  const time = Date.parse(iso)
  if (Number.isNaN(time)) return 'Unknown'
  return new Date(time).toLocaleDateString('en', { year: 'numeric', month: 'long', day: 'numeric' })
}
