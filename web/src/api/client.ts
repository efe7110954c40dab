// The one door to hearthd's REST API: JSON in, JSON out, every failure
// turned into an ApiError so views only ever handle one error type.

export const API_BASE = '/api/v1'

/** Status used on ApiError when no HTTP response arrived at all. */
export const NETWORK_ERROR_STATUS = 0

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** Per-field validation messages from a 50035 body, keyed by field path (`username`, `a.0.b`). */
export type FieldErrors = Record<string, string[]>

/** The machine-readable codes beside those messages (`MFA_REQUIRED`, `INVALID_TOKEN`), by the same paths. */
export type FieldErrorCodes = Record<string, string[]>

export class ApiError extends Error {
  /** HTTP status, or NETWORK_ERROR_STATUS (0) when the request never got a response. */
  readonly status: number
  /** The server's ErrorCode from its `{code, message}` body; null when the body carried none. */
  readonly code: number | null
  /** Seconds to wait before retrying, from `Retry-After` on a 429 (or 503). */
  readonly retryAfter: number | null
  /** Field errors from Discord's `errors` tree; empty when the body had none. */
  readonly fieldErrors: FieldErrors
  /** The codes of those field errors; empty when the body had none. */
  readonly fieldCodes: FieldErrorCodes

  constructor(
    status: number,
    message: string,
    code: number | null = null,
    retryAfter: number | null = null,
    fieldErrors: FieldErrors = {},
    fieldCodes: FieldErrorCodes = {},
  ) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.retryAfter = retryAfter
    this.fieldErrors = fieldErrors
    this.fieldCodes = fieldCodes
  }

  /** Whether the server reported `code` against `field`; flows branch on some (MFA_REQUIRED, INVALID_TOKEN). */
  hasFieldCode(field: string, code: string): boolean {
    return this.fieldCodes[field]?.includes(code) ?? false
  }

  get isNetworkError(): boolean {
    return this.status === NETWORK_ERROR_STATUS
  }

  get isRateLimited(): boolean {
    return this.status === 429
  }
}

export interface ApiClientOptions {
  baseUrl?: string
  /** Called before every request; a non-empty result is sent as `Authorization: Bearer <token>`. */
  getToken?: () => string | null | undefined
  /**
   * Called once when a request answers 401; resolves true when a new token is in place, and the
   * request is then retried once. The session store installs this (POST /auth/refresh).
   */
  refreshSession?: () => Promise<boolean>
  /** Injected for tests; defaults to the global fetch at call time. */
  fetch?: typeof fetch
  /** Injected for tests; defaults to `new XMLHttpRequest()` (uploads: fetch has no upload progress). */
  createXhr?: () => XMLHttpRequest
}

export interface UploadOptions {
  /** Called as the request body goes out: bytes sent so far, and of how many. */
  onProgress?: (loaded: number, total: number) => void
  /** Aborting rejects with a DOMException named AbortError, as fetch does. */
  signal?: AbortSignal
}

export interface RequestOptions {
  body?: unknown
  query?: Record<string, string | number | boolean | undefined>
  signal?: AbortSignal
  headers?: Record<string, string>
  /** false for the auth endpoints themselves, so a 401 there never triggers a refresh. */
  refreshOnUnauthorized?: boolean
}

/**
 * Parses `Retry-After`, which is either delta-seconds (possibly fractional,
 * as Discord-style servers send) or an HTTP date.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null) return null
  const trimmed = value.trim()
  if (trimmed === '') return null
  const seconds = Number(trimmed)
  if (Number.isFinite(seconds)) return Math.max(0, seconds)
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return null
  return Math.max(0, Math.ceil((date - now) / 1000))
}

function fallbackMessage(status: number, statusText: string): string {
  if (status === 429) return 'You are being rate limited. Please wait a moment and try again.'
  if (status >= 500) return `The server had a problem (${status}${statusText ? ` ${statusText}` : ''}). Please try again.`
  if (status === 401) return 'You need to sign in again.'
  if (status === 403) return 'You do not have permission to do that.'
  if (status === 404) return 'That could not be found.'
  return `Request failed (${status}${statusText ? ` ${statusText}` : ''}).`
}

interface ErrorBody {
  code?: unknown
  message?: unknown
  retry_after?: unknown
  errors?: unknown
}

/**
 * Flattens Discord's error tree (`{field: {_errors: [{code, message}]}}`, nested for objects and
 * arrays) into messages per dotted path. Anything malformed is skipped, never thrown on.
 */
export function parseFieldErrors(tree: unknown): FieldErrors {
  return collectFieldErrors(tree, 'message')
}

/** The same walk as parseFieldErrors, keeping each entry's `code` instead of its message. */
export function parseFieldErrorCodes(tree: unknown): FieldErrorCodes {
  return collectFieldErrors(tree, 'code')
}

function collectFieldErrors(tree: unknown, property: 'message' | 'code'): Record<string, string[]> {
  const result: Record<string, string[]> = {}
  function visit(node: unknown, fieldPath: string, depth: number): void {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || depth > 8) return
    for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
      if (key === '_errors') {
        if (!Array.isArray(child) || fieldPath === '') continue
        const values = child
          .map((entry: unknown) => (entry as Record<string, unknown> | null)?.[property])
          .filter((value): value is string => typeof value === 'string' && value.trim() !== '')
        if (values.length > 0) result[fieldPath] = [...(result[fieldPath] ?? []), ...values]
      } else {
        visit(child, fieldPath === '' ? key : `${fieldPath}.${key}`, depth + 1)
      }
    }
  }
  visit(tree, '', 0)
  return result
}

async function readErrorBody(response: Response): Promise<ErrorBody | null> {
  let text: string
  try {
    text = await response.text()
  } catch {
    return null
  }
  if (text === '') return null
  try {
    const parsed: unknown = JSON.parse(text)
    return parsed !== null && typeof parsed === 'object' ? (parsed as ErrorBody) : null
  } catch {
    return null
  }
}

/** Builds an ApiError from a non-2xx response; never throws itself. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const body = await readErrorBody(response)
  const code = typeof body?.code === 'number' ? body.code : null
  const serverMessage = typeof body?.message === 'string' && body.message.trim() !== '' ? body.message : null
  let retryAfter: number | null = null
  if (response.status === 429 || response.status === 503) {
    retryAfter = parseRetryAfter(response.headers.get('Retry-After'))
    if (retryAfter === null && typeof body?.retry_after === 'number') retryAfter = Math.max(0, body.retry_after)
  }
  let message = serverMessage ?? fallbackMessage(response.status, response.statusText)
  if (response.status === 429 && serverMessage === null && retryAfter !== null) {
    message = `You are being rate limited. Try again in ${Math.ceil(retryAfter)} s.`
  }
  return new ApiError(
    response.status,
    message,
    code,
    retryAfter,
    parseFieldErrors(body?.errors),
    parseFieldErrorCodes(body?.errors),
  )
}

function buildUrl(base: string, path: string, query?: RequestOptions['query']): string {
  const url = `${base}${path.startsWith('/') ? path : `/${path}`}`
  if (!query) return url
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value))
  }
  const search = params.toString()
  return search ? `${url}?${search}` : url
}

export interface ApiClient {
  request<T>(method: HttpMethod, path: string, options?: RequestOptions): Promise<T>
  get<T>(path: string, options?: Omit<RequestOptions, 'body'>): Promise<T>
  post<T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'body'>): Promise<T>
  put<T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'body'>): Promise<T>
  patch<T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'body'>): Promise<T>
  delete<T>(path: string, options?: Omit<RequestOptions, 'body'>): Promise<T>
  /** POSTs `form` as multipart/form-data with upload progress; errors and 401 refresh as request(). */
  upload<T>(path: string, form: FormData, options?: UploadOptions): Promise<T>
  setTokenGetter(getter: ApiClientOptions['getToken']): void
  setSessionRefresher(refresher: ApiClientOptions['refreshSession']): void
}

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = options.baseUrl ?? API_BASE
  let getToken = options.getToken
  let refreshSession = options.refreshSession

  function currentToken(): string | null {
    return getToken?.() || null
  }

  async function send<T>(method: HttpMethod, path: string, requestOptions: RequestOptions, token: string | null): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', ...requestOptions.headers }
    if (token) headers.Authorization = `Bearer ${token}`
    let body: string | undefined
    if (requestOptions.body !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(requestOptions.body)
    }

    const doFetch = options.fetch ?? globalThis.fetch
    let response: Response
    try {
      response = await doFetch(buildUrl(baseUrl, path, requestOptions.query), {
        method,
        headers,
        body,
        signal: requestOptions.signal,
        credentials: 'same-origin',
      })
    } catch (error) {
      // A caller that aborts wants its AbortError back, not a network error.
      if ((error as { name?: unknown } | null)?.name === 'AbortError') throw error
      throw new ApiError(NETWORK_ERROR_STATUS, 'Cannot reach the server. Check your connection and try again.')
    }

    if (!response.ok) throw await errorFromResponse(response)
    if (response.status === 204) return undefined as T
    const text = await response.text()
    if (text === '') return undefined as T
    try {
      return JSON.parse(text) as T
    } catch {
      throw new ApiError(response.status, 'The server sent a response that could not be read.')
    }
  }

  function sendForm<T>(path: string, form: FormData, uploadOptions: UploadOptions, token: string | null): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const { signal, onProgress } = uploadOptions
      const abortError = () => new DOMException('The upload was cancelled.', 'AbortError')
      if (signal?.aborted) {
        reject(abortError())
        return
      }
      const xhr = options.createXhr ? options.createXhr() : new XMLHttpRequest()
      const onAbort = () => xhr.abort()
      xhr.open('POST', buildUrl(baseUrl, path))
      xhr.setRequestHeader('Accept', 'application/json')
      if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`)
      if (onProgress) xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : 0)
      xhr.onerror = () => {
        signal?.removeEventListener('abort', onAbort)
        reject(new ApiError(NETWORK_ERROR_STATUS, 'Cannot reach the server. Check your connection and try again.'))
      }
      xhr.onabort = () => {
        signal?.removeEventListener('abort', onAbort)
        reject(abortError())
      }
      xhr.onload = () => {
        signal?.removeEventListener('abort', onAbort)
        const text = xhr.responseText
        if (xhr.status < 200 || xhr.status >= 300) {
          const headers = new Headers()
          const retryAfter = xhr.getResponseHeader('Retry-After')
          if (retryAfter !== null) headers.set('Retry-After', retryAfter)
          const body = text === '' ? null : text
          void errorFromResponse(new Response(body, { status: xhr.status, statusText: xhr.statusText, headers })).then(reject)
          return
        }
        if (text === '') {
          resolve(undefined as T)
          return
        }
        try {
          resolve(JSON.parse(text) as T)
        } catch {
          reject(new ApiError(xhr.status, 'The server sent a response that could not be read.'))
        }
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      xhr.send(form)
    })
  }

  /** Runs `attempt` with the current token, and once more after a refresh when it answers 401. */
  async function withRefresh<T>(attempt: (token: string | null) => Promise<T>, refreshOnUnauthorized: boolean): Promise<T> {
    const sentToken = currentToken()
    try {
      return await attempt(sentToken)
    } catch (error) {
      const refresher = refreshSession
      if (!(error instanceof ApiError) || error.status !== 401) throw error
      if (!refreshOnUnauthorized || refresher === undefined) throw error
      // A concurrent call may already have renewed the token this request went out with.
      const latestToken = currentToken()
      const renewed = (latestToken !== null && latestToken !== sentToken) || (await refresher())
      if (!renewed) throw error
      // Retried once only: a second 401 goes to the caller as it is.
      return attempt(currentToken())
    }
  }

  async function request<T>(method: HttpMethod, path: string, requestOptions: RequestOptions = {}): Promise<T> {
    return withRefresh((token) => send<T>(method, path, requestOptions, token), requestOptions.refreshOnUnauthorized !== false)
  }

  return {
    request,
    get: (path, opts) => request('GET', path, opts),
    post: (path, body, opts) => request('POST', path, { ...opts, body }),
    put: (path, body, opts) => request('PUT', path, { ...opts, body }),
    patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
    delete: (path, opts) => request('DELETE', path, opts),
    upload: (path, form, opts = {}) => withRefresh((token) => sendForm(path, form, opts, token), true),
    setTokenGetter(getter) {
      getToken = getter
    },
    setSessionRefresher(refresher) {
      refreshSession = refresher
    },
  }
}

/** The app-wide client; the session store installs the token getter. */
export const api = createApiClient()
