/**
 * One Socket.IO connection attempt: `socket.connect()` on the connection's `Socket` with this
 * attempt's auth, a join event per topic once connected, events routed to topics, and on any end
 * `closed` once. Socket.IO's own reconnection is off: the hub backs off and opens the next attempt,
 * which connects the same `Socket` again, so the library resends its session id and last offset
 * and the server can recover the session (`socket.recovered`).
 */
import type { Socket } from 'socket.io-client'
import type { ChannelHandlers, CloseReason, Json, OpenOptions, SendResult, TransportChannel, TransportConnection } from '../../index.ts'
import type { SocketIoSettings, SocketIoSpec } from './options.ts'

/** A topic of the attempt: its channels and how far its join got. */
interface Room {
  channels: Set<SocketIoChannel>
  state: 'joining' | 'joined' | 'failed'
}

/** One hub topic on the attempt's socket. */
class SocketIoChannel implements TransportChannel {
  isClosed = false
  constructor(readonly topic: string, readonly handlers: ChannelHandlers, readonly attempt: SocketIoAttempt) {}

  send(event: string, payload: Json, ack: boolean): Promise<SendResult> {
    return this.isClosed ? Promise.resolve('error') : this.attempt.send(this.topic, event, payload, ack)
  }

  async close(): Promise<void> {
    if (this.isClosed) return
    this.isClosed = true
    this.attempt.release(this)
  }
}

/**
 * One connect of the connection's socket, until it ends.
 * @example
 * const attempt = new SocketIoAttempt(socket, { target, token, memory, events }, settings)   // socketioTransport().open(...)
 * attempt.join('room:1', spec, handlers)
 */
export class SocketIoAttempt implements TransportConnection<SocketIoSpec> {
  readonly #socket: Socket
  readonly #options: OpenOptions
  readonly #settings: SocketIoSettings
  readonly #rooms = new Map<string, Room>()
  readonly #detach: () => void
  #isDone = false
  #isRecovered = false

  constructor(socket: Socket, options: OpenOptions, settings: SocketIoSettings) {
    this.#socket = socket
    this.#options = options
    this.#settings = settings
    const onConnect = (): void => this.#onConnect()
    const onError = (error: Error): void => this.#end(settings.connectError(error))
    const onDisconnect = (reason: string): void => this.#end({ kind: 'retry', error: { code: 'transport', message: `Socket.IO disconnected (${reason})` } })
    const onEvent = (event: string, ...args: unknown[]): void => this.#onEvent(event, args)
    socket.on('connect', onConnect).on('connect_error', onError).on('disconnect', onDisconnect).onAny(onEvent)
    this.#detach = () => { socket.off('connect', onConnect).off('connect_error', onError).off('disconnect', onDisconnect).offAny(onEvent) }
    // Read on every connect; a fresher token of the same identity is used from here on.
    socket.auth = settings.auth(options.token)
    socket.connect()
  }

  join(_key: string, spec: SocketIoSpec, handlers: ChannelHandlers): TransportChannel {
    const channel = new SocketIoChannel(spec.topic, handlers, this)
    const room = this.#rooms.get(spec.topic) ?? { channels: new Set<SocketIoChannel>(), state: 'joining' }
    room.channels.add(channel)
    this.#rooms.set(spec.topic, room)
    if (this.#socket.connected && (room.channels.size === 1 || room.state === 'failed')) {
      room.state = 'joining'
      this.#joinRoom(spec.topic, room)
    } else if (room.state === 'joined') {
      // Later: the hub records the channel only once join() returned.
      queueMicrotask(() => this.#subscribed(channel))
    }
    return channel
  }

  async setAuth(token: string | null): Promise<void> {
    // Socket.IO sends auth only with a connect: the next attempt carries the fresher token.
    this.#socket.auth = this.#settings.auth(token)
  }

  async close(): Promise<void> {
    if (this.#finish()) this.#socket.disconnect()
  }

  /** A channel's send; `'timed out'` when the socket is down or the ack did not come in time. */
  send(topic: string, event: string, payload: Json, ack: boolean): Promise<SendResult> {
    const call = this.#settings.encode(topic, event, payload)
    if (call === null) return Promise.resolve('error')
    if (this.#isDone || !this.#socket.connected) return Promise.resolve('timed out')
    if (!ack) {
      this.#socket.emit(...call)
      return Promise.resolve('ok')
    }
    return new Promise((resolve) => {
      this.#socket.timeout(this.#settings.ackTimeoutMs).emit(...call, (error: Error | null, reply?: unknown) => {
        resolve(error ? 'timed out' : this.#settings.refusal(reply) === null ? 'ok' : 'error')
      })
    })
  }

  /** A channel left: the last one of its topic emits the leave event. */
  release(channel: SocketIoChannel): void {
    const room = this.#rooms.get(channel.topic)
    if (!room?.channels.delete(channel) || room.channels.size > 0) return
    this.#rooms.delete(channel.topic)
    const call = this.#settings.leave(channel.topic)
    if (call !== null && !this.#isDone && this.#socket.connected) this.#socket.emit(...call)
  }

  #onConnect(): void {
    if (this.#isDone) return
    this.#isRecovered = this.#socket.recovered
    this.#options.events.open()
    for (const [topic, room] of this.#rooms) this.#joinRoom(topic, room)
  }

  #joinRoom(topic: string, room: Room): void {
    const call = this.#settings.join(topic)
    if (!this.#settings.isJoinAcked) {
      // One socket's packets are handled in order: every later emit is handled after the join.
      // Reported in a microtask: the hub records a channel only once join() returned.
      this.#socket.emit(...call)
      queueMicrotask(() => { if (!this.#isDone && this.#rooms.get(topic) === room) this.#joined(room, null) })
      return
    }
    this.#socket.timeout(this.#settings.ackTimeoutMs).emit(...call, (error: Error | null, reply?: unknown) => {
      if (this.#isDone || this.#rooms.get(topic) !== room) return
      if (error) {
        room.state = 'failed'
        for (const channel of room.channels) channel.handlers.status('TIMED_OUT', { code: 'timeout', message: `no ack of the join of "${topic}" within ${this.#settings.ackTimeoutMs} ms` })
        return
      }
      this.#joined(room, this.#settings.refusal(reply))
    })
  }

  #joined(room: Room, refusal: string | null): void {
    room.state = refusal === null ? 'joined' : 'failed'
    for (const channel of room.channels) {
      if (refusal === null) this.#subscribed(channel)
      else if (!channel.isClosed) channel.handlers.status('CHANNEL_ERROR', { code: 'join-failed', message: `the server refused to join: ${refusal}` })
    }
  }

  #subscribed(channel: SocketIoChannel): void {
    // Recovered: the server restored the rooms and replayed what they missed, before `connect`.
    if (!channel.isClosed && !this.#isDone) channel.handlers.status('SUBSCRIBED', undefined, { isContinuous: this.#isRecovered })
  }

  #onEvent(event: string, args: unknown[]): void {
    if (this.#isDone) return
    const routed = this.#settings.route(event, args)
    const room = routed ? this.#rooms.get(routed.topic) : undefined
    if (!routed || !room) return
    for (const channel of [...room.channels]) if (!channel.isClosed) channel.handlers.broadcast(routed.event, routed.payload)
  }

  #end(reason: CloseReason): void {
    if (!this.#finish()) return
    this.#options.events.closed(reason)
    // Ends this connect only; the socket keeps its session id and offset for the next attempt.
    this.#socket.disconnect()
  }

  /** Marks the attempt done and silences it; false when it already was. */
  #finish(): boolean {
    if (this.#isDone) return false
    this.#isDone = true
    this.#detach()
    for (const room of this.#rooms.values()) for (const channel of room.channels) channel.isClosed = true
    this.#rooms.clear()
    return true
  }
}
