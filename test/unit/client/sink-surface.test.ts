/**
 * The tab's sink against raw Comlink messages from the hub's end of its port (in the tab-host
 * mode any page of the origin can post to a tab's address): only the sink's own methods with
 * plain data are served, and the tab keeps receiving.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ATTACKS, MALFORMED, RawPeer } from '../helpers/raw-peer.ts'
import { setup, until, type Rig } from './harness.ts'

let rig: Rig
afterEach(() => rig.dispose())

async function joinedTab(): Promise<{ peer: RawPeer; got: unknown[] }> {
  rig = setup()
  const got: unknown[] = []
  const room = rig.realtime.channel('room:1').on('broadcast', { event: '*' }, (m) => got.push(m.payload)).subscribe()
  await until(() => room.state === 'joined', 'joined')
  const port = rig.hub().port
  if (!port) throw new Error('no port')
  return { peer: new RawPeer(port), got }
}

describe("the tab's sink serves the TabSink methods and nothing else", () => {
  it('every attack is answered with a bad-input RelayError; no code runs and deliveries still arrive', async () => {
    const { peer, got } = await joinedTab()
    for (const [what, message] of ATTACKS) {
      const reply = await peer.request(message)
      expect(RawPeer.errorOf(reply), what).toMatchObject({ code: 'bad-input' })
    }
    expect((globalThis as { tabrelayPwned?: unknown }).tabrelayPwned).toBeUndefined()
    expect(({} as { tabrelayPolluted?: unknown }).tabrelayPolluted).toBeUndefined()
    await rig.hub().deliver([{ kind: 'broadcast', subIds: ['1'], event: 'msg', payload: { n: 1 } }])
    expect(got).toEqual([{ n: 1 }])
  })

  it('malformed messages get no answer; a plain call of a sink method does', async () => {
    const { peer } = await joinedTab()
    for (const message of MALFORMED) peer.post(message)
    const reply = await peer.request({ type: 'APPLY', path: ['leader'], argumentList: [{ type: 'RAW', value: true }] })
    expect(reply).toMatchObject({ type: 'RAW' })
    expect(peer.answers).toEqual([reply])
    await until(() => rig.realtime.isLeader, 'leader')
  })

  it('deliveries come only as frames: a Comlink deliver call is refused', async () => {
    const { peer, got } = await joinedTab()
    const batch = [{ kind: 'broadcast', subIds: ['1'], event: 'msg', payload: { n: 2 } }]
    const reply = await peer.request({ type: 'APPLY', path: ['deliver'], argumentList: [{ type: 'RAW', value: batch }] })
    expect(RawPeer.errorOf(reply)).toMatchObject({ code: 'bad-input' })
    peer.post({ frame: 'deliver', seq: 6, batch: JSON.stringify(batch), ack: false })
    peer.post({ frame: 'deliver', seq: 7, batch: JSON.stringify([{ ...batch[0], payload: { n: 3 } }]), ack: true })
    await until(() => acks(peer).includes(7), 'ack 7')
    // Only the frame that asked for it is acked.
    expect(acks(peer)).toEqual([7])
    expect(got).toEqual([{ n: 2 }, { n: 3 }])
  })

  it('a frame that is no well-formed batch is acked and delivers nothing; the next one arrives', async () => {
    const { peer, got } = await joinedTab()
    const bad: unknown[] = [
      '{not json', '"a string"', '{"kind":"broadcast"}', JSON.stringify([{ kind: 7, subIds: ['1'], payload: 1 }]),
      JSON.stringify([{ kind: 'broadcast', subIds: [1], event: 'msg', payload: 1 }]), JSON.stringify([null]), 42,
      JSON.stringify(Array.from({ length: 10_001 }, () => ({ kind: 'broadcast', subIds: ['1'], event: 'msg', payload: 0 }))),
    ]
    for (const [n, batch] of bad.entries()) peer.post({ frame: 'deliver', seq: n, batch, ack: true })
    peer.post({ frame: 'deliver', seq: 'x', batch: '[]', ack: true })
    peer.post({ frame: 'deliver', seq: 99, batch: [{ kind: 'broadcast', subIds: ['1'], event: 'msg', payload: { n: 3 } }], ack: true })
    await until(() => acks(peer).includes(99), 'ack 99')
    expect(acks(peer)).toEqual([...bad.keys(), 99])
    expect(got).toEqual([{ n: 3 }])
  })
})

function acks(peer: RawPeer): unknown[] {
  return peer.received.filter((m) => typeof m === 'object' && m !== null && m['frame'] === 'ack').map((m) => m['seq'])
}
