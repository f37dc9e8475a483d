/**
 * `window.harness`: what specs drive through `page.evaluate`. Every method takes and returns
 * structured-cloneable data, and records what the page saw so specs can poll it.
 */
import { RelayError, type ChannelStatus, type HubStats, type UpdateInfo, type Json, type OutboxReport, type PresenceState, type SendOutcome, type SendResult, type SharedChannel, type SharedRealtime } from '../../../src/supabase/index.ts'

/** One broadcast as a listener received it. */
export interface Received {
  event: string
  payload: Json
  /** The page's `Date.now()` on arrival. */
  at: number
}

/** A caught error, as data. */
export interface ErrorInfo {
  name: string
  message: string
  /** The RelayError code, `null` for other errors. */
  code: string | null
  isRelayError: boolean
}

/** How `subscribe()` sets up a channel: one broadcast listener on `event` (default `'*'`). */
export interface SubscribeOptions {
  self?: boolean
  ack?: boolean
  presenceKey?: string
  event?: string
}

/** The first status a subscribe reported, and what the channel knew at that moment. */
export interface SubscribeResult {
  status: ChannelStatus
  error: ErrorInfo | null
  /** `presenceState()` read inside the status callback, before any later server message. */
  presence: PresenceState
  ms: number
}

/** The page's test surface; see the module comment. */
export interface Harness {
  /** This page's client; created from the query params on load. */
  readonly realtime: SharedRealtime
  channel(topic: string): SharedChannel
  subscribe(topic: string, options?: SubscribeOptions): Promise<SubscribeResult>
  received(topic: string): Received[]
  statuses(topic: string): string[]
  /** The channel's `outbox` reports (persisted sends: queued, ok, error), in order. */
  outbox(topic: string): OutboxReport[]
  send(topic: string, event: string, payload: Json): Promise<SendOutcome>
  /** Sends `{ n }` for n = from..to without awaiting in between, as an app firing events would. */
  sendSequence(topic: string, event: string, from: number, to: number): Promise<SendOutcome[]>
  track(topic: string, meta: { [key: string]: Json }): Promise<SendResult>
  untrack(topic: string): Promise<SendResult>
  presence(topic: string): PresenceState
  unsubscribe(topic: string): Promise<SendResult>
  stats(): Promise<HubStats>
  /** Every connection status this page saw, in order. */
  connectionStatuses(): string[]
  /** Every `update-available` this page heard (a newer deploy's hub), in order. */
  updates(): UpdateInfo[]
  /** Runs `fn` and returns what it threw or rejected with, or `null` when it succeeded. */
  errorOf(fn: () => unknown): Promise<ErrorInfo | null>
  close(): Promise<void>
}

interface ChannelLog {
  channel: SharedChannel
  received: Received[]
  statuses: string[]
  outbox: OutboxReport[]
}

/**
 * Describes any thrown value as data.
 * @example
 * describeError(new RelayError('bad-input', 'no')) // { code: 'bad-input', isRelayError: true, … }
 */
export function describeError(error: unknown): ErrorInfo {
  if (error instanceof RelayError) return { name: error.name, message: error.message, code: error.code, isRelayError: true }
  if (error instanceof Error) return { name: error.name, message: error.message, code: null, isRelayError: false }
  return { name: typeof error, message: String(error), code: null, isRelayError: false }
}

/**
 * Builds the harness around one client.
 * @example
 * window.harness = createHarness(createSharedRealtime(options))
 */
export function createHarness(realtime: SharedRealtime): Harness {
  const records = new Map<string, ChannelLog>()
  const connection: string[] = [realtime.status]
  realtime.onStatus((status) => { connection.push(status) })
  const updates: UpdateInfo[] = []
  realtime.onUpdateAvailable((info) => { updates.push(info) })

  const record = (topic: string): ChannelLog => {
    const found = records.get(topic)
    if (!found) throw new Error(`harness: no subscribe('${topic}') in this page yet`)
    return found
  }

  return {
    realtime,
    channel: (topic) => record(topic).channel,
    subscribe(topic, options = {}) {
      const started = performance.now()
      const config = {
        broadcast: { self: options.self ?? false, ack: options.ack ?? false },
        ...(options.presenceKey === undefined ? {} : { presence: { key: options.presenceKey } }),
      }
      const channel = realtime.channel(topic, { config })
      const entry: ChannelLog = { channel, received: [], statuses: [], outbox: [] }
      records.set(topic, entry)
      channel.on<Json>('broadcast', { event: options.event ?? '*' }, (message) => {
        entry.received.push({ event: message.event, payload: message.payload, at: Date.now() })
      })
      channel.on('system', { event: 'outbox' }, (report) => { entry.outbox.push(report) })
      if (options.presenceKey !== undefined) channel.on('presence', { event: 'sync' }, () => undefined)
      return new Promise<SubscribeResult>((resolve) => {
        channel.subscribe((status, error) => {
          entry.statuses.push(status)
          resolve({ status, error: error ? describeError(error) : null, presence: channel.presenceState(), ms: performance.now() - started })
        })
      })
    },
    received: (topic) => record(topic).received,
    statuses: (topic) => record(topic).statuses,
    outbox: (topic) => record(topic).outbox,
    send: (topic, event, payload) => record(topic).channel.send({ type: 'broadcast', event, payload }),
    sendSequence(topic, event, from, to) {
      const channel = record(topic).channel
      const sends: Array<Promise<SendOutcome>> = []
      for (let n = from; n <= to; n++) sends.push(channel.send({ type: 'broadcast', event, payload: { n } }))
      return Promise.all(sends)
    },
    track: (topic, meta) => record(topic).channel.track(meta),
    untrack: (topic) => record(topic).channel.untrack(),
    presence: (topic) => record(topic).channel.presenceState(),
    unsubscribe: (topic) => record(topic).channel.unsubscribe(),
    stats: () => realtime.stats(),
    connectionStatuses: () => [...connection],
    updates: () => [...updates],
    async errorOf(fn) {
      try {
        await fn()
        return null
      } catch (error) {
        return describeError(error)
      }
    },
    close: () => realtime.close(),
  }
}
