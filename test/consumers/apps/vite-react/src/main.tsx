/**
 * One page of the three-tab check: the client is created at module scope, joins `?topic=`, shows
 * every broadcast it receives; the button broadcasts `<tab>-<n>`.
 */
import { useEffect, useState } from 'react'
import { createRoot } from 'react-dom/client'
import { createSharedRealtime, workerName, type Json } from 'tabrelay/supabase'

const params = new URLSearchParams(location.search)
const tab = params.get('tab') ?? '?'
const realtime = createSharedRealtime({
  url: params.get('realtime') ?? '',
  apikey: params.get('apikey') ?? '',
  worker: () => new SharedWorker(new URL('./realtime.worker.ts', import.meta.url), { type: 'module', name: workerName() }),
})
const room = realtime.channel(params.get('topic') ?? 'room:vite')

function textOf(payload: Json): string {
  return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? String(payload['text']) : ''
}

function App() {
  const [status, setStatus] = useState('joining')
  const [messages, setMessages] = useState<string[]>([])
  const [sent, setSent] = useState(0)
  useEffect(() => {
    room
      .on<Json>('broadcast', { event: 'message' }, ({ payload }) => setMessages((m) => [...m, textOf(payload)]))
      .subscribe((s) => setStatus(s))
  }, [])
  const send = () => {
    const text = `${tab}-${sent + 1}`
    setSent(sent + 1)
    void room.send({ type: 'broadcast', event: 'message', payload: { text } })
  }
  return (
    <main>
      <p data-testid="channel-status">{status}</p>
      <button data-testid="send" onClick={send}>send</button>
      <ul>{messages.map((text, i) => <li key={i} data-testid="message">{text}</li>)}</ul>
    </main>
  )
}

const root = document.getElementById('root')
if (root) createRoot(root).render(<App />)
