// @vitest-environment happy-dom
/**
 * The hooks over the real hub: StrictMode's mount → unmount → mount is ONE subscription at the hub
 * and ONE join at the server, each message reaches a handler once, and the channel is left only a
 * linger after the last component unmounted.
 */
import { act, cleanup, render, screen, waitFor } from '@testing-library/react'
import { StrictMode, type ReactNode } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { RelayProvider } from '../../../src/react/index.ts'
import type { RealtimeClient } from '../../../src/react/index.ts'
import { ManualClock } from '../fakes/clock.ts'
import { Messages } from './chat.tsx'
import { createRig, subscriptions, type Rig } from './rig.ts'

const LINGER_MS = 1_000
const WAIT = { timeout: 5_000 }
let rig: Rig
afterEach(async () => {
  cleanup()
  await rig.close()
})

function strict(client: RealtimeClient, clock: ManualClock, children: ReactNode): ReactNode {
  return <StrictMode><RelayProvider client={client} clock={clock} lingerMs={LINGER_MS}>{children}</RelayProvider></StrictMode>
}

describe('useChannel + useEvent in StrictMode, createRelay client', () => {
  it('double mount: one subscription at the hub, one server join, one callback per message', async () => {
    rig = createRig()
    const [tab, other] = [rig.relay(), rig.relay()]
    const clock = new ManualClock()
    const calls: unknown[] = []
    render(strict(tab, clock, <Messages topic="conversation:42" onMessage={(p) => calls.push(p)} />))
    await waitFor(() => expect(screen.getByTestId('state').textContent).toBe('joined'), WAIT)
    expect(subscriptions(rig.counts, 'conversation:42')).toBe(1)
    expect(rig.counts.hubLeaves).toEqual([])
    await expect(other.topic('conversation:42').send('TEXT', { n: 1 })).resolves.toBe('ok')
    await waitFor(() => expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['{"n":1}']), WAIT)
    // The server echoes to the sender's socket too; still one callback in this tab.
    await expect(other.topic('conversation:42').send('TEXT', { n: 2 })).resolves.toBe('ok')
    await waitFor(() => expect(calls).toEqual([{ n: 1 }, { n: 2 }]), WAIT)
    expect(rig.counts.serverJoins).toEqual(['conversation:42'])
  })

  it('two components on one topic share one subscription; each gets each message once', async () => {
    rig = createRig()
    const tab = rig.relay()
    const [a, b]: [unknown[], unknown[]] = [[], []]
    render(strict(tab, new ManualClock(), <>
      <Messages topic="room" onMessage={(p) => a.push(p)} />
      <Messages topic="room" onMessage={(p) => b.push(p)} />
    </>))
    await waitFor(() => expect(screen.getAllByTestId('state').map((s) => s.textContent)).toEqual(['joined', 'joined']), WAIT)
    await act(async () => { screen.getAllByRole('button', { name: 'send' })[0]?.click() })
    await waitFor(() => expect([a, b]).toEqual([[{ text: 'hi' }], [{ text: 'hi' }]]), WAIT)
    expect(subscriptions(rig.counts, 'room')).toBe(1)
    expect(rig.counts.serverJoins).toEqual(['room'])
  })

  it('unmount: the topic is left only after the linger; a remount within it keeps the subscription', async () => {
    rig = createRig()
    const tab = rig.relay()
    const clock = new ManualClock()
    const first = render(strict(tab, clock, <Messages topic="conversation:7" />))
    await waitFor(() => expect(screen.getByTestId('state').textContent).toBe('joined'), WAIT)
    first.unmount()
    clock.advance(LINGER_MS - 1)
    const second = render(strict(tab, clock, <Messages topic="conversation:7" />))
    await waitFor(() => expect(screen.getByTestId('state').textContent).toBe('joined'), WAIT)
    clock.advance(LINGER_MS)
    expect(subscriptions(rig.counts, 'conversation:7')).toBe(1)
    expect(rig.counts.hubLeaves).toEqual([])
    second.unmount()
    clock.advance(LINGER_MS - 1)
    expect(rig.counts.hubLeaves).toEqual([])
    clock.advance(1)
    await waitFor(() => expect(rig.counts.serverLeaves).toEqual(['conversation:7']), WAIT)
    expect(rig.counts.hubLeaves).toHaveLength(1)
    expect(clock.pending).toBe(0)
  })

  it("a new handler identity every render does not resubscribe; the latest handler gets the message", async () => {
    rig = createRig()
    const tab = rig.relay()
    const clock = new ManualClock()
    const view = render(strict(tab, clock, <Messages topic="room" prefix="a:" />))
    await waitFor(() => expect(screen.getByTestId('state').textContent).toBe('joined'), WAIT)
    const joinsBefore = rig.counts.hubJoins.length
    for (const prefix of ['b:', 'c:', 'd:']) view.rerender(strict(tab, clock, <Messages topic="room" prefix={prefix} />))
    await act(async () => { screen.getByRole('button', { name: 'send' }).click() })
    await waitFor(() => expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['d:{"text":"hi"}']), WAIT)
    expect(rig.counts.hubJoins.length).toBe(joinsBefore)
    expect(rig.counts.hubLeaves).toEqual([])
  })

  it('a null topic skips: nothing is joined until a topic is given', async () => {
    rig = createRig()
    const tab = rig.relay()
    const clock = new ManualClock()
    const view = render(strict(tab, clock, <Messages topic={null} />))
    await waitFor(() => expect(tab.status).toBe('open'), WAIT)
    expect(screen.getByTestId('state').textContent).toBe('closed')
    expect(screen.getByTestId('has-channel').textContent).toBe('no')
    expect(rig.counts.hubJoins).toEqual([])
    view.rerender(strict(tab, clock, <Messages topic="later" />))
    await waitFor(() => expect(screen.getByTestId('state').textContent).toBe('joined'), WAIT)
    expect(screen.getByTestId('has-channel').textContent).toBe('yes')
    expect(subscriptions(rig.counts, 'later')).toBe(1)
  })
})
