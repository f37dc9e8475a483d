/**
 * Bounded polling: the one way specs wait for a state they cannot be told about (server stats,
 * what a page has received). Never a bare sleep.
 */

/** Options of {@link waitFor}. */
export interface WaitOptions {
  /** Give up after this long; default 10 000. */
  timeoutMs?: number
  /** Pause between probes; default 50. */
  intervalMs?: number
  /** What is awaited, for the timeout message. */
  what?: string
}

/**
 * Calls `probe` until it returns a truthy value and returns that value; throws after `timeoutMs`
 * with the last value seen (or the last error the probe threw).
 * @example
 * await waitFor(async () => (await stats(url)).connections === 1, { what: 'one connection' })
 */
export async function waitFor<T>(probe: () => T | Promise<T>, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 50, what = 'condition' } = options
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value) return value
      last = value
    } catch (error) {
      last = error instanceof Error ? `threw ${error.message}` : error
    }
    if (Date.now() >= deadline) throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms; last: ${show(last)}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/**
 * Polls `read` until `isDone(value)` holds and returns the value; throws after `timeoutMs` with
 * the last value, so a failure shows what the state was.
 * @example
 * const s = await waitUntil(() => stats(url), (s) => s.connections === 0, { what: 'no sockets' })
 */
export async function waitUntil<T>(read: () => T | Promise<T>, isDone: (value: T) => boolean, options: WaitOptions = {}): Promise<T> {
  let last: T | undefined
  try {
    await waitFor(async () => {
      last = await read()
      return isDone(last)
    }, options)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new Error(`${message.replace(/; last: .*$/s, '')}; last value: ${show(last)}`)
  }
  return last as T
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text === undefined ? String(value) : text.length > 2000 ? `${text.slice(0, 2000)}…` : text
}
