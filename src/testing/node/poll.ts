/**
 * Bounded polling for a state that spans several pages (one leader among N tabs, a tab count read
 * after a close), which no single page can signal. Never a bare sleep: each round reads the state.
 */

/**
 * Options of {@link pollUntil}.
 * @example
 * await pollUntil(read, isDone, { what: 'one leader', timeoutMs: 5_000 })
 */
export interface PollOptions {
  /** What is awaited, for the timeout message. */
  what: string
  timeoutMs: number
  /** Pause between reads; default 50 ms. */
  intervalMs?: number
}

/**
 * Calls `read` until `isDone(value)` holds and returns that value; throws after `timeoutMs` with
 * the last value (or error) seen, so a failure shows the state.
 * @example
 * const flags = await pollUntil(() => leaders(pages), (f) => f.filter(Boolean).length === 1, { what: 'one leader', timeoutMs: 10_000 })
 */
export async function pollUntil<T>(read: () => Promise<T>, isDone: (value: T) => boolean, options: PollOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs
  let last: string = 'nothing yet'
  for (;;) {
    try {
      const value = await read()
      if (isDone(value)) return value
      last = JSON.stringify(value)
    } catch (error) {
      last = `threw ${error instanceof Error ? error.message : String(error)}`
    }
    if (Date.now() >= deadline) throw new Error(`tabrelay/testing: ${options.what} not seen within ${options.timeoutMs} ms; last: ${last.slice(0, 1000)}`)
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50))
  }
}
