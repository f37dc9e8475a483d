/**
 * The hub thread's own CPU time (test/bench/thread-cpu.ts): reading `schedstat`, and which
 * SharedWorker thread ran for a spin of the worker being probed.
 */
import { describe, expect, it } from 'vitest'
import { parseSchedstat, spunThread, threadDelta } from '../../bench/thread-cpu.ts'

const at = (tid: number, runMs: number) => ({ pid: 10, tid, runNs: runMs * 1e6, waitNs: 0 })

describe('thread CPU from schedstat', () => {
  it('reads the time on a core and the time waiting for one, ns', () => {
    expect(parseSchedstat('38463811 26598761 88\n')).toEqual({ runNs: 38463811, waitNs: 26598761 })
    expect(parseSchedstat('')).toBeNull()
    expect(parseSchedstat('abc def 1')).toBeNull()
  })

  it('names the thread that ran for the spin when it stands out', () => {
    const before = [at(1, 500), at(2, 900), at(3, 40)]
    const after = [at(1, 505), at(2, 1000), at(3, 41)]
    expect(spunThread(before, after, 8)).toEqual({ pid: 10, tid: 2 })
  })

  it('names none when the spun thread did not run enough or another ran nearly as much', () => {
    // 5 ms: too little to be sure it was the spin and not a heartbeat.
    expect(spunThread([at(1, 0), at(2, 0)], [at(1, 5), at(2, 0)], 8)).toBeNull()
    // Two threads busy alike (a neighbour's hub streaming): ambiguous.
    expect(spunThread([at(1, 0), at(2, 0)], [at(1, 100), at(2, 60)], 8)).toBeNull()
    // A thread that appeared in between has no before: not a candidate.
    expect(spunThread([at(1, 0)], [at(1, 0), at(2, 110)], 8)).toBeNull()
    // A loaded machine: 20 ms of a core for the spin, the others idle: still found.
    expect(spunThread([at(1, 0), at(2, 0)], [at(1, 20), at(2, 1)], 8)).toEqual({ pid: 10, tid: 1 })
  })
})

describe('threadDelta', () => {
  it('turns two schedstat readings into ms on a core and waiting, NaN when one is missing', () => {
    expect(threadDelta({ runNs: 1_000_000, waitNs: 0 }, { runNs: 4_500_000, waitNs: 2_000_000 })).toEqual({ threadMs: 3.5, waitMs: 2 })
    expect(threadDelta(null, { runNs: 1, waitNs: 1 })).toEqual({ threadMs: Number.NaN, waitMs: Number.NaN })
  })
})
