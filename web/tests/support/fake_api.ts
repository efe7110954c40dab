// A stand-in for hearthd's REST API behind the global fetch: a test maps "METHOD /path" (after
// /api/v1) to answers and reads back what the client sent.
import { vi } from 'vitest'

export interface SentRequest {
  method: string
  path: string
  authorization: string | null
  body: unknown
  /** The query string's parameters. */
  query: Record<string, string>
}

/** An answer, or a function of the request (to vary per call). A thrown error is a network failure. */
export type FakeAnswer = Response | ((request: SentRequest) => Response | Promise<Response>)

export function jsonResponse(status: number, body?: unknown): Response {
  if (body === undefined) return new Response(null, { status })
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

export function unauthorized(): Response {
  return jsonResponse(401, { code: 40001, message: '401: Unauthorized' })
}

/** Installs the fake as the global fetch; unknown routes answer 404 like hearthd does. */
export function installFakeApi(routes: Record<string, FakeAnswer>) {
  const sent: SentRequest[] = []
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://hearth.test')
    const method = init?.method ?? 'GET'
    const path = url.pathname.replace(/^\/api\/v1/, '')
    const headers = (init?.headers ?? {}) as Record<string, string>
    const request: SentRequest = {
      method,
      path,
      authorization: headers.Authorization ?? null,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      query: Object.fromEntries(url.searchParams),
    }
    sent.push(request)
    const answer = routes[`${method} ${path}`]
    if (answer === undefined) return jsonResponse(404, { code: 90001, message: `No route for ${method} ${url.pathname}` })
    // Responses are single-use, so a fixed answer is cloned for every call.
    return typeof answer === 'function' ? answer(request) : answer.clone()
  })
  vi.stubGlobal('fetch', fetch)
  return {
    fetch,
    sent,
    /** The requests sent to one route, in order. */
    calls: (route: string) => sent.filter((request) => `${request.method} ${request.path}` === route),
  }
}

export const ADA = {
  id: '100',
  username: 'ada',
  global_name: 'Ada Lovelace',
  email: 'ada@example.org',
  verified: false,
  avatar: null,
  bio: null,
  mfa_enabled: false,
  has_password: true,
  created_at: '2026-01-05T10:00:00Z',
} as const
