/**
 * The floor lane's hub (`?floor=1`, floor.ts): a bare SharedWorker with one realtime-js client that
 * posts each broadcast, serialised ONCE into a string shaped and sized like tabrelay's delivery
 * batch, to every tab that joined its topic. No Comlink, no outbox, no per-tab clone of an object:
 * what fan-out costs at the `postMessage` floor, so the A/B bench can report tabrelay's hub as a
 * ratio to it. Ports of closed tabs are never dropped (the bench only grows a floor fleet).
 */
import { RealtimeClient } from '@supabase/realtime-js'

/** What a tab asks: join these topics on this server. */
interface Join { url: string; apikey: string; topics: string[] }

const scope = self as unknown as { onconnect: ((event: MessageEvent) => void) | null }
const listeners = new Map<string, Set<MessagePort>>()
const subscribed = new Map<string, Promise<void>>()
let client: RealtimeClient | null = null
let subId = 0

function isJoin(value: unknown): value is Join {
  return typeof value === 'object' && value !== null && 'url' in value && 'topics' in value && Array.isArray(value.topics)
}

function joinTopic(topic: string): Promise<void> {
  const known = subscribed.get(topic)
  if (known !== undefined) return known
  const ports = new Set<MessagePort>()
  listeners.set(topic, ports)
  const ids = [`floor-${++subId}`]
  const joined = new Promise<void>((resolve, reject) => {
    client?.channel(topic, { config: { broadcast: { self: false } } })
      .on('broadcast', { event: '*' }, (message) => {
        // The same fields tabrelay's Delivery carries, so the string is the size of its batch.
        const text = JSON.stringify([{ kind: 'broadcast', subIds: ids, event: message.event, payload: message['payload'] as unknown, topic }])
        for (const port of ports) port.postMessage(text)
      })
      .subscribe((status) => {
        if (status === 'SUBSCRIBED') resolve()
        else if (status !== 'CLOSED') reject(new Error(`${topic}: ${status}`))
      })
  })
  subscribed.set(topic, joined)
  return joined
}

scope.onconnect = (event) => {
  const port = event.ports[0]
  if (port === undefined) return
  port.onmessage = (message: MessageEvent) => {
    const join: unknown = message.data
    if (!isJoin(join)) return
    if (client === null) {
      client = new RealtimeClient(`${join.url.replace(/^http/, 'ws').replace(/\/$/, '')}/realtime/v1`, { params: { apikey: join.apikey }, worker: false })
      client.connect()
    }
    Promise.all(join.topics.map((topic) => {
      const joined = joinTopic(topic)
      listeners.get(topic)?.add(port)
      return joined
    })).then(() => port.postMessage({ ready: true }), (error: unknown) => port.postMessage({ error: String(error) }))
  }
  port.start()
}
