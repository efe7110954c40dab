// The sign-in providers this server offers (GET /auth/oauth/providers). A failure is treated as
// "none": the provider buttons are an extra, never a reason to show an error on the login page.
import { onMounted, ref } from 'vue'
import { api, type ApiClient } from '@/api/client'
import { listOAuthProviders, oauthAuthorizeUrl, type OAuthProvider } from '@/api/oauth'
import { externalNavigation } from '@/router/external'
import type { AsyncStatus } from './useAsyncAction'

/** Keeps only well-formed entries, so a bad answer cannot render a broken button. */
export function sanitizeProviders(value: unknown): OAuthProvider[] {
  if (!Array.isArray(value)) return []
  const seen = new Set<string>()
  const providers: OAuthProvider[] = []
  for (const entry of value) {
    const id = (entry as Partial<OAuthProvider> | null)?.id
    const name = (entry as Partial<OAuthProvider> | null)?.name
    if (typeof id !== 'string' || id === '' || seen.has(id)) continue
    seen.add(id)
    providers.push({ id, name: typeof name === 'string' && name.trim() !== '' ? name : id })
  }
  return providers
}

export function useOAuthProviders(client: ApiClient = api, { immediate = true } = {}) {
  const providers = ref<OAuthProvider[]>([])
  const status = ref<AsyncStatus>('idle')
  /** The provider whose page the browser is on its way to. */
  const leavingFor = ref<string | null>(null)

  async function load(): Promise<void> {
    status.value = 'loading'
    try {
      providers.value = sanitizeProviders(await listOAuthProviders(client))
      status.value = 'done'
    } catch {
      providers.value = []
      status.value = 'error'
    }
  }

  /** A full page load: the server's authorize route redirects on to the provider. */
  function signInWith(providerId: string): void {
    leavingFor.value = providerId
    externalNavigation.assign(oauthAuthorizeUrl(providerId))
  }

  if (immediate) onMounted(load)

  return { providers, status, leavingFor, load, signInWith }
}
