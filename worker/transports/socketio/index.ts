/**
 * Socket.IO as a tabrelay transport, on the unmodified `socket.io-client`: ONE Socket.IO connection
 * per identity for every tab, topics as rooms joined through the app's join/leave events, sends as
 * emits (with the server's ack where a tab asks for one), and connection-state recovery across the
 * hub's attempts, so a short drop loses nothing and tabs get a `resync` only when the server could
 * not recover. Written against the public `tabrelay/worker` entry alone.
 */
import { io, type Socket } from 'socket.io-client'
import { ByTopic, defaultIdentity, type Capabilities, type ConnectionTarget, type IdentityClaim, type Json, type OpenOptions, type Transport, type TransportConnection } from '../../index.ts'
import { SocketIoAttempt } from './attempt.ts'
import { resolveOptions, type SocketIoSettings, type SocketIoSpec, type SocketIoTransportOptions } from './options.ts'

export type { SocketIoCall, SocketIoRouted, SocketIoSpec, SocketIoTransportOptions } from './options.ts'

/**
 * What a Socket.IO server offers unless the app says otherwise: acks, no echo to the sender
 * (`socket.to(room).emit`), no presence, postgres_changes or private topics; 1 MB is the server's
 * default `maxHttpBufferSize`.
 */
export const SOCKETIO_CAPABILITIES: Capabilities = {
  presence: false, postgresChanges: false, privateTopics: false, acks: true, echoesToSender: false,
  maxTopicBytes: 256, maxEventBytes: 64, maxPayloadBytes: 1_000_000,
}

/**
 * Who a token belongs to: the hub's one rule (`defaultIdentity`) with this transport's claim. An
 * explicit identity (cookie auth) wins, no token is anonymous, a JWT with the claim is that user
 * (claim name and JSON type included: `user_id` 42 is not `sub` "42"), and any other token is its
 * own identity, keyed by a digest, never a shared anonymous one.
 * @example
 * socketioIdentity({ transport: 'socketio', endpoint, params: {}, identity: null }, jwt, 'user_id') // 'user_id:42'
 */
export function socketioIdentity(target: ConnectionTarget, token: string | null, claim: IdentityClaim): string {
  return defaultIdentity(target, token, { claim })
}

class SocketIoTransport extends ByTopic implements Transport<SocketIoSpec> {
  readonly capabilities: Capabilities
  readonly #settings: SocketIoSettings
  // The hub's `memory` is one Map per connection that outlives its attempts: the connection's
  // Socket lives here, so its session id and last offset (private to socket.io-client) are resent.
  readonly #sockets = new WeakMap<Map<string, Json>, Socket>()

  constructor(options: SocketIoTransportOptions) {
    super()
    this.#settings = resolveOptions(options)
    this.capabilities = { ...SOCKETIO_CAPABILITIES, ...options.capabilities }
  }

  identify(target: ConnectionTarget, token: string | null): string {
    return socketioIdentity(target, token, this.#settings.identityClaim)
  }

  open(options: OpenOptions): TransportConnection<SocketIoSpec> {
    let socket = this.#sockets.get(options.memory)
    if (!socket) {
      // forceNew: io() would otherwise share one Manager (one engine connection) per URL, and
      // with it one user's auth, between the connections of two identities.
      socket = io(options.target.endpoint, { transports: ['websocket'], ...this.#settings.socket, forceNew: true, reconnection: false, autoConnect: false })
      this.#sockets.set(options.memory, socket)
    }
    return new SocketIoAttempt(socket, options, this.#settings)
  }
}

/**
 * The Socket.IO transport; name it in the worker's `serveHub({ transports })`. The tab's
 * `endpoint` is the Socket.IO URL (with its namespace), its token goes in `auth.token`.
 * @example
 * // relay.worker.ts
 * import { serveHub } from 'tabrelay/worker'
 * import { socketioTransport } from 'tabrelay/worker/socketio'
 * serveHub({ transports: { socketio: socketioTransport({ identityClaim: 'sub' }) } })
 * // tab: createRelay({ transport: 'socketio', endpoint: 'https://chat.example.com', accessToken, worker })
 */
export function socketioTransport(options: SocketIoTransportOptions = {}): Transport<SocketIoSpec> {
  return new SocketIoTransport(options)
}
