// A rough "Chrome on Linux" from a User-Agent string, for the sessions list. Good enough to tell
// one's own devices apart; not a feature detector.

export type DeviceKind = 'desktop' | 'mobile' | 'other'

export interface ClientDescription {
  /** "Chrome", "Firefox", "Safari", … or the first product token of a non-browser client ("curl"). */
  browser: string
  /** "Windows", "macOS", "Linux", "Android", "iOS", "ChromeOS", or null when unknown. */
  os: string | null
  kind: DeviceKind
}

// Order matters: Edge and Opera also say "Chrome", and Chrome also says "Safari".
const BROWSERS: readonly [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\b(?:OPR|Opera)\//, 'Opera'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\bHeadlessChrome\//, 'Headless Chrome'],
  [/\b(?:Chrome|CriOS|Chromium)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
]

const SYSTEMS: readonly [RegExp, string][] = [
  [/\bWindows\b/, 'Windows'],
  [/\bAndroid\b/, 'Android'],
  [/\b(?:iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b|\bX11\b/, 'Linux'],
]

export function describeUserAgent(userAgent: string): ClientDescription {
  const text = userAgent.trim()
  const os = SYSTEMS.find(([pattern]) => pattern.test(text))?.[1] ?? null
  const browser = BROWSERS.find(([pattern]) => pattern.test(text))?.[1]
  if (browser !== undefined) {
    const mobile = /\bMobi|\bAndroid\b|\biPhone\b|\biPad\b/.test(text)
    return { browser, os, kind: mobile ? 'mobile' : 'desktop' }
  }
  // Not a browser: name the client by its first product token (`curl/8.5.0` -> "curl").
  const product = /^([A-Za-z][\w.-]{0,40})(?:\/|\s|$)/.exec(text)?.[1]
  return { browser: product ?? 'Unknown client', os, kind: 'other' }
}

/** "Chrome on Linux", or just "curl". */
export function clientLabel(description: ClientDescription): string {
  return description.os ? `${description.browser} on ${description.os}` : description.browser
}
