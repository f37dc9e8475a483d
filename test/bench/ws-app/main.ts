/**
 * The bench page of the plain-WebSocket rows (scenarios/websocket.ts), from
 * `?mode=relay|socket&endpoint=ws://…/ws/inbox/&token=…&conversation=C`. `relay`: one tabrelay
 * topic over the inbox hub (workers/websocket.ts). `socket`: the control, this tab's own
 * `new WebSocket` subscribed to C. Both record every TEXT frame's number and arrival time.
 */
import { createRelay, workerName } from '../../../src/index.ts'

/** What the scenario reads through `page.evaluate`. */
export interface WsBenchApp {
  received: number[]
  /** When each of `received` arrived, `performance.timeOrigin + performance.now()`. */
  receivedAt: number[]
  /** Whether the subscription is in place (relay: topic joined; socket: open and subscribe sent). */
  ready(): boolean
}

declare global {
  interface Window {
    wsBench: WsBenchApp
  }
}

const params = new URLSearchParams(location.search)
const endpoint = params.get('endpoint') ?? ''
const token = params.get('token') ?? ''
const conversation = params.get('conversation') ?? 'bench'
const received: number[] = []
const receivedAt: number[] = []

function record(message: unknown): void {
  const at = performance.timeOrigin + performance.now()
  const n = Number(message)
  if (Number.isFinite(n)) {
    received.push(n)
    receivedAt.push(at)
  }
}

if (params.get('mode') === 'socket') {
  const socket = new WebSocket(`${endpoint}?token=${encodeURIComponent(token)}`)
  let subscribed = false
  socket.onopen = () => {
    socket.send(JSON.stringify({ type: 'subscribe', conversation_id: conversation }))
    subscribed = true
  }
  socket.onmessage = (event: MessageEvent<string>) => {
    const frame: unknown = JSON.parse(event.data)
    if (typeof frame === 'object' && frame !== null && 'type' in frame && frame.type === 'TEXT' && 'message' in frame) record(frame.message)
  }
  window.wsBench = { received, receivedAt, ready: () => subscribed && socket.readyState === WebSocket.OPEN }
} else {
  const relay = createRelay({
    transport: 'inbox',
    endpoint,
    accessToken: () => token,
    // Vite bundles a worker only for the literal `new SharedWorker(new URL(…))` form.
    worker: () => new SharedWorker(new URL('../workers/websocket.ts', import.meta.url), { type: 'module', name: `${workerName()}-bench-ws` }),
  })
  const topic = relay.topic(conversation)
  topic.on<{ message: string }>('TEXT', (frame) => record(frame.message))
  window.wsBench = { received, receivedAt, ready: () => topic.state === 'joined' }
}
document.body.dataset['ready'] = 'true'
