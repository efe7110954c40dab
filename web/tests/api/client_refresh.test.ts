// The API client's 401 handling: one refresh, one retry, never a loop.
import { describe, expect, it, vi } from 'vitest'
import { ApiError, createApiClient } from '@/api/client'
import { jsonResponse, unauthorized } from '../support/fake_api'

function authHeader(fetch: ReturnType<typeof vi.fn>, call: number): string | undefined {
  const init = fetch.mock.calls[call]?.[1] as RequestInit | undefined
  return (init?.headers as Record<string, string> | undefined)?.Authorization
}

/** A client whose token lives in `state.token` and whose refresher swaps it for `fresh`. */
function setup(answers: Response[], refreshResult = true) {
  const state = { token: 'stale' as string | null }
  const fetch = vi.fn(async () => {
    const next = answers.shift()
    if (!next) throw new Error('unexpected request')
    return next
  })
  const refreshSession = vi.fn(async () => {
    if (refreshResult) state.token = 'fresh'
    return refreshResult
  })
  const client = createApiClient({ fetch, getToken: () => state.token, refreshSession })
  return { client, fetch, refreshSession, state }
}

describe('api client: 401 -> refresh -> retry', () => {
  it('refreshes once and retries the request with the new token', async () => {
    const { client, fetch, refreshSession } = setup([unauthorized(), jsonResponse(200, { id: '1' })])

    await expect(client.get('/users/@me')).resolves.toEqual({ id: '1' })

    expect(refreshSession).toHaveBeenCalledOnce()
    expect(fetch).toHaveBeenCalledTimes(2)
    expect(authHeader(fetch, 0)).toBe('Bearer stale')
    expect(authHeader(fetch, 1)).toBe('Bearer fresh')
  })

  it('retries only once: a second 401 goes to the caller', async () => {
    const { client, fetch, refreshSession } = setup([unauthorized(), unauthorized(), jsonResponse(200, {})])

    const error = await client.get('/users/@me').catch((caught: unknown) => caught)

    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).status).toBe(401)
    expect(refreshSession).toHaveBeenCalledOnce()
    expect(fetch).toHaveBeenCalledTimes(2)
  })

  it('does not retry when the refresh fails, and reports the original 401', async () => {
    const { client, fetch, refreshSession } = setup([unauthorized()], false)

    const error = await client.get('/users/@me/sessions').catch((caught: unknown) => caught)

    expect((error as ApiError).status).toBe(401)
    expect((error as ApiError).code).toBe(40001)
    expect(refreshSession).toHaveBeenCalledOnce()
    expect(fetch).toHaveBeenCalledOnce()
  })

  it('never refreshes for requests that opt out (the auth endpoints)', async () => {
    const { client, refreshSession } = setup([unauthorized()])
    await expect(client.post('/auth/refresh', undefined, { refreshOnUnauthorized: false })).rejects.toMatchObject({
      status: 401,
    })
    expect(refreshSession).not.toHaveBeenCalled()
  })

  it('leaves other errors alone', async () => {
    const { client, refreshSession } = setup([jsonResponse(403, { code: 50013, message: 'Missing Permissions' })])
    await expect(client.get('/users/@me')).rejects.toMatchObject({ status: 403 })
    expect(refreshSession).not.toHaveBeenCalled()
  })

  it('retries without refreshing when another call already replaced the token', async () => {
    const { client, fetch, refreshSession, state } = setup([])
    fetch.mockImplementationOnce(async () => {
      state.token = 'renewed elsewhere'
      return unauthorized()
    })
    fetch.mockImplementationOnce(async () => jsonResponse(200, { ok: true }))

    await expect(client.get('/users/@me')).resolves.toEqual({ ok: true })
    expect(refreshSession).not.toHaveBeenCalled()
    expect(authHeader(fetch, 1)).toBe('Bearer renewed elsewhere')
  })
})

describe('api client: field errors', () => {
  it("flattens Discord's error tree into messages per field path", async () => {
    const { client } = setup([
      jsonResponse(400, {
        code: 50035,
        message: 'Invalid Form Body',
        errors: {
          username: { _errors: [{ code: 'USERNAME_TAKEN', message: 'Username is taken.' }] },
          profile: { bio: { _errors: [{ code: 'TOO_LONG', message: 'Too long.' }, { code: 'X', message: 42 }] } },
          junk: 'not a tree',
        },
      }),
    ])
    const error = (await client.post('/auth/register', {}).catch((caught: unknown) => caught)) as ApiError
    expect(error.code).toBe(50035)
    expect(error.message).toBe('Invalid Form Body')
    expect(error.fieldErrors).toEqual({ username: ['Username is taken.'], 'profile.bio': ['Too long.'] })
  })
})
