/**
 * Heap samples and their trend: `heapUsed` after a full collection (run Node with `--expose-gc`;
 * without it the samples include garbage and the slope is noise, which the report says).
 */

/** One sample: seconds since the start, heap in bytes. */
export interface HeapSample {
  s: number
  bytes: number
}

/**
 * Samples the heap every `everyMs` until stopped.
 * @example
 * const heap = sampleHeap(1_000); await load(); const samples = heap.stop()
 */
export function sampleHeap(everyMs: number): { stop(): HeapSample[]; readonly isExact: boolean } {
  const gc = (globalThis as { gc?: () => void }).gc
  const start = performance.now()
  const samples: HeapSample[] = []
  const take = (): void => {
    gc?.()
    samples.push({ s: (performance.now() - start) / 1000, bytes: process.memoryUsage().heapUsed })
  }
  take()
  const timer = setInterval(take, everyMs)
  return {
    isExact: gc !== undefined,
    stop() {
      clearInterval(timer)
      take()
      return samples
    },
  }
}

/**
 * Least-squares slope of the samples in MB per minute (0 for fewer than two).
 * @example
 * slopeMbPerMin([{ s: 0, bytes: 0 }, { s: 60, bytes: 1_048_576 }]) // 1
 */
export function slopeMbPerMin(samples: readonly HeapSample[]): number {
  const n = samples.length
  if (n < 2) return 0
  const meanS = samples.reduce((sum, p) => sum + p.s, 0) / n
  const meanB = samples.reduce((sum, p) => sum + p.bytes, 0) / n
  let num = 0
  let den = 0
  for (const p of samples) {
    num += (p.s - meanS) * (p.bytes - meanB)
    den += (p.s - meanS) ** 2
  }
  return den === 0 ? 0 : ((num / den) * 60) / (1024 * 1024)
}
