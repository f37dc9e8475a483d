/**
 * A raw `ws` client of the inbox contract for the suites in test/unit/inbox: tokens, frames kept in
 * arrival order, waits that resolve on the frame itself (bounded, never a sleep), and a `ping`
 * barrier (a server handles one socket's frames in order, so a pong proves earlier frames were
 * handled).
 */
import { SignJWT } from 'jose'
import WebSocket from 'ws'
import { DEV_JWT_SECRET } from '../../../demo/server/index.ts'

/**
 * A decoded server frame.
 *
 * @example
 * const frame: Frame = { type: 'pong' }
 */
export type Frame = Record<string, unknown>

/**
 * Claims `mintToken` adds beside `sub`; `expiresInS` negative mints an expired token.
 *
 * @example
 * await mintToken('alice', { name: 'Alice', avatar: 'https://example.test/a.png' })
 */
export interface TokenOptions {
  name?: string
  avatar?: string
  expiresInS?: number
  secret?: string
}

/**
 * An HS256 token shaped like Supabase's (display name and avatar in `user_metadata`).
 *
 * @example
 * const token = await mintToken('bob')
 */
export async function mintToken(sub: string, options: TokenOptions = {}): Promise<string> {
  const nowS = Math.floor(Date.now() / 1000)
  const metadata = { ...(options.name ? { name: options.name } : {}), ...(options.avatar ? { avatar_url: options.avatar } : {}) }
  return new SignJWT({ sub, role: 'authenticated', user_metadata: metadata, iat: nowS, exp: nowS + (options.expiresInS ?? 3600) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(options.secret ?? DEV_JWT_SECRET))
}

const WAIT_MS = 4_000

function socketUrl(url: string, token: string | null): string {
  return token === null ? url : `${url}?token=${encodeURIComponent(token)}`
}

/**
 * One inbox socket and every frame it received.
 *
 * @example
 * const alice = await InboxClient.open(url, await mintToken('alice'))
 * alice.send({ type: 'subscribe', conversation_id: 'lobby' }); await alice.ping()
 */
export class InboxClient {
  readonly frames: Frame[] = []
  readonly closed: Promise<number>
  readonly #ws: WebSocket
  readonly #listeners = new Set<() => void>()
  #pings = 0

  private constructor(ws: WebSocket) {
    this.#ws = ws
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame)
      for (const listener of [...this.#listeners]) listener()
    })
    this.closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)))
  }

  /** Resolves once the socket is open (the server has accepted it). */
  static open(url: string, token: string | null): Promise<InboxClient> {
    const client = new InboxClient(new WebSocket(socketUrl(url, token)))
    return new Promise((resolve, reject) => {
      client.#ws.once('open', () => resolve(client))
      client.#ws.once('error', reject)
    })
  }

  /** The close code the server answers a socket with, within `timeoutMs`. */
  static async closeCode(url: string, token: string | null, timeoutMs = WAIT_MS): Promise<number> {
    const client = await InboxClient.open(url, token)
    return within(client.closed, timeoutMs, 'the server to close the socket')
  }

  send(frame: unknown): void {
    this.#ws.send(JSON.stringify(frame))
  }

  sendRaw(data: string | Buffer): void {
    this.#ws.send(data)
  }

  get isOpen(): boolean {
    return this.#ws.readyState === WebSocket.OPEN
  }

  /** Frames of one `type`, in arrival order. */
  ofType(type: string): Frame[] {
    return this.frames.filter((frame) => frame['type'] === type)
  }

  /** Resolves with `check(frames)` once it is defined, re-checked on every frame; rejects after `timeoutMs`. */
  until<T>(check: (frames: Frame[]) => T | undefined, label: string, timeoutMs = WAIT_MS): Promise<T> {
    return new Promise((resolve, reject) => {
      const listener = (): void => {
        const value = check(this.frames)
        if (value === undefined) return
        this.#listeners.delete(listener)
        clearTimeout(timer)
        resolve(value)
      }
      const timer = setTimeout(() => {
        this.#listeners.delete(listener)
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${label}; frames: ${JSON.stringify(this.frames)}`))
      }, timeoutMs)
      this.#listeners.add(listener)
      listener()
    })
  }

  /** The first frame matching `predicate`, received already or later. */
  next(predicate: (frame: Frame) => boolean, label: string, timeoutMs = WAIT_MS): Promise<Frame> {
    return this.until((frames) => frames.find(predicate), label, timeoutMs)
  }

  /** Send a ping and wait for its pong: every frame sent before it has been handled. */
  async ping(): Promise<void> {
    const wanted = ++this.#pings
    this.send({ type: 'ping' })
    await this.until((frames) => (frames.filter((f) => f['type'] === 'pong').length >= wanted ? true : undefined), `pong #${wanted}`)
  }

  async close(): Promise<void> {
    if (this.#ws.readyState !== WebSocket.CLOSED) this.#ws.close()
    await this.closed
  }
}

function within<T>(promise: Promise<T>, timeoutMs: number, label: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${label}`)), timeoutMs)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error instanceof Error ? error : new Error(String(error)))
      },
    )
  })
}

/**
 * The `inbox` field of a target's `/stats`.
 *
 * @example
 * const { sockets } = await inboxStats(target.statsUrl)
 */
export async function inboxStats(statsUrl: string): Promise<{ sockets: number; conversations: number; users: Record<string, number> }> {
  const body = (await (await fetch(statsUrl)).json()) as { inbox: { sockets: number; conversations: number; users: Record<string, number> } }
  return body.inbox
}
