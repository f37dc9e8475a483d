/**
 * Which tab host a tab believes, and under which name an app's tabs meet. Any page of the origin
 * can post a host announcement; only the page that holds the app's election lock is the host, and
 * it holds the liveness lock named by its key's fingerprint too. A page can forge the message,
 * not the lock manager's record of who holds what.
 */
import { PROTOCOL_VERSION } from '../contract/protocol.ts'
import type { HostAnnouncement } from '../contract/broadcast.ts'
import { aliveLock, type HostLocks } from './hosting.ts'
import { fingerprint } from '../contract/seal.ts'

/**
 * The channel and election lock name of an app (its worker's script URL and name) and this
 * protocol version: two apps of one origin elect two hosts, as they get two SharedWorkers.
 * @example
 * hostName('https://a.example/assets/realtime.worker-3f2a.js') // 'tabrelay-host-v3:https://a.example/…'
 */
export function hostName(app: string): string {
  return `tabrelay-host-v${PROTOCOL_VERSION}:${app}`
}

/**
 * Whether `host` is the elected host of the app `name`: its id is its key's fingerprint, and one
 * client holds both the election lock and the liveness lock of that id.
 * @example
 * if (await isElected(navigator.locks, name, announcement)) connectTo(announcement)
 */
export async function isElected(locks: HostLocks, name: string, host: HostAnnouncement): Promise<boolean> {
  try {
    if (await fingerprint(host.key) !== host.hostId) return false
    const { held = [] } = await locks.query()
    const holder = (lock: string): string | undefined => held.find((h) => h.name === lock)?.clientId
    const elected = holder(name)
    return elected !== undefined && elected === holder(aliveLock(name, host.hostId))
  } catch {
    return false
  }
}
