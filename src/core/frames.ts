/**
 * The tab's end of delivery frames: the hub posts each batch on the tab's endpoint as a numbered
 * {@link DeliveryFrame} (JSON text built once for every tab, not a Comlink call with a clone of
 * the objects per tab); the tab reads it and, when the frame asks, answers with a
 * {@link DeliveryAck}, the hub's back-pressure. Only the hub holds the other end of this endpoint
 * (a SharedWorker port, a Worker, a sealed tab host link), yet what arrives is still read as
 * untrusted: a frame that is not a bounded array of deliveries is dropped (and acked, so the
 * hub's window moves on).
 */
import type { Endpoint } from 'comlink'
import type { Delivery, DeliveryAck, DeliveryFrame } from '../contract/protocol.ts'

/** Most deliveries one frame may carry (the hub's batches hold 512 by default). */
const MAX_BATCH = 10_000
// The fields the tab routes by; a kind no member knows is ignored by the member.
function isDelivery(value: unknown): value is Delivery {
  const delivery = value as Partial<Delivery> | null
  return typeof delivery?.kind === 'string' && Array.isArray(delivery.subIds) && delivery.subIds.every((id) => typeof id === 'string')
}

/**
 * Reads the delivery frames arriving on `endpoint`, hands each well-formed batch to `deliver`
 * and acks the frames that ask for it.
 * @example
 * receiveFrames(link.endpoint, (batch) => client.deliver(batch))
 */
export function receiveFrames(endpoint: Endpoint, deliver: (batch: Delivery[]) => void): void {
  endpoint.addEventListener('message', ((event: MessageEvent) => {
    const frame = event.data as Partial<DeliveryFrame> | null
    if (frame?.frame !== 'deliver') return
    try {
      const batch: unknown = typeof frame.batch === 'string' ? JSON.parse(frame.batch) : frame.batch
      if (Array.isArray(batch) && batch.length <= MAX_BATCH && batch.every(isDelivery)) deliver(batch)
    } catch {
      // Not JSON: dropped, as any other malformed frame.
    }
    if (frame.ack === true && typeof frame.seq === 'number') endpoint.postMessage({ frame: 'ack', seq: frame.seq } satisfies DeliveryAck)
  }) as EventListener)
}
