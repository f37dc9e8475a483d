// @vitest-environment happy-dom
/**
 * `useRelay()` gives a component the provider's client (for `setAuth()` on sign-out, `stats()`):
 * `null` until a factory given to the provider ran, then that very client.
 */
import { cleanup, render, screen, waitFor } from '@testing-library/react'
import { StrictMode } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { createRelay, type Relay } from '../../../src/core/relay.ts'
import { RelayProvider, useRelay } from '../../../src/react/index.ts'
import { createHub } from '../../../worker/index.ts'
import { acceptTab } from '../../../worker/hosts/endpoint.ts'
import { EchoServer, echoTransport } from '../fakes/echo-server.ts'

const closers: Array<{ close(): unknown }> = []
afterEach(async () => {
  cleanup()
  for (const closer of closers.splice(0).reverse()) await closer.close()
})

const hub = createHub({ transports: { inbox: echoTransport(new EchoServer()) } })
let made: Relay | null = null
function connect(): Relay {
  made = createRelay({
    transport: 'inbox', endpoint: 'memory://inbox', identity: 'user-1', heartbeatIntervalMs: 60_000,
    worker: () => { const { port1, port2 } = new MessageChannel(); acceptTab(hub, port1); closers.push(port1, port2); return port2 },
  })
  closers.push(made)
  return made
}

function Who(): React.ReactNode {
  const client = useRelay()
  return <p data-testid="who">{client === null ? 'none' : client === made ? 'the factory client' : 'another client'}</p>
}

describe('useRelay', () => {
  it("returns the client the provider's factory made", async () => {
    render(<StrictMode><RelayProvider client={connect}><Who /></RelayProvider></StrictMode>)
    await waitFor(() => expect(screen.getByTestId('who').textContent).toBe('the factory client'))
  })

  it('throws outside a provider, naming what to do', () => {
    expect(() => render(<Who />)).toThrow(/wrap the app in <RelayProvider/)
  })
})
