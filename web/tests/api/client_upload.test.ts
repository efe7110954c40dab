import { describe, expect, it, vi } from 'vitest'
import { ApiError, createApiClient } from '@/api/client'
import { sendMessageWithFiles } from '@/api/messages'
import { FakeXhr } from '../support/fake_xhr'

function makeClient(tokens: string[] = ['t1'], refresh?: () => Promise<boolean>) {
  FakeXhr.made = []
  let token = tokens[0]!
  const refreshSession = vi.fn(async () => {
    token = tokens[1] ?? token
    return refresh ? refresh() : true
  })
  const client = createApiClient({
    getToken: () => token,
    refreshSession,
    createXhr: () => new FakeXhr() as unknown as XMLHttpRequest,
  })
  return { client, refreshSession }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('api client: uploads', () => {
  it("sends Discord's multipart shape with the token, reports progress and answers the message", async () => {
    const { client } = makeClient()
    const progress: [number, number][] = []
    const file = new File(['hello'], 'ignored.txt', { type: 'text/plain' })
    const sent = sendMessageWithFiles(
      '42',
      { content: 'look', nonce: 'n1' },
      [{ file, filename: 'SPOILER_notes.txt' }, { file, filename: 'b.txt', description: 'second' }],
      { onProgress: (loaded, total) => progress.push([loaded, total]) },
      client,
    )
    const xhr = FakeXhr.made[0]!
    expect(xhr.method).toBe('POST')
    expect(xhr.url).toBe('/api/v1/channels/42/messages')
    expect(xhr.headers.Authorization).toBe('Bearer t1')
    const payload = JSON.parse(xhr.body!.get('payload_json') as string)
    expect(payload).toEqual({
      content: 'look',
      nonce: 'n1',
      attachments: [
        { id: '0', filename: 'SPOILER_notes.txt' },
        { id: '1', filename: 'b.txt', description: 'second' },
      ],
    })
    expect((xhr.body!.get('files[0]') as File).name).toBe('SPOILER_notes.txt')
    expect((xhr.body!.get('files[1]') as File).name).toBe('b.txt')
    xhr.upload.onprogress?.({ loaded: 5, total: 10, lengthComputable: true })
    xhr.upload.onprogress?.({ loaded: 10, total: 10, lengthComputable: true })
    xhr.respond(200, { id: '9', content: 'look' })
    await expect(sent).resolves.toMatchObject({ id: '9' })
    expect(progress).toEqual([
      [5, 10],
      [10, 10],
    ])
  })

  it("turns a refusal into an ApiError with the server's code and message", async () => {
    const { client } = makeClient()
    const sent = client.upload('/x', new FormData())
    FakeXhr.made[0]!.respond(413, { code: 40005, message: 'Request entity too large' })
    const error = await sent.catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 413, code: 40005, message: 'Request entity too large' })
  })

  it('refreshes an expired token once and sends the files again', async () => {
    const { client, refreshSession } = makeClient(['old', 'new'])
    const sent = client.upload('/x', new FormData())
    FakeXhr.made[0]!.respond(401, { code: 0, message: '401: Unauthorized' })
    await flush()
    await flush()
    expect(refreshSession).toHaveBeenCalledTimes(1)
    const second = FakeXhr.made[1]!
    expect(second.headers.Authorization).toBe('Bearer new')
    second.respond(200, { ok: true })
    await expect(sent).resolves.toEqual({ ok: true })
  })

  it('cancels with an AbortError and says when the network failed', async () => {
    const { client } = makeClient()
    const controller = new AbortController()
    const sent = client.upload('/x', new FormData(), { signal: controller.signal })
    controller.abort()
    expect(FakeXhr.made[0]!.aborted).toBe(true)
    await expect(sent).rejects.toMatchObject({ name: 'AbortError' })

    const failed = client.upload('/x', new FormData())
    FakeXhr.made[1]!.onerror?.()
    await expect(failed).rejects.toMatchObject({ status: 0 })
  })
})
