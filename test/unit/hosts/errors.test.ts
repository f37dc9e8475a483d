/**
 * Errors keep their code in the 'leader-tab' mode too, where the tab reaches the hub over a
 * BroadcastChannel address instead of a SharedWorker port (no global Comlink handler is involved).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { transferHandlers } from 'comlink'
import type { StatusEvent } from '../../../src/contract/protocol.ts'
import { until } from '../client/harness.ts'
import { Origin } from './rig.ts'

let origin = new Origin()
afterEach(async () => {
  await origin.close()
  origin = new Origin()
})

describe("host 'leader-tab': the hub's RelayErrors", () => {
  it("reach a tab with their code: a hello for a transport the hub does not serve is 'unsupported', and the tab stops", async () => {
    const comlinks = transferHandlers.get('throw')
    const host = origin.tab()
    await until(() => host.relay.status === 'open', 'the host tab open')
    // The rig's tabs ask for the 'inbox' transport; this one asks the same hub for another.
    const stranger = origin.tab('user-2', { transport: 'nope' } as Parameters<Origin['tab']>[1])
    const seen: StatusEvent[] = []
    stranger.relay.onStatus((_status, detail) => { seen.push(detail) })
    await until(() => stranger.relay.status === 'closed', 'the stranger closed')
    expect(seen.at(-1)?.error).toMatchObject({ code: 'unsupported', message: expect.stringMatching(/nope/) })
    expect(host.relay.status).toBe('open')
    // The code came through tabrelay's own reply shape: Comlink's global handler is the one it had.
    expect(transferHandlers.get('throw')).toBe(comlinks)
  })
})
