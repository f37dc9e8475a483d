/**
 * The throughput stream's way into the server: one WebSocket of a vsn 1.0.0 client that joins each
 * stream topic and pushes JSON broadcasts, a tick's messages written in one TCP write. The tabs get
 * exactly what the REST batch route sends them (REALTIME_PROTOCOL.md §3.2: a JSON broadcast from a
 * vsn-1 sender or the batch route reaches vsn-2 sockets as the text frame `[null, null, topic,
 * "broadcast", {type, event, payload}]`), but the sender child no longer pays an HTTP request and
 * a token check per tick (~2–3 ms of CPU each on these cores, 140 a second), CPU the browser under
 * test shares with it on one machine.
 */
import { createConnection, type NetConnectOpts, type Socket } from 'node:net'
import { WebSocket } from 'ws'
import { STREAM_EVENT } from './app/contract.ts'

const OPEN_TIMEOUT_MS = 5_000

/**
 * The start of every stream frame pushed on `topic` (with `realtime:`), up to the tick's `seq`:
 * the same for the whole stream, so each message costs two numbers and two refs, not a
 * `JSON.stringify` of its envelope (at 16 000 msg/s, CPU the browser under test shares).
 * @example
 * tickFrame(framePrefix('realtime:t'), 7, 12.5, '9', '2') === JSON.stringify({ topic: 'realtime:t', event: 'broadcast', payload: { type: 'broadcast', event: STREAM_EVENT, payload: { seq: 7, sentAt: 12.5 } }, ref: '9', join_ref: '2' })
 */
export function framePrefix(topic: string): string {
  return `{"topic":${JSON.stringify(topic)},"event":"broadcast","payload":{"type":"broadcast","event":${JSON.stringify(STREAM_EVENT)},"payload":{"seq":`
}

/**
 * One stream frame, exactly as `JSON.stringify` writes it (a finite number's JSON is `String(n)`).
 * @example
 * ws.send(tickFrame(prefix, seq, nowMs(), String(++ref), joinRef))
 */
export function tickFrame(prefix: string, seq: number, sentAt: number, ref: string, joinRef: string): string {
  return `${prefix}${seq},"sentAt":${sentAt}}},"ref":${JSON.stringify(ref)},"join_ref":${JSON.stringify(joinRef)}}`
}

/**
 * The sender's socket; reconnects (and joins again) on the next batch after the server closed it
 * (its 60 s idle timeout between scenarios).
 * @example
 * const sender = new SocketSender(server.url, server.anonKey); await sender.send('tabrelay:0', 0, 10, nowMs())
 */
export class SocketSender {
  readonly #url: string
  #link: Promise<{ ws: WebSocket; tcp: Socket; joined: Map<string, string> }> | null = null
  #ref = 0

  constructor(serverUrl: string, apikey: string) {
    this.#url = `${serverUrl.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${encodeURIComponent(apikey)}&vsn=1.0.0`
  }

  /** Pushes ticks `firstSeq`… (`count` of them, all stamped `sentAt`) as broadcasts on `topic` (without `realtime:`), in one TCP write. */
  async send(topic: string, firstSeq: number, count: number, sentAt: number): Promise<void> {
    const link = await this.#open()
    const full = `realtime:${topic}`
    const joinRef = link.joined.get(full) ?? await this.#join(link, full)
    // Corked: ws writes each frame on its own (a syscall each); the tick's frames leave as one write.
    link.tcp.cork()
    const prefix = framePrefix(full)
    for (let seq = firstSeq; seq < firstSeq + count; seq++) link.ws.send(tickFrame(prefix, seq, sentAt, String(++this.#ref), joinRef))
    link.tcp.uncork()
  }

  close(): void {
    void this.#link?.then((link) => link.ws.terminate(), () => undefined)
    this.#link = null
  }

  async #open(): Promise<{ ws: WebSocket; tcp: Socket; joined: Map<string, string> }> {
    const current = await this.#link?.catch(() => null)
    // A socket the server is closing (its idle timeout) drops sends silently: open a new one instead.
    if (current !== undefined && current !== null && current.ws.readyState === WebSocket.OPEN) return current
    this.#link = null
    return this.#connect()
  }

  #connect(): Promise<{ ws: WebSocket; tcp: Socket; joined: Map<string, string> }> {
    const link = new Promise<{ ws: WebSocket; tcp: Socket; joined: Map<string, string> }>((resolve, reject) => {
      let tcp: Socket | undefined
      // ws calls it with one options object; the type is net's whole overload set, hence the cast.
      const connect = ((options: NetConnectOpts) => (tcp = createConnection(options))) as typeof createConnection
      const ws = new WebSocket(this.#url, { createConnection: connect })
      const timer = setTimeout(() => { ws.terminate(); reject(new Error(`sender socket: not open in ${OPEN_TIMEOUT_MS} ms`)) }, OPEN_TIMEOUT_MS)
      ws.once('open', () => {
        clearTimeout(timer)
        if (tcp === undefined) reject(new Error('sender socket: no TCP socket'))
        else resolve({ ws, tcp, joined: new Map() })
      })
      ws.once('error', (error) => { clearTimeout(timer); reject(error) })
      // Closed by the server (idle timeout) or an error: the next batch opens a new socket.
      ws.once('close', () => { if (this.#link === link) this.#link = null })
    })
    this.#link = link
    link.catch(() => { if (this.#link === link) this.#link = null })
    return link
  }

  /** Joins `topic` and waits for the server's reply: pushes before it would be dropped as unmatched. */
  #join(link: { ws: WebSocket; joined: Map<string, string> }, topic: string): Promise<string> {
    const joinRef = String(++this.#ref)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { link.ws.off('message', onMessage); reject(new Error(`sender socket: no join reply for ${topic}`)) }, OPEN_TIMEOUT_MS)
      const onMessage = (data: Buffer): void => {
        const frame = JSON.parse(data.toString('utf8')) as { topic?: string; event?: string; ref?: string; payload?: { status?: string } }
        if (frame.event !== 'phx_reply' || frame.ref !== joinRef) return
        clearTimeout(timer)
        link.ws.off('message', onMessage)
        if (frame.payload?.status !== 'ok') return reject(new Error(`sender socket: join ${topic} answered ${JSON.stringify(frame.payload)}`))
        link.joined.set(topic, joinRef)
        resolve(joinRef)
      }
      link.ws.on('message', onMessage)
      link.ws.send(JSON.stringify({ topic, event: 'phx_join', payload: { config: { broadcast: { ack: false, self: false }, presence: { key: '' }, postgres_changes: [] } }, ref: joinRef, join_ref: joinRef }))
    })
  }
}
