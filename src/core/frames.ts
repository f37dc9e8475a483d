/**
 * The tab's end of delivery frames: the hub posts each batch on the tab's endpoint as a numbered
 * {@link DeliveryFrame} (JSON text built once for every tab, not a Comlink call with a clone of
 * the objects per tab); the tab reads it and answers with a {@link DeliveryAck}, which is the
 * hub's back-pressure. Only the hub holds the other end of this endpoint (a SharedWorker port, a
 * Worker, a sealed tab host link), yet what arrives is still read as untrusted: a frame that is
 * not a bounded array of deliveries is dropped (and acked, so the hub's window moves on).
 */
import type { Endpoint } from 'comlink'
import type { Delivery, DeliveryAck, DeliveryFrame } from '../contract/protocol.ts'

/** Most deliveries one frame may carry (the hub's batches hold 512 by default). */
const MAX_BATCH = 10_000
const KINDS: ReadonlySet<unknown> = new Set(['broadcast', 'presence', 'postgres_changes', 'system', 'channel'])

function isDelivery(value: unknown): value is Delivery {
  const delivery = value as Partial<Delivery> | null
  return typeof delivery === 'object' && delivery !== null && KINDS.has(delivery.kind) && Array.isArray(delivery.subIds) && delivery.subIds.every((id) => typeof id === 'string')
}

/** The deliveries of a frame, or `null` when it is no well-formed batch. */
function batchOf(batch: unknown): Delivery[] | null {
  let value = batch
  if (typeof batch === 'string') {
    try {
      value = JSON.parse(batch)
    } catch {
      return null
    }
  }
  return Array.isArray(value) && value.length <= MAX_BATCH && value.every(isDelivery) ? value : null
}

/**
 * Reads the delivery frames arriving on `endpoint`, hands each batch to `deliver` and acks it.
 * @example
 * receiveFrames(link.endpoint, (batch) => client.deliver(batch))
 */
export function receiveFrames(endpoint: Endpoint, deliver: (batch: Delivery[]) => void): void {
  endpoint.addEventListener('message', ((event: MessageEvent) => {
    const frame = event.data as Partial<DeliveryFrame> | null
    if (typeof frame !== 'object' || frame === null || frame.frame !== 'deliver' || typeof frame.seq !== 'number') return
    const batch = batchOf(frame.batch)
    try {
      if (batch) deliver(batch)
    } finally {
      if (frame.ack === true) endpoint.postMessage({ frame: 'ack', seq: frame.seq } satisfies DeliveryAck)
    }
  }) as EventListener)
}
