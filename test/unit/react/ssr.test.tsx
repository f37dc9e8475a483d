/**
 * Server rendering in plain Node (no DOM, no worker): every hook renders its server snapshot, a
 * client factory is not called; in the browser the same markup hydrates and then connects.
 */
import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { RelayProvider, useChannel, useConnectionStatus, useIsLeader, usePresence, useResync, useSend, useTrack } from '../../../src/react/index.ts'
import type { RealtimeClient } from '../../../src/react/index.ts'
import { Messages } from './chat.tsx'

function Everything(): React.ReactNode {
  const room = useChannel('room:1', { config: { presence: { key: 'me' } } })
  const online = usePresence(room)
  useTrack(room, { typing: false })
  useResync(room, () => undefined)
  const send = useSend(room)
  const { status } = useConnectionStatus()
  const isLeader = useIsLeader()
  return <p>{`${status}|${room.state}|${room.channel === null ? 'none' : 'raw'}|${Object.keys(online).length}|${String(isLeader)}|${typeof send}`}</p>
}

describe('SSR', () => {
  it('renders every hook without a worker: connecting, joining, no channel, no presence, not leader', () => {
    expect(typeof window).toBe('undefined')
    const html = renderToString(<RelayProvider client={null}><Everything /><Messages topic="room:1" /></RelayProvider>)
    expect(html).toContain('connecting|joining|none|0|false|function')
    expect(html).toContain('<span data-testid="state">joining</span>')
  })

  it('a client factory is not called on the server', () => {
    let made = 0
    const factory = (): RealtimeClient => { made += 1; throw new Error('no SharedWorker on the server') }
    const html = renderToString(<RelayProvider client={factory}><Everything /></RelayProvider>)
    expect(html).toContain('connecting|joining|none')
    expect(made).toBe(0)
  })

  it('hooks outside a provider say how to fix it', () => {
    expect(() => renderToString(<Everything />)).toThrow(/wrap the app in <RelayProvider/)
  })
})
