/**
 * What an SSE attempt's error says, against real HTTP servers on 127.0.0.1 and Node's fetch:
 * a stopped server and a wrong path that a dev server or SPA host answers with its page read
 * differently, and name the origin (never the query, which may hold a token). Before, the first
 * read "the SSE stream request failed (TypeError: fetch failed)" and the second was read as an
 * endless stream that never delivered.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { CloseReason } from '../../../worker/transports/transport.ts'
import { sseTransport } from '../../../worker/transports/sse/index.ts'
import { sub, until } from '../transports/harness.ts'

const cleanup: Array<() => Promise<unknown> | void> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const close = (): Promise<void> => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close }
}

async function closeReason(endpoint: string): Promise<CloseReason> {
  const transport = sseTransport()
  const closed: CloseReason[] = []
  const attempt = transport.open({ target: { transport: 'sse', endpoint, params: {}, identity: 'alice' }, token: 'secret-token', memory: new Map(), events: { open: () => undefined, closed: (reason) => closed.push(reason) } })
  cleanup.push(() => attempt.close())
  attempt.join('room', transport.merge([sub('room')], false), { status: () => undefined, broadcast: () => undefined, presence: () => undefined, postgres: () => undefined, system: () => undefined })
  return until(() => closed[0], 'the attempt closed')
}

describe('SSE transport errors say what happened', () => {
  it('a stopped server: "cannot reach the server at <origin>", retried', async () => {
    const server = await listen((_, response) => response.end())
    await server.close()
    const reason = await closeReason(`${server.url}/sub/`)
    expect(reason).toMatchObject({ kind: 'retry', error: { code: 'transport', message: expect.stringMatching(new RegExp(`^cannot reach the server at ${server.url} \\(network error: the SSE stream request to /sub/\\S* failed\\); retrying$`)) } })
    expect(reason.error.message).not.toContain('secret-token')
  })

  it('a path answered with an HTML page (HTTP 200): fatal, "check the stream URL"', async () => {
    const server = await listen((_, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><div id="root"></div>'))
    cleanup.push(() => server.close())
    const reason = await closeReason(`${server.url}/sub/`)
    expect(reason).toMatchObject({ kind: 'fatal', error: { code: 'transport', message: expect.stringMatching(new RegExp(`^the SSE stream at ${server.url}/sub/\\S* answered an HTML page \\(HTTP 200\\), not text/event-stream: check the stream URL`)) } })
  })

  it('a path that answers 404 names where: fatal, "check the stream URL"', async () => {
    const server = await listen((_, response) => response.writeHead(404, { 'content-type': 'text/plain' }).end('nope'))
    cleanup.push(() => server.close())
    const reason = await closeReason(`${server.url}/sub/`)
    expect(reason).toMatchObject({ kind: 'fatal', error: { code: 'transport', message: expect.stringMatching(new RegExp(`^the SSE stream at ${server.url}/sub/\\S* answered HTTP 404; check the stream URL$`)) } })
  })
})
