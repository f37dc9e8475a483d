/**
 * Contender 3, the common alternative: tabs elect a leader with the `broadcast-channel` package
 * (Web Locks mode wherever `navigator.locks` exists); the leader alone holds a supabase-js client
 * and relays over a BroadcastChannel. Followers announce their topics, receive relayed events and
 * send through the leader. When the leader goes, the next tab queued on the lock takes over and
 * joins again: what is broadcast meanwhile is lost, which is what the owner-close scenario shows.
 */
import { BroadcastChannel, createLeaderElection } from 'broadcast-channel'
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js'
import type { Contender, StartOptions } from './contract.ts'

type Wire =
  | { t: 'want'; topics: string[] }
  | { t: 'leader' }
  | { t: 'status'; topic: string; status: string }
  | { t: 'event'; topic: string; event: string; payload: unknown; from: string }
  | { t: 'send'; id: string; from: string; topic: string; event: string; payload: Record<string, unknown> }
  | { t: 'sent'; id: string; to: string; result: string }

const SEND_TIMEOUT_MS = 10_000

interface Joined {
  channel: RealtimeChannel
  status: string
}

/** The leader's side: one client, one channel per topic any tab wants, everything relayed. */
class Relay {
  #client: SupabaseClient
  #joined = new Map<string, Joined>()
  #post: (message: Wire) => void
  #local: (message: Wire) => void

  constructor(options: StartOptions, post: (message: Wire) => void, local: (message: Wire) => void) {
    this.#client = createClient(options.url, options.apikey)
    this.#post = post
    this.#local = local
  }

  ensure(topic: string): void {
    const known = this.#joined.get(topic)
    if (known !== undefined) {
      // A late tab learns the status at once, without waiting on the server.
      if (known.status === 'SUBSCRIBED') this.#post({ t: 'status', topic, status: known.status })
      return
    }
    const entry: Joined = { channel: this.#client.channel(topic), status: 'joining' }
    this.#joined.set(topic, entry)
    entry.channel
      .on('broadcast', { event: '*' }, (message) => this.#fanOut({ t: 'event', topic, event: message.event, payload: message.payload, from: '' }))
      .subscribe((status) => {
        entry.status = status
        this.#fanOut({ t: 'status', topic, status })
      })
  }

  async send(request: Extract<Wire, { t: 'send' }>): Promise<string> {
    const entry = this.#joined.get(request.topic)
    if (entry === undefined) return 'error'
    const result = await entry.channel.send({ type: 'broadcast', event: request.event, payload: request.payload })
    // The server does not echo to the sending socket, which every tab shares: relay it ourselves.
    this.#fanOut({ t: 'event', topic: request.topic, event: request.event, payload: request.payload, from: request.from })
    return result
  }

  async close(): Promise<void> {
    await this.#client.removeAllChannels()
  }

  #fanOut(message: Wire): void {
    this.#post(message)
    this.#local(message)
  }
}

/**
 * Joins the election and the relay; resolves once this tab's topics are SUBSCRIBED (via the leader).
 * @example
 * const tab = await start({ url, apikey, topics: ['a'], isExtendedLifetime: false, onEvent })
 */
export async function start(options: StartOptions): Promise<Contender> {
  const me = crypto.randomUUID()
  const bus = new BroadcastChannel<Wire>('bench-leader-relay')
  const elector = createLeaderElection(bus)
  const subscribed = new Set<string>()
  const pending = new Map<string, (result: string) => void>()
  let relay: Relay | undefined
  let markReady = (): void => {}
  const ready = new Promise<void>((resolve) => { markReady = resolve })
  const post = (message: Wire): void => { void bus.postMessage(message) }

  const onMessage = (message: Wire): void => {
    switch (message.t) {
      case 'event':
        if (message.from !== me && options.topics.includes(message.topic)) options.onEvent(message.topic, message.payload)
        return
      case 'status':
        if (message.status === 'SUBSCRIBED' && options.topics.includes(message.topic)) subscribed.add(message.topic)
        if (options.topics.every((t) => subscribed.has(t))) markReady()
        return
      case 'want':
        for (const topic of message.topics) relay?.ensure(topic)
        return
      case 'leader':
        post({ t: 'want', topics: options.topics })
        return
      case 'send':
        if (relay) void relay.send(message).then((result) => post({ t: 'sent', id: message.id, to: message.from, result }))
        return
      case 'sent':
        if (message.to === me) pending.get(message.id)?.(message.result)
        return
    }
  }
  bus.addEventListener('message', onMessage)

  void elector.awaitLeadership().then(() => {
    relay = new Relay(options, post, onMessage)
    for (const topic of options.topics) relay.ensure(topic)
    // Followers re-announce their topics to the new leader.
    post({ t: 'leader' })
  })
  post({ t: 'want', topics: options.topics })
  await ready

  return {
    async send(topic, event, payload) {
      const id = crypto.randomUUID()
      const request: Extract<Wire, { t: 'send' }> = { t: 'send', id, from: me, topic, event, payload }
      if (relay) return relay.send(request)
      return new Promise<string>((resolve) => {
        const timer = setTimeout(() => { pending.delete(id); resolve('timed out') }, SEND_TIMEOUT_MS)
        pending.set(id, (result) => { clearTimeout(timer); pending.delete(id); resolve(result) })
        post(request)
      })
    },
    isLeader: () => elector.isLeader,
    async close() {
      await relay?.close()
      await elector.die()
      await bus.close()
    },
  }
}
