/**
 * A hand-written transport of another shape than Supabase's, with its in-memory server: the server
 * echoes every message to every subscriber of the topic, the sender's own socket included (as a
 * Django Channels `group_send` does), has no presence, no postgres_changes, no private topics and
 * no acks. The core transport contract must pass against it, so the contract does not assume
 * Supabase's shape.
 */
import type { Json, Subscription } from '../../../src/contract/protocol.ts'
import { defaultIdentity } from '../../../worker/connection/claims.ts'
import type { ChannelHandlers, OpenOptions, Transport, TransportChannel, TransportConnection } from '../../../worker/transports/transport.ts'

// Every server delivery happens in a later task, as a real socket's would.
const later = (fn: () => void): void => { setTimeout(fn, 0) }

/** The in-memory server: sockets, their subscriptions, and drops. */
export class EchoServer {
  readonly #sockets = new Set<EchoSocket>()
  #isDown = false

  get connections(): number {
    return this.#sockets.size
  }

  /** Drops every socket and refuses new ones until {@link EchoServer.up}: the server is unreachable. */
  down(): void {
    this.#isDown = true
    this.dropAll()
  }

  up(): void {
    this.#isDown = false
  }

  connect(socket: EchoSocket): void {
    if (this.#isDown) {
      later(() => socket.dropped())
      return
    }
    this.#sockets.add(socket)
    later(() => socket.opened())
  }

  disconnect(socket: EchoSocket): void {
    this.#sockets.delete(socket)
  }

  publish(topic: string, event: string, payload: Json): void {
    for (const socket of this.#sockets) later(() => socket.receive(topic, event, payload))
  }

  dropAll(): void {
    for (const socket of [...this.#sockets]) {
      this.#sockets.delete(socket)
      later(() => socket.dropped())
    }
  }
}

/** The server's view of one attempt. */
interface EchoSocket {
  opened(): void
  dropped(): void
  receive(topic: string, event: string, payload: Json): void
}

interface EchoSpec {
  topic: string
}

class EchoAttempt implements TransportConnection<EchoSpec>, EchoSocket {
  readonly #server: EchoServer
  readonly #options: OpenOptions
  readonly #channels = new Map<EchoChannel, string>()
  #isDone = false

  constructor(server: EchoServer, options: OpenOptions) {
    this.#server = server
    this.#options = options
    server.connect(this)
  }

  opened(): void {
    if (!this.#isDone) this.#options.events.open()
  }

  dropped(): void {
    if (this.#isDone) return
    this.#isDone = true
    this.#options.events.closed({ kind: 'retry', error: { code: 'transport', message: 'dropped by the echo server' } })
  }

  receive(topic: string, event: string, payload: Json): void {
    if (this.#isDone) return
    for (const [channel, name] of this.#channels) if (name === topic) channel.handlers.broadcast(event, payload)
  }

  join(_key: string, spec: EchoSpec, handlers: ChannelHandlers): TransportChannel {
    const channel = new EchoChannel(spec.topic, handlers, (event, payload) => this.#server.publish(spec.topic, event, payload), () => this.#channels.delete(channel))
    this.#channels.set(channel, spec.topic)
    later(() => { if (this.#channels.has(channel)) handlers.status('SUBSCRIBED') })
    return channel
  }

  async setAuth(): Promise<void> {
    // Tokens go in the connect URL of such servers; a new one takes the next attempt.
  }

  async close(): Promise<void> {
    this.#isDone = true
    this.#channels.clear()
    this.#server.disconnect(this)
  }
}

class EchoChannel implements TransportChannel {
  readonly handlers: ChannelHandlers
  readonly #publish: (event: string, payload: Json) => void
  readonly #remove: () => void

  constructor(_topic: string, handlers: ChannelHandlers, publish: (event: string, payload: Json) => void, remove: () => void) {
    this.handlers = handlers
    this.#publish = publish
    this.#remove = remove
  }

  async send(event: string, payload: Json): Promise<'ok'> {
    this.#publish(event, payload)
    return 'ok'
  }

  async close(): Promise<void> {
    this.#remove()
  }
}

/**
 * The echo transport over `server`.
 * @example
 * const server = new EchoServer(); serveHub({ transports: { echo: echoTransport(server) } })
 */
export function echoTransport(server: EchoServer): Transport<EchoSpec> {
  return {
    capabilities: {
      presence: false, postgresChanges: false, privateTopics: false, acks: false, echoesToSender: true,
      maxTopicBytes: 100, maxEventBytes: 50, maxPayloadBytes: 64 * 1024,
    },
    identify: (target, token) => defaultIdentity(target, token, { claim: ['user_id', 'sub'] }),
    key: (sub: Subscription) => sub.topic,
    merge: (subs: readonly Subscription[]) => ({ topic: subs[0]?.topic ?? '' }),
    covers: () => true,
    open: (options: OpenOptions) => new EchoAttempt(server, options),
  }
}
