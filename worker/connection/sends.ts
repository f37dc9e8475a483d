/**
 * What a connection's tabs write to the server: sends and tracks. Each is checked against the
 * transport's limits before it touches shared state, waits while its tab is held, and goes out at
 * once when its topic is joined, else through the bounded send queue (or the persisted outbox,
 * refused when the hub has none). The connection (connection.ts) hands a joined topic over here.
 */
import type { Json, Outgoing, SendOutcome, SendResult } from '../../src/contract/protocol.ts'
import { RelayError } from '../../src/contract/errors.ts'
import { checkSendFor, checkTrackFor } from '../../src/contract/limits.ts'
import { refusePersist } from '../persist/hooks.ts'
import type { Topic } from '../topic/topic.ts'
import type { TopicTable } from '../topic/table.ts'
import type { ChannelRouter } from '../topic/router.ts'
import type { PresenceKeeper } from '../topic/presence-keeper.ts'
import { notAdmitted, type Admission } from './admission.ts'
import { SendQueue, sendBytes } from './send-queue.ts'
import type { ConnectionDeps } from './deps.ts'
import type { Capabilities } from '../transports/transport.ts'

/**
 * One connection's sends and tracks.
 * @example
 * const sends = new Sends(deps, topics, router, auth.admission, presence, () => attemptEnded.promise)
 * await sends.send('tab-1', 's1', { type: 'broadcast', event: 'msg', payload: { n: 1 } }) // 'ok'
 */
export class Sends {
  readonly #deps: ConnectionDeps
  readonly #topics: TopicTable
  readonly #router: ChannelRouter
  readonly #admission: Admission
  readonly #lost: () => Promise<SendResult>
  readonly #queue: SendQueue<Topic>
  readonly #presence: PresenceKeeper

  /**
   * `presence`: the connection's keeper, which also forgets the tracks of tabs that leave; `lost`:
   * settles when the current attempt ends, so a send still waiting for its ack learns its fate.
   */
  constructor(deps: ConnectionDeps, topics: TopicTable, router: ChannelRouter, admission: Admission, presence: PresenceKeeper, lost: () => Promise<SendResult>) {
    this.#deps = deps
    this.#topics = topics
    this.#router = router
    this.#admission = admission
    this.#lost = lost
    this.#queue = new SendQueue(deps.clock, deps.sendQueue)
    this.#presence = presence
  }

  /** Sends waiting for their topic to be joined. */
  get queued(): number { return this.#queue.size }

  /**
   * Sends now when the topic is joined, else through the bounded send queue (flushed in order once
   * it is). Without a server echo (Supabase), the hub hands it to the topic's other channels here.
   */
  async send(tabId: string, subId: string, message: Outgoing): Promise<SendOutcome> {
    this.#refuse(tabId, (capabilities, where) => { checkSendFor(capabilities, where, message); refusePersist(this.#deps.stored, message) })
    const admission = this.#admission // a held tab never writes as the user (admission.ts)
    if (admission.isHeld(tabId)) await admission.admitted(tabId, this.#deps.joinWaitMs)
    const entry = this.#entryOf(tabId, subId)
    const payload = message.payload ?? {}
    const { capabilities } = this.#deps.transport
    const ack = capabilities.acks && (message.ack ?? entry.subOf(tabId, subId)?.config.broadcast?.ack === true)
    const write = (target: Topic): Promise<SendResult> => {
      if (!target.channel) return Promise.resolve('timed out')
      if (!admission.admits(tabId)) return Promise.reject(notAdmitted())
      target.countSent()
      if (!capabilities.echoesToSender) this.#router.echo(target, tabId, subId, message.event, payload)
      // An ack lost with its socket leaves the send's fate unknown: 'timed out', as supabase-js
      // says (never an error an app would retry on, duplicating it). Without an ack: 'ok' once written.
      return Promise.race([target.channel.send(message.event, payload, ack, message.persist), this.#lost()])
    }
    if (!entry.isJoined) {
      // Only a tab the server proved may persist a send: a stored send goes out later as the user.
      const stored = admission.admits(tabId) ? this.#deps.stored?.queue({ entry, router: this.#router, capabilities }, tabId, subId, message) : null
      return stored ?? this.#queue.push(entry.key, sendBytes(message.event, payload), write, tabId)
    }
    // Whatever still waits for this topic goes first: order is kept per topic.
    this.#queue.flush(entry.key, entry)
    return write(entry)
  }

  /** Records a tab's presence; the newest track of any tab is what the server holds. */
  async track(tabId: string, subId: string, meta: { [key: string]: Json }): Promise<SendResult> {
    this.#refuse(tabId, (capabilities, where) => checkTrackFor(capabilities, where, meta))
    const admission = this.#admission // a held tab's meta never goes out as the user's
    if (admission.isHeld(tabId)) await admission.admitted(tabId, this.#deps.joinWaitMs)
    const entry = this.#entryOf(tabId, subId)
    this.#presence.record(entry, tabId, meta)
    this.#topics.refresh(entry) // a track can enable presence: re-spec before the meta goes out
    if (!admission.admits(tabId)) await admission.admitted(tabId, this.#deps.joinWaitMs).catch((e: unknown) => { void this.untrack(tabId, subId); throw e })
    return this.#presence.apply(entry)
  }

  /** Withdraws a tab's track; another tab's newest track takes over, or the user is untracked. */
  async untrack(tabId: string, subId: string): Promise<SendResult> { return this.#presence.untrack(this.#entryOf(tabId, subId), tabId) }

  /** The topic is joined (again): stored sends, then queued ones, then the user's track go out. */
  joined(entry: Topic): void {
    this.#deps.stored?.joined({ entry, router: this.#router, capabilities: this.#deps.transport.capabilities })
    this.#queue.flush(entry.key, entry)
    entry.retrack()
  }

  /** Fails the sends waiting for one topic (`key`), or for all. */
  fail(key?: string): void { this.#queue.fail(key) }

  // The transport's limits, before a call touches shared state; a refusal is journaled, then thrown.
  #refuse(tabId: string, check: (capabilities: Capabilities, where: string) => void): void {
    try { check(this.#deps.transport.capabilities, `the '${this.#deps.target.transport}' transport`) } catch (error) { this.#deps.refused(tabId, error); throw error }
  }

  #entryOf(tabId: string, subId: string): Topic {
    const entry = this.#topics.find(tabId, subId)
    if (!entry) throw new RelayError('bad-input', `channel ${subId} is not subscribed; call subscribe() first`)
    return entry
  }
}
