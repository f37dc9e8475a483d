/**
 * The rig of the suites that run real tab clients against a real hub over Node's MessageChannel:
 * cleanup steps run after each test (newest first), and `workerOf(hub)` is the `worker` option of a
 * client, each call a new port pair accepted by the hub and closed after the test.
 */
import { afterEach } from 'vitest'
import { acceptTab } from '../../../worker/hosts/endpoint.ts'
import type { Hub } from '../../../worker/hub.ts'

/** Steps to run after the current test, newest first. */
export const cleanup: Array<() => Promise<unknown> | void> = []

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

/**
 * A client's `worker` option for `hub`: each call opens a port pair the hub accepts.
 * @example
 * const relay = createRelay({ worker: workerOf(createHub({ transports })), target, token })
 */
export function workerOf(hub: Hub): () => MessagePort {
  return () => {
    const { port1, port2 } = new MessageChannel()
    acceptTab(hub, port1)
    cleanup.push(() => { port1.close(); port2.close() })
    return port2
  }
}
