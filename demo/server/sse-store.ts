/**
 * The channels of the SSE endpoint: a bounded message buffer per channel for resumes, the open
 * streams per channel, and the message ids. One owner of that state; sse.ts only routes HTTP to it.
 *
 * Ids are `<epoch>-<seq>`: one sequence for the whole endpoint, so one id says "everything after
 * this" for any set of channels, and a multiplexed stream resumes with the last id it saw whatever
 * channels it names. Clients must treat ids as opaque (nchan's look different).
 */

/**
 * One published message.
 *
 * @example
 * const m: SseMessage = { seq: 1, id: 'lx2k-1', channel: 'room', data: '{"text":"hi"}' }
 */
export interface SseMessage {
  seq: number
  id: string
  channel: string
  data: string
}

/**
 * Where a new stream starts: only new messages, everything buffered, or after a sequence number.
 *
 * @example
 * const start: Cursor = { after: 41 }
 */
export type Cursor = 'newest' | 'oldest' | { after: number }

/**
 * Receives the messages of the channels it subscribed to, in publish order.
 *
 * @example
 * const listener: Listener = (message) => stream.send(message)
 */
export type Listener = (message: SseMessage) => void

interface Channel {
  messages: SseMessage[]
  listeners: Set<Listener>
}

/**
 * The channel table of one endpoint.
 *
 * @example
 * const store = new SseStore({ bufferLength: 100, maxChannels: 1000 })
 * store.publish('room', 'hi') // { message: { id: 'lx2k-1', … }, subscribers: 0, buffered: 1 }
 */
export class SseStore {
  readonly #bufferLength: number
  readonly #maxChannels: number
  readonly #epoch = Date.now().toString(36)
  readonly #channels = new Map<string, Channel>()
  #seq = 0
  #published = 0

  constructor(options: { bufferLength: number; maxChannels: number }) {
    this.#bufferLength = Math.max(0, options.bufferLength)
    this.#maxChannels = Math.max(1, options.maxChannels)
  }

  /** Messages published since start. */
  get published(): number {
    return this.#published
  }

  /**
   * Read a client's last id. Unknown epoch (an id from before a restart): every buffered message is
   * newer than it, so replay all. Null: not an id this endpoint ever makes.
   *
   * @example
   * store.cursorOf('lx2k-41') // { after: 41 }
   */
  cursorOf(lastId: string | null): Cursor | null {
    if (lastId === null || lastId === '') return 'newest'
    const match = /^([0-9a-z]+)-(\d{1,15})$/.exec(lastId)
    if (match === null) return null
    return match[1] === this.#epoch ? { after: Number(match[2]) } : 'oldest'
  }

  /**
   * Buffer and fan out one message; the listeners run before this returns.
   *
   * @example
   * const { message, subscribers } = store.publish('room', 'hi')
   */
  publish(name: string, data: string): { message: SseMessage; subscribers: number; buffered: number } {
    const channel = this.#touch(name)
    this.#seq++
    this.#published++
    const message: SseMessage = { seq: this.#seq, id: `${this.#epoch}-${this.#seq}`, channel: name, data }
    if (this.#bufferLength > 0) {
      channel.messages.push(message)
      if (channel.messages.length > this.#bufferLength) channel.messages.shift()
    }
    for (const listener of [...channel.listeners]) listener(message)
    const answer = { message, subscribers: channel.listeners.size, buffered: channel.messages.length }
    this.#evictIdle()
    return answer
  }

  /**
   * Listen to several channels and get, in the same synchronous step, what the cursor replays, so
   * no publish can fall between the replay and the live messages.
   *
   * @example
   * const { replay, unsubscribe } = store.subscribe(['a', 'b'], { after: 41 }, (m) => stream.send(m))
   */
  subscribe(names: readonly string[], cursor: Cursor, listener: Listener): { replay: SseMessage[]; unsubscribe: () => void } {
    const channels = names.map((name) => this.#touch(name))
    for (const channel of channels) channel.listeners.add(listener)
    const replay = cursor === 'newest' ? [] : channels.flatMap((c) => c.messages.filter((m) => cursor === 'oldest' || m.seq > cursor.after))
    replay.sort((a, b) => a.seq - b.seq)
    const unsubscribe = (): void => {
      for (const channel of channels) channel.listeners.delete(listener)
      this.#evictIdle()
    }
    return { replay, unsubscribe }
  }

  /**
   * Channels with at least one open stream.
   *
   * @example
   * store.activeChannels() // 2
   */
  activeChannels(): number {
    let active = 0
    for (const channel of this.#channels.values()) if (channel.listeners.size > 0) active++
    return active
  }

  // Re-inserting moves the channel to the end of the Map: insertion order is then recency order.
  #touch(name: string): Channel {
    const channel = this.#channels.get(name) ?? { messages: [], listeners: new Set<Listener>() }
    this.#channels.delete(name)
    this.#channels.set(name, channel)
    return channel
  }

  // Bound memory: drop the least recently used channels that no stream listens to.
  #evictIdle(): void {
    for (const [name, channel] of this.#channels) {
      if (this.#channels.size <= this.#maxChannels) return
      if (channel.listeners.size === 0) this.#channels.delete(name)
    }
  }
}
