import { describe, expect, it, vi } from 'vitest'
import { ApiError, createApiClient, NETWORK_ERROR_STATUS, parseRetryAfter } from '@/api/client'

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  })
}

function clientAnswering(response: Response | Error | DOMException, getToken?: () => string | null) {
  const fetch = vi.fn<typeof globalThis.fetch>(async () => {
    if (!(response instanceof Response)) throw response
    return response
  })
  return { client: createApiClient({ fetch, getToken }), fetch }
}

async function caught(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError)
    return error as ApiError
  }
  throw new Error('expected the request to fail')
}

describe('api client requests', () => {
  it('sends JSON to /api/v1 and parses the JSON answer', async () => {
    const { client, fetch } = clientAnswering(jsonResponse(200, { token: 'abc' }))
    const result = await client.post<{ token: string }>('/auth/login', { login: 'ada', password: 'pw' })

    expect(result).toEqual({ token: 'abc' })
    const [url, init] = fetch.mock.calls[0]!
    expect(url).toBe('/api/v1/auth/login')
    expect(init?.method).toBe('POST')
    expect(init?.body).toBe('{"login":"ada","password":"pw"}')
    expect((init?.headers as Record<string, string>)['Content-Type']).toBe('application/json')
    expect((init?.headers as Record<string, string>).Authorization).toBeUndefined()
  })

  it('adds the bearer token from the getter', async () => {
    const { client, fetch } = clientAnswering(jsonResponse(200, {}), () => 'tok.en')
    await client.get('/users/@me')
    expect((fetch.mock.calls[0]![1]?.headers as Record<string, string>).Authorization).toBe('Bearer tok.en')
  })

  it('encodes query parameters and skips undefined ones', async () => {
    const { client, fetch } = clientAnswering(jsonResponse(200, []))
    await client.get('/channels/1/messages', { query: { limit: 50, before: undefined, around: 'x y' } })
    expect(fetch.mock.calls[0]![0]).toBe('/api/v1/channels/1/messages?limit=50&around=x+y')
  })

  it('returns undefined for 204 No Content', async () => {
    const { client } = clientAnswering(new Response(null, { status: 204 }))
    await expect(client.delete('/channels/1')).resolves.toBeUndefined()
  })
})

describe('ApiError parsing', () => {
  it('carries status, code and message from a JSON error body', async () => {
    const { client } = clientAnswering(jsonResponse(404, { code: 90001, message: 'No route for POST /api/v1/auth/login' }))
    const error = await caught(client.post('/auth/login', {}))

    expect(error.status).toBe(404)
    expect(error.code).toBe(90001)
    expect(error.message).toBe('No route for POST /api/v1/auth/login')
    expect(error.retryAfter).toBeNull()
    expect(error.isNetworkError).toBe(false)
  })

  it('falls back to a readable message when the body is not JSON', async () => {
    const { client } = clientAnswering(
      new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'Content-Type': 'text/html' } }),
    )
    const error = await caught(client.get('/gateway'))

    expect(error.status).toBe(502)
    expect(error.code).toBeNull()
    expect(error.message).toBe('The server had a problem (502 Bad Gateway). Please try again.')
  })

  it('ignores a JSON body without the error shape', async () => {
    const { client } = clientAnswering(jsonResponse(403, ['not', 'an', 'error']))
    const error = await caught(client.get('/guilds/1'))
    expect(error.code).toBeNull()
    expect(error.message).toBe('You do not have permission to do that.')
  })

  it('turns a network failure into status 0 with a connection message', async () => {
    const { client } = clientAnswering(new TypeError('Failed to fetch'))
    const error = await caught(client.get('/users/@me'))

    expect(error.status).toBe(NETWORK_ERROR_STATUS)
    expect(error.isNetworkError).toBe(true)
    expect(error.message).toMatch(/cannot reach the server/i)
  })

  it('lets an abort through unchanged', async () => {
    const { client } = clientAnswering(new DOMException('The user aborted a request.', 'AbortError'))
    await expect(client.get('/users/@me')).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('reads Retry-After on 429 and keeps the server message', async () => {
    const { client } = clientAnswering(
      jsonResponse(429, { code: 20028, message: 'You are being rate limited.' }, { 'Retry-After': '2.5' }),
    )
    const error = await caught(client.post('/channels/1/messages', { content: 'hi' }))

    expect(error.status).toBe(429)
    expect(error.isRateLimited).toBe(true)
    expect(error.code).toBe(20028)
    expect(error.retryAfter).toBe(2.5)
    expect(error.message).toBe('You are being rate limited.')
  })

  it('explains a 429 without a body using Retry-After', async () => {
    const { client } = clientAnswering(new Response('', { status: 429, headers: { 'Retry-After': '7' } }))
    const error = await caught(client.get('/users/@me'))
    expect(error.retryAfter).toBe(7)
    expect(error.message).toBe('You are being rate limited. Try again in 7 s.')
  })

  it('keeps the codes of field errors beside their messages', async () => {
    const { client } = clientAnswering(
      jsonResponse(400, {
        code: 50035,
        message: 'Invalid Form Body',
        errors: {
          code: { _errors: [{ code: 'MFA_REQUIRED', message: 'A two-factor code is required.' }] },
          profile: { bio: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Too long.' }] } },
        },
      }),
    )
    const error = await caught(client.post('/auth/reset', {}))
    expect(error.fieldErrors).toEqual({ code: ['A two-factor code is required.'], 'profile.bio': ['Too long.'] })
    expect(error.fieldCodes).toEqual({ code: ['MFA_REQUIRED'], 'profile.bio': ['BASE_TYPE_MAX_LENGTH'] })
    expect(error.hasFieldCode('code', 'MFA_REQUIRED')).toBe(true)
    expect(error.hasFieldCode('code', 'INVALID_MFA_CODE')).toBe(false)
    expect(error.hasFieldCode('token', 'MFA_REQUIRED')).toBe(false)
  })

  it('uses retry_after from the body when the header is missing', async () => {
    const { client } = clientAnswering(jsonResponse(429, { message: 'Slow down', retry_after: 1.25 }))
    const error = await caught(client.get('/users/@me'))
    expect(error.retryAfter).toBe(1.25)
  })
})

describe('parseRetryAfter', () => {
  it('accepts delta-seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('3', now)).toBe(3)
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10)
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0)
  })

  it('rejects junk', () => {
    expect(parseRetryAfter(null)).toBeNull()
    expect(parseRetryAfter('')).toBeNull()
    expect(parseRetryAfter('soon')).toBeNull()
  })
})
