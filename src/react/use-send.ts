/**
 * `useSend()`: a send function for event handlers and effects that keeps its identity.
 */
import { useCallback } from 'react'
import { RelayError } from '../contract/errors.ts'
import type { Json, SendOutcome } from '../contract/protocol.ts'
import { useLatest } from './latest.ts'
import { useRelayContext } from './provider.ts'
import type { ChannelHandle } from './use-channel.ts'

/**
 * A stable `(event, payload?) => Promise<SendOutcome>` broadcasting on the channel (the same for
 * both clients); it rejects `closed` on the server, when skipped, or once the channel is gone.
 * @example
 * const send = useSend(room)
 * <button onClick={() => void send('message', { text })}>Send</button>
 */
export function useSend(channel: ChannelHandle): (event: string, payload?: Json) => Promise<SendOutcome> {
  const { registry } = useRelayContext()
  const target = useLatest({ registry, name: channel.name, options: channel.options })
  return useCallback((event: string, payload?: Json) => {
    const { registry: current, name, options } = target.current
    const entry = current !== null && name !== null ? current.peek(name, options) : undefined
    if (!entry) return Promise.reject(new RelayError('closed', `send('${event}'): the channel ${name === null ? 'is skipped (null topic)' : `'${name}' is not mounted in this tab`}`))
    return entry.send(event, payload)
  }, [target])
}
