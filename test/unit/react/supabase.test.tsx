// @vitest-environment happy-dom
/**
 * The hooks over the Supabase adapter and the real hub: the adapter's `.on()` cannot be removed,
 * so the hooks add one listener per channel and event and remove the channel itself (after the
 * linger) when the last component leaves.
 */
import { act, cleanup, render, screen, waitFor } from '@testing-library/react'
import { StrictMode, type ReactNode } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { RelayProvider, useChannel, useTrack, type RealtimeClient } from '../../../src/react/index.ts'
import { ManualClock } from '../fakes/clock.ts'
import { Messages, Online } from './chat.tsx'
import { createRig, type Rig } from './rig.ts'

const LINGER_MS = 500
const WAIT = { timeout: 5_000 }
let rig: Rig
afterEach(async () => {
  cleanup()
  await rig.close()
})

function strict(client: RealtimeClient, clock: ManualClock, children: ReactNode): ReactNode {
  return <StrictMode><RelayProvider client={client} clock={clock} lingerMs={LINGER_MS}>{children}</RelayProvider></StrictMode>
}

function serverJoins(topic: string): number {
  return rig.net.transports.flatMap((t) => t.calls).filter((c) => c === `channel ${topic}`).length
}

function Member({ user }: { user: string }): ReactNode {
  const room = useChannel('room', { config: { presence: { key: user } } })
  useTrack(room, { name: user })
  return <p data-testid="member-state">{room.state}</p>
}

function Tracker({ typing }: { typing: boolean }): ReactNode {
  const room = useChannel('room', { config: { presence: { key: 'me' } } })
  useTrack(room, { typing })
  return null
}

describe('hooks over createSharedRealtime', () => {
  it('StrictMode: one server channel, one callback per broadcast, presence re-renders on sync', async () => {
    rig = createRig()
    const tab = rig.realtime()
    const clock = new ManualClock()
    const calls: unknown[] = []
    render(strict(tab, clock, <>
      <Messages topic="room" event="msg" options={{ config: { presence: { key: 'me' } } }} onMessage={(p) => calls.push(p)} />
      <Online topic="room" />
    </>))
    await waitFor(() => expect(rig.net.liveChannels('room')).toBe(1), WAIT)
    rig.net.latest.open()
    await rig.net.latest.subscribe('room')
    await waitFor(() => expect(screen.getByTestId('state').textContent).toBe('joined'), WAIT)
    // usePresence's binding came in the same commit as the join: presence is on from the start.
    expect(rig.net.latest.single('room').spec).toMatchObject({ hasPresence: true, presenceKey: 'me' })
    rig.net.latest.broadcast('room', 'msg', { n: 1 })
    await waitFor(() => expect(calls).toEqual([{ n: 1 }]), WAIT)
    rig.net.latest.presence('room', 'sync', { state: { alice: [{ presence_ref: '1', name: 'A' }], bob: [{ presence_ref: '2', name: 'B' }] } })
    await waitFor(() => expect(screen.getByTestId('online').textContent).toBe('alicebob'), WAIT)
    expect(serverJoins('room')).toBe(1)
    expect(tab.getChannels()).toHaveLength(1)
    expect(calls).toEqual([{ n: 1 }])
  })

  it('unmount: the channel is removed after the linger; a new mount gets a fresh channel with no old listeners', async () => {
    rig = createRig()
    const tab = rig.realtime()
    const clock = new ManualClock()
    const calls: unknown[] = []
    const first = render(strict(tab, clock, <Messages topic="room" event="msg" onMessage={(p) => calls.push(['first', p])} />))
    await waitFor(() => expect(rig.net.liveChannels('room')).toBe(1), WAIT)
    rig.net.latest.open()
    await rig.net.latest.subscribe('room')
    first.unmount()
    clock.advance(LINGER_MS - 1)
    expect(tab.getChannels()).toHaveLength(1)
    clock.advance(1)
    await waitFor(() => expect(tab.getChannels()).toEqual([]), WAIT)
    await waitFor(() => expect(rig.net.liveChannels('room')).toBe(0), WAIT)
    render(strict(tab, clock, <Messages topic="room" event="msg" onMessage={(p) => calls.push(['second', p])} />))
    await waitFor(() => expect(rig.net.liveChannels('room')).toBe(1), WAIT)
    await rig.net.latest.subscribe('room')
    await waitFor(() => expect(screen.getByTestId('state').textContent).toBe('joined'), WAIT)
    rig.net.latest.broadcast('room', 'msg', { n: 2 })
    await waitFor(() => expect(calls).toEqual([['second', { n: 2 }]]), WAIT)
  })

  it('useTrack: tracks while mounted, re-tracks on a change by value, untracks on unmount', async () => {
    rig = createRig()
    const tab = rig.realtime()
    const clock = new ManualClock()
    const view = render(strict(tab, clock, <Tracker typing={false} />))
    await waitFor(() => expect(rig.net.liveChannels('room')).toBe(1), WAIT)
    rig.net.latest.open()
    await rig.net.latest.subscribe('room')
    const channel = rig.net.latest.single('room')
    await waitFor(() => expect(channel.tracks.at(-1)).toEqual({ typing: false }), WAIT)
    const tracked = channel.tracks.length
    view.rerender(strict(tab, clock, <Tracker typing={false} />))
    view.rerender(strict(tab, clock, <Tracker typing />))
    await waitFor(() => expect(channel.tracks.at(-1)).toEqual({ typing: true }), WAIT)
    expect(channel.tracks.length).toBe(tracked + 1)
    const untracks = channel.untracks
    await act(async () => { view.unmount() })
    await waitFor(() => expect(channel.untracks).toBe(untracks + 1), WAIT)
  })

  it('a presence key that follows the user: after a switch the channel is opened again with the new key, the old one let go', async () => {
    rig = createRig()
    const tab = rig.realtime()
    const clock = new ManualClock()
    const view = render(strict(tab, clock, <Member user="alice" />))
    await waitFor(() => expect(rig.net.liveChannels('room')).toBe(1), WAIT)
    rig.net.latest.open()
    await rig.net.latest.subscribe('room')
    await waitFor(() => expect(screen.getByTestId('member-state').textContent).toBe('joined'), WAIT)
    expect(rig.net.latest.single('room').spec).toMatchObject({ presenceKey: 'alice' })
    // The app signed in as bob and renders the same channel name with bob's key.
    view.rerender(strict(tab, clock, <Member user="bob" />))
    act(() => clock.advance(LINGER_MS))
    // The hub re-specs the server channel once the old channel left: one channel, bob's key.
    await waitFor(() => expect(rig.net.latest.live('room').map((c) => c.spec)).toMatchObject([{ presenceKey: 'bob' }]), WAIT)
    expect(tab.getChannels()).toHaveLength(1)
  })
})
