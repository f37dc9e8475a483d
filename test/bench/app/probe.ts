/**
 * The tail probe's stamps (`npm run bench -- --tail`, test/bench/tail.ts): where a fan-out message's
 * time goes on its way to a tab's callback. Each hop writes its time into the message's payload
 * (`payload.hops`), which the hub forwards untouched, so the tab reads every stamp beside its own.
 * Runs in pages and in the probe worker (`hub-probe.ts`); never in the contenders the bench scores.
 */
import { nowMs } from './contract.ts'

/**
 * A message's stamps by hop name, `nowMs()` at each (one machine, one clock).
 * @example
 * const hops: Hops = { frame: 1_700_000_000_001.2, hub: 1_700_000_000_001.3 }
 */
export type Hops = Record<string, number>

let lastFrameAt = Number.NaN

/**
 * Stamps every WebSocket frame's arrival (before the client library decodes it), readable with
 * {@link frameAt} while that frame's handlers run: realtime-js decodes and dispatches a frame
 * synchronously in its `onmessage` (binaryType `arraybuffer`).
 * @example
 * stampFrames(); // then, inside a broadcast handler: frameAt()
 */
export function stampFrames(): void {
  const proto = WebSocket.prototype
  const property = Object.getOwnPropertyDescriptor(proto, 'onmessage')
  const set = property?.set
  if (property === undefined || set === undefined) return
  Object.defineProperty(proto, 'onmessage', {
    ...property,
    set(this: WebSocket, handler: ((event: MessageEvent) => void) | null) {
      set.call(this, handler === null ? null : (event: MessageEvent) => { lastFrameAt = nowMs(); handler.call(this, event) })
    },
  })
}

/**
 * The arrival time of the WebSocket frame being handled now (see {@link stampFrames}).
 * @example
 * const at = frameAt()
 */
export function frameAt(): number {
  return lastFrameAt
}

/**
 * The stamps a payload carries, or an empty record.
 * @example
 * hopsOf({ seq: 1, hops: { frame: 10 } }).frame // 10
 */
export function hopsOf(payload: unknown): Hops {
  if (typeof payload !== 'object' || payload === null || !('hops' in payload)) return {}
  const hops: unknown = payload.hops
  if (typeof hops !== 'object' || hops === null) return {}
  const out: Hops = {}
  for (const [name, at] of Object.entries(hops)) if (typeof at === 'number') out[name] = at
  return out
}

/**
 * Adds `name: at` to the payload's stamps (creating them); a payload that is no object is left alone.
 * @example
 * stamp(payload, 'hub', nowMs())
 */
export function stamp(payload: unknown, name: string, at: number): void {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return
  const record = payload as { hops?: Hops }
  record.hops = { ...record.hops, [name]: at }
}

/**
 * Stamps `port` on the tick payloads of every Comlink `deliver` call as this endpoint's message
 * event starts, i.e. when the tab's event loop takes the worker's message: its wait in the queue
 * is then `port − flush`, its dispatch down to the callback `callback − port`.
 * @example
 * stampPortArrivals()
 */
export function stampPortArrivals(): void {
  const add = MessagePort.prototype.addEventListener
  MessagePort.prototype.addEventListener = function (this: MessagePort, type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions) {
    if (type !== 'message') return add.call(this, type, listener, options)
    const wrapped = (event: Event): void => {
      if (event instanceof MessageEvent) eachDelivered(event.data, (payload) => stamp(payload, 'port', nowMs()))
      if (typeof listener === 'function') listener.call(this, event)
      else listener.handleEvent(event)
    }
    return add.call(this, type, wrapped, options)
  }
}

/**
 * Calls `each` with the payload of every broadcast in a Comlink `deliver` call's batch (its wire
 * form: `{ type: 'APPLY', path: ['deliver'], argumentList: [{ type: 'RAW', value: batch }] }`).
 * @example
 * eachDelivered(message, (payload) => stamp(payload, 'flush', nowMs()))
 */
export function eachDelivered(message: unknown, each: (payload: unknown) => void): void {
  if (typeof message !== 'object' || message === null) return
  const call = message as { type?: unknown; path?: unknown; argumentList?: unknown }
  if (call.type !== 'APPLY' || !Array.isArray(call.path) || call.path[0] !== 'deliver' || !Array.isArray(call.argumentList)) return
  const first: unknown = call.argumentList[0]
  const batch: unknown = typeof first === 'object' && first !== null && 'value' in first ? first.value : undefined
  if (!Array.isArray(batch)) return
  for (const delivery of batch) {
    if (typeof delivery === 'object' && delivery !== null && 'payload' in delivery) each(delivery.payload)
  }
}
