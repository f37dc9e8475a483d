/**
 * The hub profile's hot spots (`npm run bench -- --profile`): self and total time per function
 * from a sampling profile's call tree, idle left out, recursion counted once.
 */
import { describe, expect, it } from 'vitest'
import { hotSpots, renderHotSpots } from '../../bench/report/profile.ts'
import type { Profile } from '../../bench/worker-probe.ts'

// (root) → deliver (hub.ts:10) → post (sink-link.ts:38) → deliver again (recursion); (idle) beside.
const profile: Profile = {
  nodes: [
    { id: 1, callFrame: { functionName: '(root)' }, children: [2, 5] },
    { id: 2, callFrame: { functionName: 'deliver', url: 'http://127.0.0.1:1/assets/hub.js', lineNumber: 9 }, children: [3] },
    { id: 3, callFrame: { functionName: 'post', url: 'http://127.0.0.1:1/assets/sink-link.js', lineNumber: 37 }, children: [4] },
    { id: 4, callFrame: { functionName: 'deliver', url: 'http://127.0.0.1:1/assets/hub.js', lineNumber: 9 } },
    { id: 5, callFrame: { functionName: '(idle)' } },
  ],
  samples: [2, 3, 3, 4, 5, 5],
  timeDeltas: [1000, 2000, 2000, 500, 9000, 9000],
}

describe('profile hot spots', () => {
  it('adds each sample to its function (self) and once to every function on its stack (total)', () => {
    const spots = hotSpots(profile)
    expect(spots.map((s) => s.name)).toEqual(['post', 'deliver'])
    // post: itself 2 + 2 ms; total adds the 0.5 ms of the deliver it called.
    expect(spots[0]).toEqual({ name: 'post', where: 'sink-link.js:38', selfMs: 4, totalMs: 4.5 })
    // deliver: itself 1 + 0.5 ms; on the stack of all four busy samples, the recursive one once.
    expect(spots[1]).toEqual({ name: 'deliver', where: 'hub.js:10', selfMs: 1.5, totalMs: 5.5 })
  })

  it('prints the busy total, per 1 000 messages, and the rows', () => {
    const text = renderHotSpots('delivery', profile, 2000)
    expect(text).toContain('busy 6 ms (2.8 ms per 1 000 messages)')
    expect(text).toContain('| post | sink-link.js:38 | 4.0 | 4.5 | 2.0 |')
    expect(text).not.toContain('(idle)')
  })
})
