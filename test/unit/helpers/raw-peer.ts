/**
 * A peer that speaks Comlink's wire format by hand, as an attacker page would: any message, any
 * path, any argument type, and every answer it gets back.
 */
import { relayErrorOf } from '../../../src/contract/replies.ts'
import type { WireError } from '../../../src/contract/protocol.ts'

type Message = Record<string, unknown>

/**
 * Raw Comlink messages over one end of a MessageChannel.
 * @example
 * const peer = new RawPeer(port2); const reply = await peer.request({ type: 'GET', path: [] })
 */
export class RawPeer {
  readonly port: MessagePort
  /** Every message the other side posted, in order. */
  readonly received: Message[] = []
  #seq = 0
  readonly #waiting = new Map<string, (reply: Message) => void>()

  constructor(port: MessagePort) {
    this.port = port
    port.addEventListener('message', (event) => {
      const data = (event as MessageEvent<Message>).data
      this.received.push(data)
      const id = typeof data === 'object' && data !== null ? data['id'] : undefined
      if (typeof id === 'string') this.#waiting.get(id)?.(data)
    })
    port.start()
  }

  /** The answers received (the other side's own requests, on a shared port, left out). */
  get answers(): Message[] {
    return this.received.filter((m) => typeof m === 'object' && m !== null && (m['type'] === 'RAW' || m['type'] === 'HANDLER'))
  }

  /** Posts `message` as it is (no id added). */
  post(message: unknown, transfer: Transferable[] = []): void {
    this.port.postMessage(message, transfer)
  }

  /** Posts `message` with a fresh id; resolves with the answer, rejects after 2 s without one. */
  request(message: Message, transfer: Transferable[] = []): Promise<Message> {
    const id = `raw-${++this.#seq}`
    return new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${JSON.stringify(message).slice(0, 80)}`)), 2_000)
      this.#waiting.set(id, (reply) => { clearTimeout(timer); this.#waiting.delete(id); resolve(reply) })
      this.post({ ...message, id }, transfer)
    })
  }

  /** The RelayError an answer carries, or `null` when it is not one. */
  static errorOf(reply: Message): WireError | null {
    return relayErrorOf(reply)
  }
}

/**
 * The attacks the issue names, as raw requests: code through constructor paths, prototype writes,
 * reads of internals, a second endpoint, and method calls on odd paths.
 * @example
 * for (const [what, message] of ATTACKS) expect(RawPeer.errorOf(await peer.request(message))).toMatchObject({ code: 'bad-input' })
 */
export const ATTACKS: ReadonlyArray<[string, Message]> = [
  ['CONSTRUCT constructor.constructor', { type: 'CONSTRUCT', path: ['constructor', 'constructor'], argumentList: [{ type: 'RAW', value: 'globalThis.tabrelayPwned = 1' }] }],
  ['CONSTRUCT hello.constructor', { type: 'CONSTRUCT', path: ['hello', 'constructor'], argumentList: [{ type: 'RAW', value: 'globalThis.tabrelayPwned = 2' }] }],
  ['APPLY constructor.constructor', { type: 'APPLY', path: ['constructor', 'constructor'], argumentList: [{ type: 'RAW', value: 'globalThis.tabrelayPwned = 3' }] }],
  ['SET constructor.prototype.hello', { type: 'SET', path: ['constructor', 'prototype', 'hello'], value: { type: 'RAW', value: 'broken' } }],
  ['SET __proto__.tabrelayPolluted', { type: 'SET', path: ['__proto__', 'tabrelayPolluted'], value: { type: 'RAW', value: true } }],
  ['GET the whole object', { type: 'GET', path: [] }],
  ['GET constructor', { type: 'GET', path: ['constructor'] }],
  ['GET hello', { type: 'GET', path: ['hello'] }],
  ['ENDPOINT', { type: 'ENDPOINT' }],
  ['APPLY toString', { type: 'APPLY', path: ['toString'], argumentList: [] }],
  ['APPLY __proto__', { type: 'APPLY', path: ['__proto__'], argumentList: [] }],
  ['APPLY hello.call', { type: 'APPLY', path: ['hello', 'call'], argumentList: [{ type: 'RAW', value: null }] }],
  ['APPLY with no path', { type: 'APPLY', argumentList: [] }],
  ['APPLY stats with a HANDLER argument', { type: 'APPLY', path: ['stats'], argumentList: [{ type: 'HANDLER', name: 'throw', value: { isError: false, value: 'x' } }] }],
  ['APPLY stats with an argument list that is not a list', { type: 'APPLY', path: ['stats'], argumentList: 'x' }],
]

/** Messages that are not Comlink requests, or not answerable: ignored, never answered. */
export const MALFORMED: readonly unknown[] = [
  null, 'APPLY', 42, [], { type: 'APPLY', path: ['stats'] }, { id: 7, type: 'APPLY', path: ['stats'] },
  { id: 'x'.repeat(200), type: 'APPLY', path: ['stats'] }, { id: 'm-1', type: 'BOGUS', path: ['stats'] },
  { id: 'm-2', type: 'RAW', value: 'a reply nobody asked for' },
]
