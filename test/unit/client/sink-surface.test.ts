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
    const { peer, got } = await joinedTab()
    for (const message of MALFORMED) peer.post(message)
    const batch = [{ kind: 'broadcast', subIds: ['1'], event: 'msg', payload: { n: 2 } }]
    const reply = await peer.request({ type: 'APPLY', path: ['deliver'], argumentList: [{ type: 'RAW', value: batch }] })
    expect(reply).toMatchObject({ type: 'RAW' })
    expect(peer.answers).toEqual([reply])
    expect(got).toEqual([{ n: 2 }])
  })
})
