/**
 * One WebSocket connection: decoding, heartbeats, the idle timeout, and routing of pushes to channels.
 * Frames are handled one at a time in arrival order, because a join awaits its token check and the
 * pushes behind it must not overtake it.
 */
import type { RawData, WebSocket } from 'ws'
import { onUserBroadcast } from './broadcast.ts'
import { reply, type Channel } from './channels.ts'
import type { Context, SocketHandle } from './context.ts'
import { handleChannelEvent } from './events.ts'
import { handleJoin, type JoinPeer } from './join.ts'
import { teardown } from './lifecycle.ts'
import { decodeText, decodeUserBroadcastPush, encodeText, type Frame, type OutFrame, type Vsn } from './serializer.ts'
import type { Claims } from './tokens.ts'

let nextId = 1

/**
 * A server-side socket; created after the upgrade has verified the apikey.
 *
 * @example
 * const connection = new Connection(ctx, ws, { vsn: '2.0.0', apikey, claims })
 */
export class Connection implements JoinPeer, SocketHandle {
  readonly id = `s${nextId++}`
  readonly vsn: Vsn
  readonly apikey: string
  #sub: string | null = null
  #ws: WebSocket
  #ctx: Context
  #queue: Promise<void> = Promise.resolve()
  #idleTimer: NodeJS.Timeout | undefined

  constructor(ctx: Context, ws: WebSocket, auth: { vsn: Vsn; apikey: string; claims: Claims }) {
    this.#ctx = ctx
    this.#ws = ws
    this.vsn = auth.vsn
    this.apikey = auth.apikey
    this.noteClaims(auth.claims)
    ctx.sockets.add(this)
    ctx.counters.connectionsTotal++
    ws.on('message', (data, isBinary) => this.#receive(data, isBinary))
    ws.on('close', () => this.#closed())
    // A socket-level error (bad frame, reset) ends only this connection.
    ws.on('error', () => ws.terminate())
    this.#touch()
  }

  /** True until the socket starts closing; pushes after that are dropped. */
  get isOpen(): boolean {
    return this.#ws.readyState === this.#ws.OPEN
  }

  /** Send a text frame in this socket's serializer; dropped once the socket is closing. */
  push(frame: OutFrame): void {
    if (!this.isOpen) return
    this.#ws.send(encodeText(this.vsn, frame))
    this.#ctx.counters.messagesOut++
  }

  /** Send a kind-4 binary frame. */
  pushBinary(frame: Buffer): void {
    if (!this.isOpen) return
    this.#ws.send(frame, { binary: true })
    this.#ctx.counters.messagesOut++
  }

  /** Remember the subject of the latest verified token, shown as `sub` in /stats. */
  noteClaims(claims: Claims): void {
    if (typeof claims['sub'] === 'string') this.#sub = claims['sub']
  }

  /** This socket's row in /stats. */
  describe(): { id: string; vsn: string; channels: number; sub: string | null } {
    return { id: this.id, vsn: this.vsn, channels: this.#ctx.channels.ofPeer(this.id).length, sub: this.#sub }
  }

  /** Server-side close; the client sees it and reconnects. */
  close(code: number, reason: string): void {
    this.#ws.close(code, reason)
    // A peer that never answers the closing handshake must not keep the socket (or close()) waiting.
    setTimeout(() => this.#ws.terminate(), 1000).unref()
  }

  #receive(data: RawData, isBinary: boolean): void {
    this.#ctx.counters.messagesIn++
    this.#touch()
    const bytes = toBuffer(data)
    this.#queue = this.#queue
      .then(() => (isBinary ? this.#binary(bytes) : this.#text(bytes.toString('utf8'))))
      // Bad input must never take the server down; the frame is dropped and the socket stays open.
      .catch((error: unknown) => console.error(`realtime: dropped a frame on ${this.id}:`, error))
  }

  async #text(text: string): Promise<void> {
    const frame = decodeText(this.vsn, text)
    if (frame === null) return
    if (frame.topic === 'phoenix') return this.#phoenix(frame)
    if (frame.event === 'phx_join') return handleJoin(this.#ctx, this, frame)
    const channel = this.#member(frame)
    if (channel !== undefined) return handleChannelEvent(this.#ctx, this, channel, frame)
  }

  #binary(bytes: Buffer): void {
    // vsn 1.0.0 has no binary frames; kinds other than 3 are not client → server messages.
    const msg = this.vsn === '2.0.0' ? decodeUserBroadcastPush(bytes) : null
    if (msg === null) return
    const channel = this.#member({ ...msg, event: 'broadcast', payload: {} })
    if (channel !== undefined) onUserBroadcast(this.#ctx, channel, msg)
  }

  #phoenix(frame: Frame): void {
    if (frame.event !== 'heartbeat') return
    if (this.#ctx.isHeartbeatReplying) reply(this, frame, 'ok', {})
  }

  // The joined channel a push addresses, or undefined after answering/ignoring it like Phoenix does.
  #member(frame: Frame): Channel | undefined {
    const channel = this.#ctx.channels.find(this.id, frame.topic)
    if (channel === undefined) {
      if (frame.event === 'phx_leave') reply(this, frame, 'ok', {})
      else reply(this, { ...frame, joinRef: null }, 'error', { reason: 'unmatched topic' })
      return undefined
    }
    // A push from an earlier join of this topic (stale join_ref) is ignored.
    if (frame.joinRef !== null && frame.joinRef !== channel.joinRef) return undefined
    return channel
  }

  #touch(): void {
    if (this.#ctx.idleTimeoutMs <= 0) return
    clearTimeout(this.#idleTimer)
    this.#idleTimer = setTimeout(() => this.close(1000, 'idle timeout'), this.#ctx.idleTimeoutMs)
    this.#idleTimer.unref()
  }

  #closed(): void {
    clearTimeout(this.#idleTimer)
    this.#ctx.sockets.delete(this)
    for (const channel of this.#ctx.channels.ofPeer(this.id)) teardown(this.#ctx, channel)
  }
}

function toBuffer(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.isBuffer(data) ? data : Buffer.from(new Uint8Array(data))
}
