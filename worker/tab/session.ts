/**
 * One tab's end of the port: implements {@link HubApi} for the tab that said hello, so the worker
 * always knows the caller and a tab can only act for itself.
 */
import type { ChannelSnapshot, Heartbeat, HeartbeatAck, HubApi, HubInspection, HubStats, Outgoing, SendOutcome, SendResult, Subscription, TabHello, Welcome, Json } from '../../src/contract/protocol.ts'
import { RelayError } from '../../src/contract/errors.ts'
import type { Hub } from '../hub.ts'
import type { SinkLink } from '../hosts/sink-link.ts'
import { checkHeartbeat, checkHello, checkIdentity, checkMeta, checkOutgoing, checkSubscription, checkToken } from '../../src/contract/validate.ts'

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new RelayError('bad-input', `${what} must be a non-empty string`)
  return value
}

/**
 * The per-endpoint implementation of {@link HubApi}; `openSink` gives the tab's {@link TabSink} on
 * the same endpoint (a Comlink remote), afresh for each hello, with how the hub lets go of it.
 * @example
 * exposeOnly(new TabSession(hub, () => sinkOn(port)), HUB_METHODS, port)
 */
export class TabSession implements HubApi {
  readonly #hub: Hub
  readonly #openSink: () => SinkLink
  #tabId: string | null = null

  constructor(hub: Hub, openSink: () => SinkLink) {
    this.#hub = hub
    this.#openSink = openSink
  }

  async hello(tab: TabHello): Promise<Welcome> {
    const hello = checkHello(tab)
    // A port says hello once; a second hello for another tab id would let one tab act for another.
    if (this.#tabId !== null && this.#tabId !== hello.tabId) throw new RelayError('bad-input', 'this port already belongs to another tab')
    this.#tabId = hello.tabId
    // A sink per hello: the hub releases the previous one when it forgets the tab (a hello again
    // after a timeout is a new registration on the same port).
    const { sink, release } = this.#openSink()
    try {
      return this.#hub.hello(hello, sink, release)
    } catch (error) {
      release()
      throw error
    }
  }

  async join(sub: Subscription): Promise<ChannelSnapshot> {
    return this.#hub.join(this.#tab(), checkSubscription(sub))
  }

  async leave(subId: string): Promise<void> {
    this.#hub.leave(this.#tab(), text(subId, 'subId'))
  }

  // Sends, tracks and untracks go to the send path of the tab's connection (`connectionOf` only looks it up).
  async send(subId: string, message: Outgoing): Promise<SendOutcome> {
    const tabId = this.#tab()
    const [id, checked] = [text(subId, 'subId'), checkOutgoing(message)]
    return this.#hub.connectionOf(tabId).sends.send(tabId, id, checked)
  }

  async track(subId: string, meta: { [key: string]: Json }): Promise<SendResult> {
    const tabId = this.#tab()
    const [id, checked] = [text(subId, 'subId'), checkMeta(meta)]
    return this.#hub.connectionOf(tabId).sends.track(tabId, id, checked)
  }

  async untrack(subId: string): Promise<SendResult> {
    const tabId = this.#tab()
    return this.#hub.connectionOf(tabId).sends.untrack(tabId, text(subId, 'subId'))
  }

  async setAuth(token: string | null, identity?: string | null): Promise<void> {
    // The same caps as hello's: a token or identity hello would refuse is refused here too.
    await this.#hub.setAuth(this.#tab(), checkToken(token), identity === undefined ? undefined : checkIdentity(identity))
  }

  async heartbeat(beat: Heartbeat): Promise<HeartbeatAck> {
    const tabId = this.#tabId
    // An unknown tab is told so (known: false) instead of an error: it then says hello again.
    if (tabId === null) return { workerId: this.#hub.workerId, known: false, isLeader: false }
    return this.#hub.heartbeat(tabId, checkHeartbeat(beat))
  }

  async reconnect(): Promise<void> {
    await this.#hub.reconnect(this.#tab())
  }

  async stats(): Promise<HubStats> {
    return this.#hub.stats(this.#tab())
  }

  async inspect(since?: number): Promise<HubInspection> {
    // `since` is checked by the devtools plug-in: a worker without it carries no such code.
    return this.#hub.inspect(this.#tab(), since)
  }

  async bye(): Promise<void> {
    if (this.#tabId !== null) this.#hub.bye(this.#tabId)
  }

  #tab(): string {
    if (this.#tabId === null) throw new RelayError('closed', 'say hello() before anything else')
    return this.#tabId
  }
}
