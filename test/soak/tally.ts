/**
 * Sums the ledgers of every tab a scenario opened (closed ones included) and runs the tail check:
 * one last message per topic that every open tab must receive.
 */
import type { ServerControl } from './control.ts'
import { until, type SoakTab } from './fleet.ts'

/** What a scenario's tabs received, summed. */
export interface Tally {
  tabInstances: number
  published: number
  received: number
  lost: number
  duplicated: number
  outOfOrder: number
  malformed: number
  resyncs: number
  /** Open tab × topic pairs that never got the final message (counted in `lost` too). */
  tailMissing: number
}

/**
 * Publishes one more message per topic and waits (at most `ms` a round) for every open tab to get
 * it. A tab that got a resync on that topic meanwhile was told of a gap (a drop raced the final
 * message): another round is published for it, up to three.
 * @example
 * const missing = await tail(server, open, topics, sentSoFar, 20_000)
 */
export async function tail(server: ServerControl, open: readonly SoakTab[], topics: string[], counts: number[], ms: number): Promise<number> {
  let pending = open.flatMap((tab) => topics.map((topic, i) => ({ tab, topic, i })))
  for (let round = 0; round < 3 && pending.length > 0; round += 1) {
    await until(() => open.every((tab) => tab.isSubscribed), ms)
    const resyncsBefore = pending.map(({ tab, topic }) => tab.ledgers.get(topic)?.resyncs ?? 0)
    const answer = await server.ask<'published'>({ type: 'publish', topics, rate: 1_000, durationMs: topics.length, firstSeq: counts }, 10_000)
    answer.counts.forEach((n, i) => { counts[i] = (counts[i] ?? 0) + n })
    const has = ({ tab, topic, i }: (typeof pending)[number]): boolean => tab.ledgers.get(topic)?.has((counts[i] ?? 0) - 1) === true
    const excused = (p: (typeof pending)[number], k: number): boolean => (p.tab.ledgers.get(p.topic)?.resyncs ?? 0) > (resyncsBefore[k] ?? 0)
    await until(() => pending.every((p, k) => has(p) || excused(p, k)), ms)
    pending = pending.filter((p, k) => !has(p) && (excused(p, k) || round === 2))
  }
  return pending.length
}

/** What tabs' ledgers sum to: all a scenario keeps of a tab once it closed. */
export type LedgerSums = Omit<Tally, 'published' | 'tailMissing'>

/**
 * Sums that start at zero.
 * @example
 * const retired = emptySums(); addSums(retired, [closedTab])
 */
export function emptySums(): LedgerSums {
  return { tabInstances: 0, received: 0, lost: 0, duplicated: 0, outOfOrder: 0, malformed: 0, resyncs: 0 }
}

/**
 * Closes the tabs' ledgers and adds them to `into` (changed in place and returned), so a closed
 * tab's ledgers need not be kept: kept, they would grow the heap the soak measures by ~7 kB a tab.
 * @example
 * await tab.close(); addSums(retired, [tab])
 */
export function addSums(into: LedgerSums, tabs: ReadonlyArray<Pick<SoakTab, 'ledgers' | 'malformed'>>): LedgerSums {
  for (const tab of tabs) {
    into.tabInstances += 1
    into.malformed += tab.malformed
    for (const ledger of tab.ledgers.values()) {
      ledger.close()
      into.received += ledger.received
      into.lost += ledger.lost
      into.duplicated += ledger.duplicates
      into.outOfOrder += ledger.outOfOrder
      into.resyncs += ledger.resyncs
    }
  }
  return into
}

/**
 * Closes every ledger and sums them, with the sums of tabs that closed earlier.
 * @example
 * const tally = tallyOf(openTabs, counts, missing, retired)
 */
export function tallyOf(tabs: ReadonlyArray<Pick<SoakTab, 'ledgers' | 'malformed'>>, counts: readonly number[], tailMissing: number, retired: LedgerSums = emptySums()): Tally {
  const sums = addSums({ ...retired }, tabs)
  return { ...sums, published: counts.reduce((a, b) => a + b, 0), lost: sums.lost + tailMissing, tailMissing }
}
