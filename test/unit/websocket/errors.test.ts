/**
 * What a WebSocket attempt's error says, against real sockets on 127.0.0.1 (`ws` as the worker's
 * WebSocket, Node's fetch for the probe). Before, a stopped server and a wrong path both read
 * "socket closed (1006)"; now they say what happened, as the Supabase path does.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { Peers, until, type Peer } from '../transports/harness.ts'
import { closeReasonOf } from '../../../worker/transports/websocket/close.ts'
import { probeSocket, socketPlace } from '../../../worker/transports/websocket/probe.ts'
import { inboxTransport, startNodeInbox } from './servers.ts'
import { mintToken } from '../inbox/client.ts'

const cleanup: Array<() => Promise<unknown> | void> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

// An HTTP server without WebSocket support: Node destroys every upgrade request (the client reads 1006).
async function httpServer(answer: (path: string) => { status: number; type: string; body: string }): Promise<string> {
  const server: Server = createServer((request, response) => {
    const { status, type, body } = answer(request.url ?? '/')
    response.writeHead(status, { 'content-type': type }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanup.push(() => new Promise((resolve) => server.close(resolve)))
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function closedMessage(endpoint: string, isAwaitingOpen = false): Promise<{ peer: Peer; message: () => Promise<string> }> {
  const token = await mintToken('alice')
  const peers = new Peers(inboxTransport({ ping: undefined }), async () => ({ target: { transport: 'inbox', endpoint, params: {}, identity: null }, token }))
  cleanup.push(() => peers.closeAll())
  const peer = await peers.connect('alice', { isAwaitingOpen })
  const message = async (): Promise<string> => {
    const closed = await until(() => peer.events.find((e) => e.kind === 'closed'), 'the attempt closed')
    return closed.kind === 'closed' ? closed.reason.error.message : ''
  }
  return { peer, message }
}

describe('WebSocket transport errors say what happened', () => {
  it('a stopped server: "cannot reach the server at <url>", the token never shown', async () => {
    const port = await freePort()
    const { message } = await closedMessage(`ws://127.0.0.1:${port}/ws/inbox/`)
    expect(await message()).toBe(`cannot reach the server at http://127.0.0.1:${port}/ws/inbox/ (network error, socket closed 1006); retrying`)
  })

  it('a wrong path on a dev server or SPA host that answers every path with its page: "no WebSocket opened at <url> (…; a plain request gets HTTP 200)"', async () => {
    const base = await httpServer(() => ({ status: 200, type: 'text/html; charset=utf-8', body: '<!doctype html><div id="root"></div>' }))
    const { message } = await closedMessage(`${base}/ws/inbx/`)
    expect(await message()).toBe(`no WebSocket opened at ${base.replace('ws', 'http')}/ws/inbx/ (socket closed 1006; a plain request gets HTTP 200): check the path, then the token; retrying`)
  })

  it('a wrong path that answers 404', async () => {
    const base = await httpServer(() => ({ status: 404, type: 'text/plain', body: 'Not Found' }))
    const { message } = await closedMessage(`${base}/nope/`)
    expect(await message()).toMatch(/^no WebSocket opened at http:\/\/127\.0\.0\.1:\d+\/nope\/ \(socket closed 1006; a plain request gets HTTP 404\): check the path, then the token; retrying$/)
  })

  it('a server that goes away under an open socket: "the server at <url> closed the socket (1001)" or "the connection to the server at <url> was lost (1006 …)"', async () => {
    const server = await startNodeInbox()
    cleanup.push(() => server.close())
    const { message } = await closedMessage(server.url, true)
    await server.close()
    const place = server.url.replace('ws', 'http').replace(/\./g, '\\.')
    expect(await message()).toMatch(new RegExp(`^(the server at ${place} closed the socket \\(1001|the connection to the server at ${place} was lost \\(1006: no close frame\\); reconnecting$)`))
  })
})

describe('the wording, as data', () => {
  it('an open socket closed: the code, the reason, what the worker does', () => {
    const codes = { unauthorized: [4401], fatal: [4000] }
    expect(closeReasonOf(1006, '', codes, 'http://h/ws/').error.message).toBe('the connection to the server at http://h/ws/ was lost (1006: no close frame); reconnecting')
    expect(closeReasonOf(1011, 'boom', codes, 'http://h/ws/').error.message).toBe('the server at http://h/ws/ closed the socket (1011: boom); reconnecting')
    expect(closeReasonOf(4999, '', codes).error.message).toBe('the server closed the socket (4999); reconnecting')
    expect(closeReasonOf(4401, '', codes)).toMatchObject({ kind: 'unauthorized', error: { message: 'the server closed the socket (4401): it refused the token; asking a tab for a fresh one before retrying' } })
    expect(closeReasonOf(4000, '', codes).kind).toBe('fatal')
  })

  it('never shows the query of the socket URL (it holds the token)', () => {
    expect(socketPlace('wss://example.com/ws/?token=secret')).toBe('https://example.com/ws/')
  })

  it('a server that answers no-cors requests opaquely (another origin) is up, not unreachable', async () => {
    // What fetch gives for another origin in no-cors mode: an opaque response, status 0.
    const opaque = async (): Promise<Response> => Object.defineProperty(new Response(null), 'status', { value: 0 })
    const reason = await probeSocket('ws://other.example/ws/', 1006, opaque)
    expect(reason.error.message).toBe('no WebSocket opened at http://other.example/ws/ (socket closed 1006; a plain request gets an answer): check the path, then the token; retrying')
  })
})
