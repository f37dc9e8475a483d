/**
 * The e2e React page: a support chat written with tabrelay/react in StrictMode, the way an app
 * would (`?url=…&apikey=…&token=…&topic=…`). Every message renders as one `data-testid="message"`.
 */
import { StrictMode, useState, type ReactNode } from 'react'
import { createRoot } from 'react-dom/client'
import { RelayProvider, useChannel, useConnectionStatus, useEvent, useIsLeader, usePresence, useSend, useTrack } from '../../../src/react/index.ts'
import { createSharedRealtime, workerName, type HubStats } from '../../../src/supabase/index.ts'
import { targetFrom } from './params.ts'

declare global {
  interface Window {
    reactApp: { send(text: string): Promise<string>; stats(): Promise<HubStats> }
  }
}

const params = new URLSearchParams(location.search)
const target = targetFrom(params)
const topic = params.get('topic') ?? 'support:1'
const tabName = params.get('name') ?? 'tab'
if (!target) throw new Error('open react.html with ?url=…&apikey=…')

const realtime = createSharedRealtime({
  url: target.url,
  apikey: target.apikey,
  accessToken: () => target.token,
  worker: () => new SharedWorker(new URL('./worker.ts', import.meta.url), { type: 'module', name: workerName() }),
})

function Chat(): ReactNode {
  const room = useChannel(topic, { config: { broadcast: { self: true }, presence: { key: tabName } } })
  const [messages, setMessages] = useState<string[]>([])
  useEvent<{ text: string }>(room, 'message', (payload) => setMessages((m) => [...m, payload.text]))
  const online = usePresence(room)
  useTrack(room, { name: tabName })
  const send = useSend(room)
  window.reactApp = { send: (text) => send('message', { text }), stats: () => realtime.stats() }
  return (
    <section>
      <p data-testid="room-state">{room.state}</p>
      <ul>{messages.map((text, i) => <li key={i} data-testid="message">{text}</li>)}</ul>
      <p data-testid="online">{Object.keys(online).length}</p>
    </section>
  )
}

function Banner(): ReactNode {
  const { status } = useConnectionStatus()
  const isLeader = useIsLeader()
  return <p data-testid="connection">{status}{isLeader ? ' (leader)' : ''}</p>
}

const root = document.getElementById('root')
if (root) {
  createRoot(root).render(
    <StrictMode>
      <RelayProvider client={realtime}>
        <Banner />
        <Chat />
      </RelayProvider>
    </StrictMode>,
  )
}
