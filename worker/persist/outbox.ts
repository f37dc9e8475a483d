/**
 * The persisted outbox of one identity: what it stored (mirrored in memory once loaded), its
 * bounds, and writing each stored send once its topic is joined. At least once on the wire, once
 * for receivers: a send is marked written before it is handed to the socket and deleted only
 * after the server took it, so one lost with a worker or socket is sent again with the same
 * idempotency key, and receivers' hubs drop the copy (worker/dedupe.ts).
 */
import type { Clock } from '../../src/contract/clock.ts'
import { RelayError, toWire } from '../../src/contract/errors.ts'
import { randomId } from '../../src/contract/ids.ts'
import type { Json, OutboxState, Outgoing, SendResult } from '../../src/contract/protocol.ts'
import type { Topic } from '../topic/topic.ts'
import { SeenKeys, takeKey, withKey } from './dedupe.ts'
import { sendBytes } from '../connection/send-queue.ts'
import type { JoinedTopic, StoredSends } from './hooks.ts'
import type { SendStore, StoredSend } from './store.ts'

/**
 * Bounds of one identity's persisted outbox.
 * @example
 * const limits: PersistLimits = { maxCount: 100, maxBytes: 256 * 1024, maxAgeMs: 86_400_000 }
 */
export interface PersistLimits {
  /** Sends stored at once; one more is refused `outbox-full` in its tab. */
  maxCount: number
  /** Bytes (event + JSON payload, UTF-8) stored at once. */
  maxBytes: number
  /** A send older than this when its topic is joined is deleted and reported `error` (`expired`). */
  maxAgeMs: number
}

/** The default bounds: 100 sends, 256 KiB, one day. */
export const PERSIST_DEFAULTS: PersistLimits = { maxCount: 100, maxBytes: 256 * 1024, maxAgeMs: 24 * 60 * 60 * 1000 }

/**
 * One identity's stored sends; see the module comment.
 * @example
 * const outbox = new IdentityOutbox(identity, store, clock, PERSIST_DEFAULTS)
 * const stored = outbox.queue(topic, tabId, subId, message)   // 'queued' once in IndexedDB, null when it may not be stored
 * outbox.joined(topic)   // the topic is joined: its stored sends go out, in order, with their keys
 */
export class IdentityOutbox implements StoredSends {
  readonly #identity: string
  readonly #store: SendStore
  readonly #clock: Clock
  readonly #limits: PersistLimits
  #loaded: Promise<StoredSend[]>
  readonly #joined = new Map<string, JoinedTopic>()
  readonly #flushing = new Set<string>()
  /** Keys each topic delivered to this hub's tabs: a second copy is dropped (dedupe.ts). */
  readonly #seen = new WeakMap<Topic, SeenKeys>()
  #seq = 0
  /** Bumped by forget(): work started before it stores or writes nothing. */
  #gen = 0

  constructor(identity: string, store: SendStore, clock: Clock, limits: PersistLimits) {
    this.#identity = identity
    this.#store = store
    this.#clock = clock
    this.#limits = limits
    // A store that cannot be read holds nothing for this hub's life; new sends still try to store.
    this.#loaded = store.list(identity).catch(() => [])
  }

  readonly inbound = (entry: Topic, wire: Json): Json | undefined => {
    const { key, payload } = takeKey(wire)
    return key === null || this.#isNew(entry, key) ? payload : undefined
  }

  queue(topic: JoinedTopic, tabId: string, subId: string, message: Outgoing): Promise<'queued'> | null {
    if (message.outbox !== 'persist') return null
    return this.#add(topic, { tabId, subId }, message.event, message.payload ?? {})
  }

  joined(topic: JoinedTopic): void {
    this.#joined.set(topic.entry.key, topic)
    void this.#flush(topic.entry.key)
  }

  /** Deletes every stored send (sign-out, user switch); nothing stored is written after this. */
  forget(): Promise<void> {
    this.#gen += 1
    const cleared = this.#store.clear(this.#identity)
    this.#loaded = cleared.then(() => [], () => [])
    return cleared
  }

  async #add(topic: JoinedTopic, origin: StoredSend['origin'], event: string, payload: Json): Promise<'queued'> {
    const gen = this.#gen
    const sends = await this.#loaded
    const { maxCount, maxBytes } = this.#limits
    const bytes = sendBytes(event, payload)
    const stored = sends.reduce((n, send) => n + send.bytes, 0)
    if (sends.length + 1 > maxCount || stored + bytes > maxBytes) {
      throw new RelayError('outbox-full', `the persisted outbox of this user holds ${sends.length} sends (${stored} bytes), its bound (persistedSends({ maxCount: ${maxCount}, maxBytes: ${maxBytes} })); this send was not stored: show it as not sent, and retry once the connection is back`)
    }
    const now = this.#clock.now()
    const seq = Math.max(now * 1000, ...sends.map((send) => send.seq + 1), this.#seq + 1)
    this.#seq = seq
    const send: StoredSend = { identity: this.#identity, seq, key: randomId(), topic: topic.entry.key, name: topic.entry.topic, event, payload, bytes, at: now, isWritten: false, ...(origin ? { origin } : {}) }
    try {
      await this.#store.put(send)
    } catch (error) {
      throw new RelayError('unsupported', `the persisted outbox could not store this send (${toWire(error).message}); it was not sent`)
    }
    if (gen !== this.#gen) {
      await this.#store.remove(send).catch(() => undefined)
      throw new RelayError('closed', 'this user signed out while the send was being stored; it was not sent')
    }
    sends.push(send)
    this.#report(topic, send, 'queued')
    // The topic may have been joined while the send was being stored: write it now then.
    if (this.#joined.has(send.topic)) void this.#flush(send.topic)
    return 'queued'
  }

  async #flush(key: string): Promise<void> {
    if (this.#flushing.has(key)) return
    this.#flushing.add(key)
    try {
      const gen = this.#gen
      const sends = await this.#loaded
      for (let send = sends.find((s) => s.topic === key); send && gen === this.#gen; send = sends.find((s) => s.topic === key)) {
        const topic = this.#joined.get(key)
        if (!topic || !isJoined(topic)) { this.#joined.delete(key); return }
        if (!(await this.#writeOne(topic, send, gen))) return
        sends.splice(sends.indexOf(send), 1)
      }
    } finally {
      this.#flushing.delete(key)
    }
  }

  /** Writes one send; `true` when it is settled (sent, refused or expired) and deleted. */
  async #writeOne(topic: JoinedTopic, send: StoredSend, gen: number): Promise<boolean> {
    if (this.#clock.now() - send.at > this.#limits.maxAgeMs) return this.#settle(topic, send, 'error', 'expired')
    const isFirst = !send.isWritten
    if (isFirst) {
      send.isWritten = true
      await this.#store.put(send).catch(() => undefined)
    }
    // This hub's tabs see it once, from the local echo, or from the server where it echoes.
    const isEcho = isFirst && !topic.capabilities.echoesToSender && this.#isNew(topic.entry, send.key)
    const result = await write(topic, send, isEcho)
    // Unknown fate (the socket went with the ack): kept, and sent again at the next join.
    if (result === 'timed out' || gen !== this.#gen) return false
    return this.#settle(topic, send, result === 'ok' ? 'ok' : 'error', result === 'ok' ? undefined : 'refused')
  }

  async #settle(topic: JoinedTopic, send: StoredSend, state: OutboxState, reason?: string): Promise<true> {
    await this.#store.remove(send).catch(() => undefined)
    this.#report(topic, send, state, reason)
    return true
  }

  #isNew(entry: Topic, key: string): boolean {
    const seen = this.#seen.get(entry) ?? new SeenKeys()
    this.#seen.set(entry, seen)
    return seen.isNew(key)
  }

  #report(topic: JoinedTopic, send: StoredSend, state: OutboxState, reason?: string): void {
    const { key, event, payload, at } = send
    topic.router.notify(topic.entry, reason === undefined ? { key, event, payload, state, at } : { key, event, payload, state, at, reason })
  }
}

function isJoined({ entry }: JoinedTopic): boolean {
  return entry.isJoined
}

/** Hands a stored send to the topic's channel, with its key; `isEcho`: the tabs of this hub see it now. */
function write({ entry, router, capabilities }: JoinedTopic, send: StoredSend, isEcho: boolean): Promise<SendResult> {
  const channel = entry.channel
  if (!channel || !entry.isJoined) return Promise.resolve('timed out')
  entry.countSent()
  if (isEcho) router.echo(entry, send.origin?.tabId ?? '', send.origin?.subId ?? '', send.event, send.payload)
  // With an ack where the server gives one: 'ok' then means the server has it, so it may be deleted.
  return channel.send(send.event, withKey(send.payload, send.key), capabilities.acks)
}
