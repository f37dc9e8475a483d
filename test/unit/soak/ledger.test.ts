import { describe, expect, it } from 'vitest'
import { Ledger } from '../../soak/ledger.ts'
import { slopeMbPerMin } from '../../soak/heap.ts'

describe('the soak ledger (what counts as lost)', () => {
  it('a hole between two received messages is lost; a duplicate and a late one are counted', () => {
    const ledger = new Ledger(16)
    for (const seq of [0, 1, 3, 3, 2]) ledger.receive(seq)
    expect(ledger.close()).toMatchObject({ received: 4, duplicates: 1, outOfOrder: 1, lost: 0 })
    const holed = new Ledger(16)
    for (const seq of [0, 1, 4]) holed.receive(seq)
    expect(holed.close().lost).toBe(2)
  })

  it('a resync excuses the gap it announces, not holes before it', () => {
    const ledger = new Ledger(16)
    for (const seq of [0, 2, 3]) ledger.receive(seq)
    ledger.resync()
    for (const seq of [9, 10]) ledger.receive(seq)
    expect(ledger.close()).toMatchObject({ lost: 1, resyncs: 1, received: 5 })
  })

  it('grows past the planned size', () => {
    const ledger = new Ledger(8)
    ledger.receive(0)
    ledger.receive(100)
    expect(ledger.has(100)).toBe(true)
    expect(ledger.close().lost).toBe(99)
  })
})

describe('heap slope', () => {
  it('fits MB per minute by least squares', () => {
    const MB = 1024 * 1024
    expect(slopeMbPerMin([{ s: 0, bytes: 10 * MB }, { s: 30, bytes: 10.5 * MB }, { s: 60, bytes: 11 * MB }])).toBeCloseTo(1)
    expect(slopeMbPerMin([{ s: 0, bytes: MB }])).toBe(0)
  })
})
