/**
 * Small components written with the hooks, as an app would, rendering what tests assert on.
 */
import { useState, type ReactNode } from 'react'
import { useChannel, useConnectionStatus, useEvent, useIsLeader, usePresence, useSend, type ChannelHookOptions } from '../../../src/react/index.ts'

/** Props of {@link Messages}. */
export interface MessagesProps {
  topic: string | null
  event?: string
  options?: ChannelHookOptions
  /** Called for every message, to count callbacks. */
  onMessage?: (payload: unknown) => void
  /** Rendered before each message: a new prefix is a new handler identity. */
  prefix?: string
}

/** A channel's state and its messages, one `<li>` each. */
export function Messages({ topic, event = 'TEXT', options, onMessage, prefix = '' }: MessagesProps): ReactNode {
  const room = useChannel(topic, options)
  const [lines, setLines] = useState<string[]>([])
  useEvent(room, event, (payload) => {
    onMessage?.(payload)
    setLines((l) => [...l, `${prefix}${JSON.stringify(payload)}`])
  })
  const send = useSend(room)
  return (
    <div>
      <span data-testid="state">{room.state}</span>
      <span data-testid="has-channel">{room.channel === null ? 'no' : 'yes'}</span>
      <button onClick={() => void send(event, { text: 'hi' })}>send</button>
      <ul>{lines.map((line, i) => <li key={i}>{line}</li>)}</ul>
    </div>
  )
}

/** Who is on the channel: one `<li>` per presence key. */
export function Online({ topic }: { topic: string }): ReactNode {
  const room = useChannel(topic, { config: { presence: { key: 'me' } } })
  const online = usePresence(room)
  return <ul data-testid="online">{Object.keys(online).map((key) => <li key={key}>{key}</li>)}</ul>
}

/** The connection banner, with its retry. */
export function Banner(): ReactNode {
  const { status, attempt, retry } = useConnectionStatus()
  const isLeader = useIsLeader()
  return (
    <p>
      <span data-testid="status">{status}</span>
      <span data-testid="attempt">{attempt ?? ''}</span>
      <span data-testid="leader">{isLeader ? 'leader' : 'follower'}</span>
      <button onClick={() => void retry()}>retry</button>
    </p>
  )
}
