/**
 * One WebSocket, used for one connection attempt: it opens, writes the subscribe frame of every
 * topic the hub joins, routes incoming frames to topics, keeps alive, and on any end reports
 * `closed` once. It never reconnects: the hub backs off and opens the next attempt, which
 * subscribes every topic again (that is the rejoin after a reconnect).
 */
import type { Json, SendResult } from '../../../src/contract/protocol.ts'
import type { ChannelHandlers, CloseReason, OpenOptions, TransportChannel, TransportConnection } from '../transport.ts'
import { WebSocketChannel } from './channel.ts'
import { closeReasonOf, missedPong, oversizeFrame, unusableSocket } from './close.ts'
import { KeepAlive } from './keepalive.ts'
import { probeSocket, socketPlace } from './probe.ts'
import type { Routed, WebSocketSettings } from './options.ts'
import { ResumeState } from './resume.ts'

/** The server subscription of one topic: the topic name is all a plain socket needs. */
export interface WebSocketSpec {
  topic: string
}

// A code of the application range: browsers only let a page close with 1000 or 3000–4999.
const HALF_OPEN_CLOSE = 4000
// readyState values (the same in browsers and `ws`).
const OPEN = 1
const CLOSED = 3
const REPLAY_TIMEOUT_MS = 10_000

/**
 * One socket's life.
 * @example
 * const attempt = new WebSocketAttempt({ target, token, memory, events }, settings)   // websocketTransport().open(...)
 * attempt.join('conversation:42', { topic: 'conversation:42' }, handlers)
 */
export class WebSocketAttempt implements TransportConnection<WebSocketSpec> {
  readonly #options: OpenOptions
  readonly #settings: WebSocketSettings
  readonly #topics = new Map<string, Set<WebSocketChannel>>()
  readonly #keepAlive: KeepAlive | null
  readonly #resume: ResumeState | null
  // Per topic whose replay runs: cancels its deadline.
  readonly #replayDeadlines = new Map<string, () => void>()
  #socket: WebSocket | null = null
  #isOpen = false
  #isDone = false

  constructor(options: OpenOptions, settings: WebSocketSettings) {
    this.#options = options
    this.#settings = settings
    const { ping } = settings
    this.#resume = settings.resume ? new ResumeState(options.memory, settings.resume) : null
    this.#keepAlive = ping ? new KeepAlive(settings.clock, ping, () => this.#writeFrame(ping.frame), () => this.#end(missedPong(ping.timeoutMs))) : null
    try {
      const Socket = settings.WebSocket ?? globalThis.WebSocket
      const socket = new Socket(settings.url(options.target, options.token), settings.protocols)
      socket.binaryType = 'arraybuffer'
      socket.addEventListener('open', () => this.#onOpen())
      socket.addEventListener('message', (event: MessageEvent) => this.#onMessage(event.data as string | ArrayBuffer))
      socket.addEventListener('close', (event: CloseEvent) => void this.#closed(socket.url, event.code, event.reason))
      // Every error is followed by a close, which reports it; `ws` in Node throws unheard errors.
      socket.addEventListener('error', () => undefined)
      this.#socket = socket
    } catch (error) {
      // Reported in a later task: the hub registers the attempt only once open() returned.
      queueMicrotask(() => this.#end(unusableSocket(error)))
    }
  }

  join(_key: string, spec: WebSocketSpec, handlers: ChannelHandlers): TransportChannel {
    const channel = new WebSocketChannel(spec.topic, handlers, {
      write: (topic, event, payload) => this.#write(topic, event, payload),
      release: (c) => this.#release(c),
    })
    const channels = this.#topics.get(spec.topic) ?? new Set<WebSocketChannel>()
    const isFirst = channels.size === 0
    channels.add(channel)
    this.#topics.set(spec.topic, channels)
    if (this.#isOpen) {
      if (isFirst) this.#subscribeFrame(spec.topic)
      // Later: the hub records the channel only once join() returned. A replaying topic reports
      // SUBSCRIBED when its replay ends.
      if (!this.#replayDeadlines.has(spec.topic)) queueMicrotask(() => channel.subscribed())
    }
    return channel
  }

  async setAuth(token: string | null): Promise<void> {
    // The URL of an open socket cannot change: without an auth frame the hub's fresher token is
    // used by the next attempt (the hub keeps it, and asks a tab again before every retry).
    const frame = this.#settings.authFrame?.(token)
    if (frame !== undefined && frame !== null) this.#writeFrame(frame)
  }

  async close(): Promise<void> {
    if (this.#isDone) return
    this.#finish()
    this.#socket?.close(1000)
  }

  #onOpen(): void {
    if (this.#isDone) return
    this.#isOpen = true
    this.#options.events.open()
    this.#keepAlive?.start()
    // The server sends no subscribe ack: a topic counts as SUBSCRIBED once its frame is written.
    // Frames of one socket are handled in order, so every send written after it is subscribed.
    for (const topic of this.#topics.keys()) this.#subscribeFrame(topic)
    for (const [topic, channels] of this.#topics) if (!this.#replayDeadlines.has(topic)) for (const channel of channels) channel.subscribed()
  }

  #onMessage(data: string | ArrayBuffer): void {
    if (this.#isDone) return
    const size = typeof data === 'string' ? data.length : data.byteLength
    if (size > this.#settings.maxFrameBytes) return this.#end(oversizeFrame(size, this.#settings.maxFrameBytes))
    let frame: Json
    try {
      frame = this.#settings.codec.decode(data)
    } catch {
      return
    }
    if (this.#keepAlive && this.#settings.ping?.isPong(frame)) {
      this.#keepAlive.pong()
      return
    }
    const end = this.#resume?.replayed(frame)
    if (end) return this.#replayEnded(end.topic, end.isContinuous, end.held)
    const routed = this.#settings.route(frame)
    if (!routed) return
    const topic = routed.topic ?? this.#settings.userTopic
    if (this.#resume && topic !== this.#settings.userTopic && !this.#resume.admit(frame, { ...routed, topic })) return
    this.#deliver(topic, routed)
  }

  #deliver(topic: string, routed: Routed): void {
    for (const channel of [...(this.#topics.get(topic) ?? [])]) channel.deliver(routed.event, routed.payload)
  }

  // The topic's channels report SUBSCRIBED (continuous: the hub sends no resync), then get what was replayed.
  #replayEnded(topic: string, isContinuous: boolean, held: Routed[]): void {
    this.#replayDeadlines.get(topic)?.()
    if (!this.#replayDeadlines.delete(topic)) return
    for (const channel of this.#topics.get(topic) ?? []) channel.subscribed(isContinuous ? { isContinuous } : undefined)
    for (const routed of held) this.#deliver(topic, routed)
  }

  #write(topic: string, event: string, payload: Json): SendResult {
    let frame: Json | null
    try {
      frame = this.#settings.encode(topic, event, payload)
    } catch {
      return 'error'
    }
    if (frame === null) return 'error'
    return this.#writeFrame(frame) ? 'ok' : 'timed out'
  }

  #writeFrame(frame: Json): boolean {
    const socket = this.#socket
    // A socket already closing discards what it is given: report it as not written.
    if (this.#isDone || !socket || socket.readyState !== OPEN) return false
    socket.send(this.#settings.codec.encode(frame))
    return true
  }

  #subscribeFrame(topic: string): void {
    if (topic === this.#settings.userTopic) return
    const resume = this.#resume
    const frame = resume ? resume.subscribe(topic) : this.#settings.subscribe?.(topic)
    if (frame === undefined || frame === null || !this.#writeFrame(frame) || !resume) return
    // A server that never ends the replay (it ignores `since`): SUBSCRIBED anyway, with a resync.
    const timeoutMs = this.#settings.resume?.timeoutMs ?? REPLAY_TIMEOUT_MS
    this.#replayDeadlines.set(topic, this.#settings.clock.setTimeout(() => this.#replayEnded(topic, false, resume.expire(topic)), timeoutMs))
  }

  #release(channel: WebSocketChannel): void {
    const channels = this.#topics.get(channel.topic)
    if (!channels?.delete(channel) || channels.size > 0) return
    this.#topics.delete(channel.topic)
    if (channel.topic === this.#settings.userTopic) return
    this.#replayDeadlines.get(channel.topic)?.()
    this.#replayDeadlines.delete(channel.topic)
    this.#resume?.forget(channel.topic)
    const frame = this.#settings.unsubscribe?.(channel.topic)
    if (frame !== undefined && frame !== null) this.#writeFrame(frame)
  }

  /** The socket closed by itself: say why, asking the server over HTTP if it never opened. */
  async #closed(url: string, code: number, reason: string): Promise<void> {
    if (this.#isDone) return
    const { closeCodes } = this.#settings
    if (this.#isOpen || code !== 1006) return this.#end(closeReasonOf(code, reason, closeCodes, socketPlace(url)))
    const probed = await probeSocket(url, code, fetch)
    // The hub may have closed the attempt while the probe ran: then nothing is reported.
    this.#end(probed)
  }

  #end(reason: CloseReason): void {
    if (this.#isDone) return
    this.#finish()
    this.#options.events.closed(reason)
    // A missed pong: the socket may never report its close, so it is closed and forgotten here.
    if (this.#socket && this.#socket.readyState !== CLOSED) this.#socket.close(HALF_OPEN_CLOSE, 'no pong')
  }

  #finish(): void {
    this.#isDone = true
    this.#isOpen = false
    this.#keepAlive?.stop()
    for (const cancel of this.#replayDeadlines.values()) cancel()
    this.#replayDeadlines.clear()
    for (const channels of this.#topics.values()) for (const channel of channels) channel.drop()
    this.#topics.clear()
  }
}
