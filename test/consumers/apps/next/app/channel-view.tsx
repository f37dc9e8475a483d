'use client'
/** The page of the three-tab check: shows every broadcast `room` receives; the button broadcasts `<tab>-<n>`. */
import { useEffect, useState } from 'react'
import type { Json, SharedChannel } from 'tabrelay/supabase'

function textOf(payload: Json): string {
  return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? String(payload['text']) : ''
}

export function ChannelView({ room, tab }: { room: SharedChannel; tab: string }) {
  const [status, setStatus] = useState('joining')
  const [messages, setMessages] = useState<string[]>([])
  const [sent, setSent] = useState(0)
  useEffect(() => {
    room
      .on<Json>('broadcast', { event: 'message' }, ({ payload }) => setMessages((m) => [...m, textOf(payload)]))
      .subscribe((s) => setStatus(s))
  }, [room])
  const send = () => {
    setSent(sent + 1)
    void room.send({ type: 'broadcast', event: 'message', payload: { text: `${tab}-${sent + 1}` } })
  }
  return (
    <main>
      <p data-testid="channel-status">{status}</p>
      <button data-testid="send" onClick={send}>send</button>
      <ul>{messages.map((text, i) => <li key={i} data-testid="message">{text}</li>)}</ul>
    </main>
  )
}
