// @vitest-environment happy-dom
/**
 * The server's markup hydrates without a mismatch, and only then does the browser make the
 * client (the provider's factory) and join.
 */
import { act, waitFor } from '@testing-library/react'
import { hydrateRoot, type Root } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { afterEach, describe, expect, it } from 'vitest'
import { RelayProvider, type RealtimeClient } from '../../../src/react/index.ts'
import { Banner, Messages } from './chat.tsx'
import { createRig, subscriptions, type Rig } from './rig.ts'

let rig: Rig
let root: Root | undefined
afterEach(async () => {
  act(() => root?.unmount())
  await rig.close()
})

describe('SSR then hydration', () => {
  it('hydrates the connecting/joining markup, then the factory runs once and the channel joins', async () => {
    rig = createRig()
    let made = 0
    const factory = (): RealtimeClient => { made += 1; return rig.relay() }
    const app = (client: RealtimeClient | null | (() => RealtimeClient)): React.ReactNode =>
      <RelayProvider client={client}><Banner /><Messages topic="room" /></RelayProvider>
    const container = document.createElement('div')
    container.innerHTML = renderToString(app(null))
    document.body.append(container)
    const errors: unknown[] = []
    await act(async () => { root = hydrateRoot(container, app(factory), { onRecoverableError: (e) => errors.push(e) }) })
    await waitFor(() => expect(container.querySelector('[data-testid="state"]')?.textContent).toBe('joined'), { timeout: 5_000 })
    expect(container.querySelector('[data-testid="status"]')?.textContent).toBe('open')
    expect(errors).toEqual([])
    expect(made).toBe(1)
    expect(subscriptions(rig.counts, 'room')).toBe(1)
  })
})
