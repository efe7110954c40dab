// Leaving the app through a link in a message: which hosts the user said to trust (asked once
// in the "Leaving Hearth" dialog, remembered in localStorage) and how the link is opened.
import { linkHost } from './url'

export const TRUSTED_DOMAINS_KEY = 'hearth.trustedDomains'
const MAX_TRUSTED = 500

function readTrusted(): string[] {
  try {
    const stored = JSON.parse(window.localStorage.getItem(TRUSTED_DOMAINS_KEY) ?? '[]') as unknown
    return Array.isArray(stored) ? stored.filter((host): host is string => typeof host === 'string') : []
  } catch {
    // Unreadable or disabled storage: nothing is trusted, the dialog simply asks again.
    return []
  }
}

/** Links to this Hearth itself, and to hosts the user trusted, open without asking. */
export function isTrustedLink(href: string): boolean {
  const host = linkHost(href)
  if (host === null) return false
  if (host === window.location.hostname) return true
  return readTrusted().includes(host)
}

/** Remembers a host (exactly that host, not its subdomains) as trusted. */
export function trustHost(host: string): void {
  const hosts = readTrusted().filter((known) => known !== host)
  hosts.push(host.toLowerCase())
  try {
    window.localStorage.setItem(TRUSTED_DOMAINS_KEY, JSON.stringify(hosts.slice(-MAX_TRUSTED)))
  } catch {
    // Not remembered; the link still opens.
  }
}

/** Opens a checked link in a new tab that cannot reach back to us (no opener, no referrer). */
export function openExternal(href: string): void {
  window.open(href, '_blank', 'noopener,noreferrer')
}
