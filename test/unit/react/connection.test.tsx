// @vitest-environment happy-dom
/**
 * `useConnectionStatus()` and `useIsLeader()` re-render on the real hub's transitions.
 */
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react'
import { StrictMode } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { RelayProvider } from '../../../src/react/index.ts'
import { Banner } from './chat.tsx'
import { createRig, type Rig } from './rig.ts'

const WAIT = { timeout: 8_000 }
let rig: Rig
afterEach(async () => {
  cleanup()
  await rig.close()
})

describe('connection hooks', () => {
  it('status: connecting → open → reconnecting (attempt 1) → open; Retry reconnects now', async () => {
    rig = createRig()
    const tab = rig.relay()
    render(<StrictMode><RelayProvider client={tab}><Banner /></RelayProvider></StrictMode>)
    expect(screen.getByTestId('status').textContent).toBe('connecting')
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('open'), WAIT)
    const seen: string[] = []
    tab.onStatus((status) => seen.push(status))
    rig.server.dropAll()
    await waitFor(() => expect(screen.getByTestId('attempt').textContent).toBe('1'), WAIT)
    expect(seen[0]).toBe('reconnecting')
    await act(async () => { screen.getByRole('button', { name: 'retry' }).click() })
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('open'), WAIT)
    expect(screen.getByTestId('attempt').textContent).toBe('')
  })

  it('leader: one of two tabs leads; when it closes, the other re-renders as leader', async () => {
    rig = createRig()
    const [a, b] = [rig.relay(), rig.relay()]
    render(<>
      <div data-testid="a"><RelayProvider client={a}><Banner /></RelayProvider></div>
      <div data-testid="b"><RelayProvider client={b}><Banner /></RelayProvider></div>
    </>)
    const leaderOf = (id: string): string | null => within(screen.getByTestId(id)).getByTestId('leader').textContent
    await waitFor(() => expect([leaderOf('a'), leaderOf('b')].sort()).toEqual(['follower', 'leader']), WAIT)
    const [leader, follower] = leaderOf('a') === 'leader' ? [a, 'b'] : [b, 'a']
    await act(async () => { await leader.close() })
    await waitFor(() => expect(leaderOf(follower)).toBe('leader'), WAIT)
  })
})
