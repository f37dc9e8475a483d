/**
 * One SSE connection attempt: the streams of a connection's topics (one per topic, or one for their
 * union), their last ids kept in the connection's memory so every next stream resumes, and sends
 * as HTTP POSTs. A stream that ends, fails or goes silent ends the whole attempt once; the hub
 * backs off and opens the next, which resumes each stream from its last id. The one re-open that
 * happens inside an attempt is a multiplexed stream's union change: that is the transport's own
 * subscription change (a socket would send a join frame), not a retry.
 */
import { clampMs } from '../../../src/contract/clock.ts'
import type { Json, SendResult } from '../../../src/contract/protocol.ts'
import type { ChannelHandlers, CloseReason, OpenOptions, TransportChannel, TransportConnection } from '../transport.ts'
import { SseChannel } from './channel.ts'
import type { StreamEvent } from './codec.ts'
import { publish } from './http.ts'
import type { ResolvedSseOptions } from './options.ts'
import { EventStream } from './stream.ts'
import { planUnion, unionFrom } from './union.ts'

/**
 * The SSE transport's server subscription: just the topic (streams carry every event of it).
 * @example
 * const spec: SseSpec = { topic: 'room:1' }
 */
export interface SseSpec {
  topic: string
}

/** One open stream and the topics in its URL, in URL order. */
interface Lane {
  memoryKey: string
  topics: string[]
  lastId: string | null
  isLive: boolean
  /** nchan's timeout comment arrived: see `comment` in #openLane. */
  isTimedOut: boolean
  stream: EventStream | null
}

const MULTIPLEXED = 'sse:multiplexed'
const RETRY = 'sse:retry'
const memoryKeyOf = (topic: string): string => `sse:topic:${topic}`

/**
 * An attempt; streams open as topics are joined.
 * @example
 * const attempt = new SseAttempt(resolved, { target, token, memory, events })   // sseTransport().open(...)
 * attempt.join('room', spec, handlers)   // opens (or widens) the stream that carries 'room'
 */
export class SseAttempt implements TransportConnection<SseSpec> {
  readonly #o: ResolvedSseOptions
  readonly #open: OpenOptions
  readonly #channels = new Map<string, SseChannel>()
  readonly #lanes = new Map<string, Lane>()
  #token: string | null
  #isDone = false
  #isOpen = false
  #cancelDebounce: () => void = () => undefined

  constructor(options: ResolvedSseOptions, open: OpenOptions) {
    this.#o = options
    this.#open = open
    this.#token = open.token
    // SSE has no connection without a stream: with no topic to stream, the attempt is open at once.
    queueMicrotask(() => { if (this.#channels.size === 0) this.#opened() })
  }

  join(_key: string, spec: SseSpec, handlers: ChannelHandlers): TransportChannel {
    const { topic } = spec
    void this.#channels.get(topic)?.close()
    const channel = new SseChannel(topic, handlers, (event, payload) => this.#publish(topic, event, payload), (c) => this.#left(c))
    this.#channels.set(topic, channel)
    if (this.#isDone) return channel
    if (this.#o.mode === 'per-topic') {
      this.#openLane(memoryKeyOf(topic), [topic], unionFrom(this.#open.memory.get(memoryKeyOf(topic))).lastId, false)
      return channel
    }
    const lane = this.#lanes.get(MULTIPLEXED)
    if (lane?.topics.includes(topic)) {
      // The stream already carries it (a topic left and joined again): no re-open. Reported in a
      // later microtask, since the hub records the channel only once join() returned.
      if (lane.isLive) queueMicrotask(() => channel.subscribed())
      return channel
    }
    this.#cancelDebounce()
    this.#cancelDebounce = this.#o.clock.setTimeout(() => this.#reopenUnion(), this.#o.debounceMs)
    return channel
  }

  async setAuth(token: string | null): Promise<void> {
    // Open streams keep their request; the next stream and every send carry the new token.
    this.#token = token
  }

  async close(): Promise<void> {
    this.#isDone = true
    this.#stopAll()
  }

  #left(channel: SseChannel): void {
    if (this.#channels.get(channel.topic) !== channel) return
    this.#channels.delete(channel.topic)
    const key = this.#o.mode === 'per-topic' ? memoryKeyOf(channel.topic) : MULTIPLEXED
    // Per topic the stream goes; multiplexed, the topic stays in the URL until no topic is left.
    if (this.#o.mode === 'per-topic' || this.#channels.size === 0) {
      this.#lanes.get(key)?.stream?.abort()
      this.#lanes.delete(key)
      // A topic joined later starts fresh, as a first join does.
      this.#open.memory.delete(key)
    }
    if (this.#channels.size === 0) this.#opened()
  }

  #reopenUnion(): void {
    const live = new Set(this.#channels.keys())
    if (this.#isDone || live.size === 0) return
    const lane = this.#lanes.get(MULTIPLEXED)
    const plan = planUnion(lane ?? unionFrom(this.#open.memory.get(MULTIPLEXED)), live, this.#o.maxIdleTopics)
    // Close before open, so no event reaches the hub twice; the new stream resumes after the last id.
    lane?.stream?.abort()
    this.#openLane(MULTIPLEXED, plan.topics, plan.lastId, !plan.isResumed)
  }

  #openLane(memoryKey: string, topics: string[], lastId: string | null, isGap: boolean): void {
    const lane: Lane = { memoryKey, topics, lastId, isLive: false, isTimedOut: false, stream: null }
    this.#lanes.set(memoryKey, lane)
    this.#open.memory.set(memoryKey, { topics, lastId })
    const { target } = this.#open
    const o = this.#o
    const isCurrent = (): boolean => !this.#isDone && this.#lanes.get(memoryKey) === lane
    lane.stream = new EventStream({
      url: o.streamUrl(topics, target), lastEventId: lastId, resumeVia: o.resumeVia, headers: o.headers(this.#token, target),
      credentials: o.credentials, fetch: o.fetch, clock: o.clock, keepAliveMs: o.keepAliveMs, maxFrameBytes: o.maxFrameBytes, auth: o,
    }, {
      live: () => {
        if (!isCurrent()) return
        lane.isLive = true
        this.#opened()
        for (const topic of topics) this.#channels.get(topic)?.subscribed(isGap)
      },
      message: (message) => { if (isCurrent()) this.#message(lane, message) },
      retry: (ms) => { this.#open.memory.set(RETRY, ms) },
      // nchan 1.3.6 (measured): a multiplexed stream ended by nchan_subscriber_timeout leaves a stale
      // subscriber behind, and resuming it with its last id then delivers nothing, not even live
      // messages. So such a stream restarts without an id; the hub's resync covers the gap.
      comment: (text) => { if (o.mode === 'multiplexed' && /^\s*408\b/.test(text)) lane.isTimedOut = true },
      ended: (reason, status) => {
        if (!isCurrent()) return
        // A refused resume (nchan: 400 for an id that does not fit the list): the next starts fresh.
        if ((status === 400 && lastId !== null) || lane.isTimedOut) this.#open.memory.delete(memoryKey)
        this.#end(reason)
      },
    })
  }

  #message(lane: Lane, message: StreamEvent): void {
    if (message.id !== undefined && message.id !== '') {
      lane.lastId = message.id
      this.#open.memory.set(lane.memoryKey, { topics: lane.topics, lastId: message.id })
    }
    const decoded = this.#o.decode(message, lane.topics, this.#o.mode)
    if (decoded !== null) this.#channels.get(decoded.topic)?.deliver(decoded.event, decoded.payload)
  }

  #publish(topic: string, event: string, payload: Json): Promise<SendResult> {
    const o = this.#o
    return publish({
      url: o.publishUrl(topic, this.#open.target), body: o.encode(topic, event, payload, o.mode), headers: o.headers(this.#token, this.#open.target),
      credentials: o.credentials, fetch: o.fetch, clock: o.clock, timeoutMs: o.sendTimeoutMs,
    })
  }

  #opened(): void {
    if (this.#isDone || this.#isOpen) return
    this.#isOpen = true
    this.#open.events.open()
  }

  // The server's `retry:` (or the default, nchan sends none) is the floor of the next attempt; what
  // a server asks for is kept within [minRetryMs, maxRetryMs].
  #end(reason: CloseReason): void {
    if (this.#isDone) return
    this.#isDone = true
    this.#stopAll()
    const remembered = this.#open.memory.get(RETRY)
    const floor = typeof remembered === 'number' ? remembered : this.#o.defaultRetryMs
    const asked = Math.max(reason.retryAfterMs ?? 0, floor)
    this.#open.events.closed({ ...reason, retryAfterMs: clampMs(asked, this.#o.minRetryMs, this.#o.maxRetryMs) })
  }

  #stopAll(): void {
    this.#cancelDebounce()
    for (const lane of this.#lanes.values()) lane.stream?.abort()
    this.#lanes.clear()
  }
}
