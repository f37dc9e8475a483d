import { describe, expect, it } from 'vitest'
import { Ledger } from '../../soak/ledger.ts'
import { addSums, emptySums, tallyOf } from '../../soak/tally.ts'

// A tab as the tally sees it: its ledgers per topic and its malformed count.
function tab(received: number[][], malformed = 0): { ledgers: Map<string, Ledger>; malformed: number } {
  const ledgers = new Map<string, Ledger>()
  received.forEach((seqs, i) => {
    const ledger = new Ledger(16)
    for (const seq of seqs) ledger.receive(seq)
    ledgers.set(`topic-${i}`, ledger)
  })
  return { ledgers, malformed }
}

describe('the soak tally', () => {
  it('tabs folded into sums as they close count the same as tabs kept to the end', () => {
    const make = () => [tab([[0, 1, 3], [0, 0]]), tab([[2, 4]], 1), tab([[5], [1, 2]])]
    const kept = tallyOf(make(), [6, 3], 2)
    const [first, second, last] = make()
    const retired = emptySums()
    if (!first || !second || !last) throw new Error('three tabs')
    addSums(retired, [first])
    addSums(retired, [second])
    expect(tallyOf([last], [6, 3], 2, retired)).toEqual(kept)
    expect(kept).toEqual({ tabInstances: 3, published: 9, received: 9, lost: 1 + 1 + 2, duplicated: 1, outOfOrder: 0, malformed: 1, resyncs: 0, tailMissing: 2 })
  })
})
