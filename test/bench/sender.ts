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
 * One stream message's payload, as the tabs read it.
 * @example
 * const tick: Tick = { seq: 41, sentAt: nowMs() }
 */
export interface Tick { seq: number; sentAt: number }

/**
 * The sender's socket; reconnects (and joins again) on the next batch after the server closed it
 * (its 60 s idle timeout between scenarios).
 * @example
 * const sender = new SocketSender(server.url, server.anonKey); await sender.send('tabrelay:0', [{ seq: 0, sentAt: nowMs() }])
 */
export class SocketSender {
  readonly #url: string
  #link: Promise<{ ws: WebSocket; tcp: Socket; joined: Map<string, string> }> | null = null
  #ref = 0

  constructor(serverUrl: string, apikey: string) {
    this.#url = `${serverUrl.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${encodeURIComponent(apikey)}&vsn=1.0.0`
  }

  /** Pushes every tick of `ticks` as a broadcast on `topic` (without `realtime:`), in one TCP write. */
  async send(topic: string, ticks: readonly Tick[]): Promise<void> {
    const link = await this.#open()
    const full = `realtime:${topic}`
    const joinRef = link.joined.get(full) ?? await this.#join(link, full)
    // Corked: ws writes each frame on its own (a syscall each); the tick's frames leave as one write.
    link.tcp.cork()
    for (const tick of ticks) {
      link.ws.send(JSON.stringify({ topic: full, event: 'broadcast', payload: { type: 'broadcast', event: STREAM_EVENT, payload: tick }, ref: String(++this.#ref), join_ref: joinRef }))
    }
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
