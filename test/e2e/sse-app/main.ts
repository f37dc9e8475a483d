/**
 * The SSE e2e page, served by the same nginx as its streams (one HTTP/1.1 origin).
 * `?mode=relay&room=R&user=U[&pauseWhenHiddenMs=N]`: one tabrelay topic, the stream held by the
 * SharedWorker. `?mode=eventsource&room=R`: the control, a plain EventSource of this tab, started by
 * `app.start()`. Both record every message's `n`; `app.probe()` is an ordinary fetch to the origin.
 */
import { createRelay, workerName } from '../../../src/index.ts'

/** What a spec reads through `page.evaluate`. */
export interface SseApp {
  received: number[]
  /** When each of `received` arrived, `performance.timeOrigin + performance.now()` (the bench's fan-out). */
  receivedAt: number[]
  resyncs: number
  /** Connection statuses the relay reported, in order (relay mode). */
  statuses: string[]
  /** EventSource readyState (control) or the topic's status (relay). */
  state(): string
  start(): void
  /** A plain GET to this origin: whether it completed within `ms`. */
  probe(ms: number): Promise<boolean>
}

declare global {
  interface Window {
    app: SseApp
  }
}

const params = new URLSearchParams(location.search)
const room = params.get('room') ?? 'room'
const status = document.querySelector('[data-testid="status"]')
const received: number[] = []
const receivedAt: number[] = []
const record = (payload: unknown): void => {
  const at = performance.timeOrigin + performance.now()
  if (typeof payload === 'object' && payload !== null && 'n' in payload && typeof payload.n === 'number') {
    received.push(payload.n)
    receivedAt.push(at)
  }
}

async function probe(ms: number): Promise<boolean> {
  try {
    const response = await fetch(`/nchan_status?probe=${Math.random()}`, { signal: AbortSignal.timeout(ms) })
    await response.text()
    return response.ok
  } catch {
    return false
  }
}

if (params.get('mode') === 'eventsource') {
  let source: EventSource | null = null
  window.app = {
    received, receivedAt, resyncs: 0, statuses: [], probe,
    state: () => (source === null ? 'idle' : ['connecting', 'open', 'closed'][source.readyState] ?? 'unknown'),
    start() {
      source = new EventSource(`/sub/${encodeURIComponent(room)}`)
      source.onmessage = (event: MessageEvent<string>) => record(JSON.parse(event.data))
    },
  }
} else {
  const pauseWhenHiddenMs = Number(params.get('pauseWhenHiddenMs') ?? 300_000)
  const relay = createRelay({
    transport: 'sse', endpoint: location.origin, identity: params.get('user') ?? 'user', pauseWhenHiddenMs,
    worker: () => new SharedWorker(new URL('./worker.ts', import.meta.url), { type: 'module', name: workerName() }),
  })
  const topic = relay.topic(room)
  topic.on('*', (payload) => record(payload))
  const statuses: string[] = []
  relay.onStatus((s) => { statuses.push(s); if (status) status.textContent = s })
  window.app = { received, receivedAt, resyncs: 0, statuses, probe, state: () => topic.state, start: () => undefined }
  topic.onResync(() => { window.app.resyncs += 1 })
}
document.body.dataset['ready'] = 'true'
