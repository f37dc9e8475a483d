/**
 * What counts as an event, defined once for the tab and the hub: a broadcast or a database
 * change. Events are what a `resync` backfills, so they alone move a topic's `since` (the time of
 * its last event, or of its first join when none came). A channel's status and presence are state
 * (the latest value is all a tab needs, and presence arrives whole), and system messages are
 * neither. Compiles under the DOM and the WebWorker libs.
 */
import type { Delivery } from './protocol.ts'

/**
 * A delivery that is an event.
 * @example
 * const event: EventDelivery = { kind: 'broadcast', subIds: ['s1'], event: 'msg', payload: {} }
 */
export type EventDelivery = Extract<Delivery, { kind: 'broadcast' | 'postgres_changes' }>

/**
 * Whether deliveries of this kind are events.
 * @example
 * isEventKind('broadcast') // true
 * isEventKind('presence') // false
 */
export function isEventKind(kind: Delivery['kind']): kind is EventDelivery['kind'] {
  return kind === 'broadcast' || kind === 'postgres_changes'
}

/**
 * Whether a delivery is an event (it moves `since`; a `resync` backfills it).
 * @example
 * if (isEvent(delivery)) since = clock.now()
 */
export function isEvent(delivery: Delivery): delivery is EventDelivery {
  return isEventKind(delivery.kind)
}
