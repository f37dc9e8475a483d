/**
 * What every app-facing client object (`createRelay()`, `createSharedRealtime()`) says about the
 * shared connection: its status, this tab's leader flag, the worker's id and newer deploys. One
 * class both extend, so the two public clients answer these the same way.
 */
import type { ConnectionStatus, StatusEvent } from '../contract/protocol.ts'
import type { HubClient } from './client.ts'
import type { UpdateInfo } from './deploy.ts'

/**
 * The connection as an app object shows it, read from the tab's {@link HubClient}.
 * @example
 * class MyClient extends HubView { constructor(client: HubClient) { super(client) } }
 * new MyClient(client).onStatus((status) => banner(status))
 */
export class HubView {
  readonly #client: HubClient

  constructor(client: HubClient) {
    this.#client = client
  }

  get status(): ConnectionStatus { return this.#client.status }
  get isLeader(): boolean { return this.#client.isLeader }
  get workerId(): string { return this.#client.workerId }
  get updateAvailable(): UpdateInfo | null { return this.#client.updateAvailable }

  onStatus(listener: (status: ConnectionStatus, detail: StatusEvent) => void): () => void {
    return this.#client.onStatus(listener)
  }

  onLeaderChange(listener: (isLeader: boolean) => void): () => void {
    return this.#client.onLeaderChange(listener)
  }

  onUpdateAvailable(listener: (info: UpdateInfo) => void): () => void {
    return this.#client.onUpdateAvailable(listener)
  }
}
