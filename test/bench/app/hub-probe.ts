/**
 * The tail probe's hub (`tabrelay-probe.ts`): the default hub and Supabase transport, plus stamps
 * on every broadcast's payload: `frame` (the socket frame arrived in the worker), `hub`
 * (realtime-js decoded it and handed it to the hub), `drain` (the outbox flush that sends it to one
 * tab began) and `flush` (that tab's delivery frame was posted); besides them `task` (1 when that
 * flush waited for a task, the burst path, 0 for a microtask) and `rank` (the how-manyth tab the
 * message was posted to) and `postUs` (the mean time a `postMessage` call took in this worker so
 * far, µs). The bench's scored lanes never run it.
 */
import { nowMs } from './contract.ts'
import { restamped, frameAt, hopsOf, stamp, stampFrames } from './probe.ts'
import { serveHub } from '../../../worker/index.ts'
import type { ChannelHandlers, Transport } from '../../../worker/index.ts'
import { nextTask } from '../../../worker/tab/outbox.ts'
import { supabaseTransport } from '../../../worker/transports/supabase/index.ts'

stampFrames()

let drainAt = Number.NaN
let isTask = false
/** Runs an outbox flush, remembering when it began and which path scheduled it. */
const draining = (viaTask: boolean, fn: () => void) => (): void => {
  drainAt = nowMs()
  isTask = viaTask
  fn()
}

// Each tab's frame is its own (its JSON text parsed, stamped and written again here; a cloned
// batch is copied inside postMessage), so these stamps are this tab's even though every tab's
// delivery shares one payload object.
const post = MessagePort.prototype.postMessage
MessagePort.prototype.postMessage = function (this: MessagePort, original: unknown, ...rest: unknown[]): void {
  const message = restamped(original, (payload) => {
    stamp(payload, 'drain', drainAt)
    stamp(payload, 'task', isTask ? 1 : 0)
    stamp(payload, 'rank', (hopsOf(payload)['rank'] ?? 0) + 1)
    stamp(payload, 'flush', nowMs())
    stamp(payload, 'postUs', postCount === 0 ? 0 : (1000 * postTotal) / postCount)
  })
  const t0 = performance.now()
  Reflect.apply(post, this, [message, ...rest])
  postTotal += performance.now() - t0
  postCount += 1
}
let postTotal = 0
let postCount = 0

/**
 * The Supabase transport with the `frame` and `hub` stamps on every broadcast.
 * @example
 * serveHub({
  transports: { supabase: probed(supabaseTransport()) },
  // The hub's defaults (a microtask when the tab is idle, the next task in a burst), observed.
  immediate: (fn) => queueMicrotask(draining(false, fn)),
  schedule: (fn) => nextTask(draining(true, fn)),
})
 */
function probed<Spec>(inner: Transport<Spec>): Transport<Spec> {
  const stamped = (handlers: ChannelHandlers): ChannelHandlers => ({
    status: (status, error) => handlers.status(status, error),
    presence: (event, detail) => handlers.presence(event, detail),
    postgres: (keys, payload) => handlers.postgres(keys, payload),
    system: (payload) => handlers.system(payload),
    broadcast: (event, payload, meta) => {
      stamp(payload, 'frame', frameAt())
      stamp(payload, 'hub', nowMs())
      handlers.broadcast(event, payload, meta)
    },
  })
  return {
    capabilities: inner.capabilities,
    identify: (target, token) => inner.identify(target, token),
    key: (sub) => inner.key(sub),
    merge: (subs, hasTracks, current) => inner.merge(subs, hasTracks, current),
    covers: (current, wanted) => inner.covers(current, wanted),
    ...(inner.prefers === undefined ? {} : { prefers: (offered: string | null, current: string | null) => inner.prefers?.(offered, current) ?? true }),
    ...(inner.notice === undefined ? {} : { notice: (spec: Spec, sub: Parameters<Transport<Spec>['key']>[0]) => inner.notice?.(spec, sub) }),
    open(options) {
      const connection = inner.open(options)
      return {
        join: (key, spec, handlers) => connection.join(key, spec, stamped(handlers)),
        setAuth: (token) => connection.setAuth(token),
        close: () => connection.close(),
      }
    },
  }
}

serveHub({
  transports: { supabase: probed(supabaseTransport()) },
  // The hub's defaults (a microtask when the tab is idle, the next task in a burst), observed.
  immediate: (fn) => queueMicrotask(draining(false, fn)),
  schedule: (fn) => nextTask(draining(true, fn)),
})
