// Settings → Connections: the sign-in providers linked to the account, the ones that could be,
// removal (optimistic, rolled back with the server's reason when refused, e.g. the last way to
// sign in) and linking (the browser goes to the provider and comes back to /oauth/done).
import { computed, ref } from 'vue'
import { api, type ApiClient, ApiError } from '@/api/client'
import {
  authorizeConnection,
  listConnections,
  listOAuthProviders,
  removeConnection,
  type Connection,
  type OAuthProvider,
} from '@/api/oauth'
import { externalNavigation } from '@/router/external'
import type { AsyncStatus } from './useAsyncAction'
import { sanitizeProviders } from './useOAuthProviders'
import { asApiError } from './useServerForm'

/** When the link was made; null when the server did not say. */
export function connectedAt(connection: Connection): string | null {
  return connection.created_at || null
}

export function useConnections(client: ApiClient = api) {
  const connections = ref<Connection[]>([])
  const providers = ref<OAuthProvider[]>([])
  const status = ref<AsyncStatus>('idle')
  const loadError = ref<ApiError | null>(null)
  /** Why the last remove or link failed; cleared by the next one or dismissError(). */
  const actionError = ref<string | null>(null)
  /** The provider a link is being started for. */
  const linking = ref<string | null>(null)

  const linkedTypes = computed(() => new Set(connections.value.map((connection) => connection.type)))
  const available = computed(() => providers.value.filter((provider) => !linkedTypes.value.has(provider.id)))

  function providerName(type: string): string {
    return providers.value.find((provider) => provider.id === type)?.name ?? type
  }

  async function load(): Promise<void> {
    status.value = 'loading'
    loadError.value = null
    try {
      const [linked, offered] = await Promise.all([listConnections(client), listOAuthProviders(client)])
      connections.value = Array.isArray(linked) ? linked : []
      providers.value = sanitizeProviders(offered)
      status.value = 'done'
    } catch (error) {
      loadError.value = asApiError(error)
      status.value = 'error'
    }
  }

  async function remove(type: string): Promise<boolean> {
    const index = connections.value.findIndex((connection) => connection.type === type)
    const removed = connections.value[index]
    if (removed === undefined) return false
    connections.value.splice(index, 1)
    actionError.value = null
    try {
      await removeConnection(type, client)
      return true
    } catch (caught) {
      const error = asApiError(caught)
      if (error.status === 404) return true
      if (!connections.value.some((connection) => connection.type === type)) {
        connections.value.splice(Math.min(index, connections.value.length), 0, removed)
      }
      actionError.value = `Could not remove ${providerName(type)}. ${error.message}`
      return false
    }
  }

  async function link(providerId: string): Promise<void> {
    if (linking.value !== null) return
    linking.value = providerId
    actionError.value = null
    try {
      const { url } = await authorizeConnection(providerId, client)
      if (typeof url !== 'string' || url === '') throw new ApiError(0, 'The server sent no address to continue at.')
      externalNavigation.assign(url)
    } catch (caught) {
      actionError.value = `Could not connect ${providerName(providerId)}. ${asApiError(caught).message}`
      linking.value = null
    }
  }

  function dismissError(): void {
    actionError.value = null
  }

  return {
    connections,
    providers,
    available,
    status,
    loadError,
    actionError,
    linking,
    providerName,
    load,
    remove,
    link,
    dismissError,
  }
}
