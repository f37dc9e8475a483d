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
 * Stamps `port` on the tick payloads of every delivery frame as this endpoint's message event
 * starts, i.e. when the tab's event loop takes the worker's message: its wait in the queue is then
 * `port − flush`, its dispatch down to the callback `callback − port`. A frame's JSON text is
 * parsed, stamped and written again for the listener (a cost the scored lanes never pay).
 * @example
 * stampPortArrivals()
 */
export function stampPortArrivals(): void {
  const add = MessagePort.prototype.addEventListener
  MessagePort.prototype.addEventListener = function (this: MessagePort, type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions) {
    if (type !== 'message') return add.call(this, type, listener, options)
    const wrapped = (event: Event): void => {
      const data = event instanceof MessageEvent ? restamped(event.data, (payload) => stamp(payload, 'port', nowMs())) : undefined
      const seen = event instanceof MessageEvent && data !== event.data ? new MessageEvent('message', { data }) : event
      if (typeof listener === 'function') listener.call(this, seen)
      else listener.handleEvent(seen)
    }
    return add.call(this, type, wrapped, options)
  }
}

/**
 * Calls `each` with the payload of every broadcast in a delivery frame (`{ frame: 'deliver', seq,
 * batch }`, the batch JSON text or the deliveries) and returns the message to pass on: a frame
 * whose batch is text comes back with the stamped text, anything else as it was.
 * @example
 * const message = restamped(frame, (payload) => stamp(payload, 'flush', nowMs()))
 */
export function restamped(message: unknown, each: (payload: unknown) => void): unknown {
  if (typeof message !== 'object' || message === null) return message
  const frame = message as { frame?: unknown; batch?: unknown }
  if (frame.frame !== 'deliver') return message
  const batch: unknown = typeof frame.batch === 'string' ? JSON.parse(frame.batch) : frame.batch
  if (!Array.isArray(batch)) return message
  for (const delivery of batch) {
    if (typeof delivery === 'object' && delivery !== null && 'payload' in delivery) each(delivery.payload)
  }
  return typeof frame.batch === 'string' ? { ...frame, batch: JSON.stringify(batch) } : message
}
