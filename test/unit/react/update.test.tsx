// @vitest-environment happy-dom
/**
 * `useUpdateAvailable()` re-renders when the tab's real hub hears of a newer deploy's hub (here a
 * deploy speaking another protocol, announced on the hubs' BroadcastChannel): the app can offer a
 * reload.
 */
import { cleanup, render, screen, waitFor } from '@testing-library/react'
import { StrictMode } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { createRelay } from '../../../src/core/relay.ts'
import { PROTOCOL_VERSION } from '../../../src/contract/protocol.ts'
import { randomId } from '../../../src/contract/ids.ts'
import { RelayProvider, useUpdateAvailable } from '../../../src/react/index.ts'
import { createHub } from '../../../worker/index.ts'
import { acceptTab } from '../../../worker/hosts/endpoint.ts'
import { EchoServer, echoTransport } from '../fakes/echo-server.ts'

const closers: Array<{ close(): unknown }> = []
afterEach(async () => {
  cleanup()
  for (const closer of closers.splice(0).reverse()) await closer.close()
})

function UpdateBanner(): React.ReactNode {
  const update = useUpdateAvailable()
  return <p data-testid="update">{update === null ? 'current' : `newer deploy (moved: ${String(update.moved)})`}</p>
}

describe('useUpdateAvailable', () => {
  it('is null until a newer deploy is heard of, then says whether this tab moved', async () => {
    const channel = `tabrelay-hubs:${randomId()}`
    const meeting = new BroadcastChannel(channel)
    // Hubs and tabs take offers of the page's own origin only.
    const script = (build: string): string => new URL(`/assets/realtime.worker-${build}.js`, location.href).href
    const offer = { url: script('a'), name: 'tabrelay-v2', type: 'module' as const, protocol: PROTOCOL_VERSION }
    const hub = createHub({ transports: { inbox: echoTransport(new EchoServer()) }, deploys: { channel: meeting, offer } })
    const relay = createRelay({
      transport: 'inbox', endpoint: 'memory://inbox', identity: 'user-1', heartbeatIntervalMs: 60_000,
      worker: () => { const { port1, port2 } = new MessageChannel(); acceptTab(hub, port1); closers.push(port1, port2); return port2 },
    })
    closers.push(meeting, relay)
    render(<StrictMode><RelayProvider client={relay}><UpdateBanner /></RelayProvider></StrictMode>)
    expect(screen.getByTestId('update').textContent).toBe('current')
    await waitFor(() => expect(relay.status).toBe('open'))
    const other = new BroadcastChannel(channel)
    closers.push(other)
    other.postMessage({ kind: 'tabrelay-hub', hubId: 'hub-z', generation: Date.now() + 60_000, offer: { ...offer, url: script('z'), protocol: PROTOCOL_VERSION + 1 } })
    await waitFor(() => expect(screen.getByTestId('update').textContent).toBe('newer deploy (moved: false)'))
  })
})
