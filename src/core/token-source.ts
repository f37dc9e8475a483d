/**
 * Where a tab's token comes from when the hub asks (before it resumes, retries or rejoins): the
 * app's `accessToken()` callback if it gave one, else the last `setAuth()` token.
 */
import { type Clock, withTimeout } from '../contract/clock.ts'
import type { WireError } from '../contract/protocol.ts'

/**
 * The tab's token source.
 * @example
 * const tokens = new TokenSource(options.accessToken, 10_000, clock, report); await tokens.fresh()
 */
export class TokenSource {
  readonly #callback: (() => Promise<string | null> | string | null) | undefined
  readonly #timeoutMs: number
  readonly #clock: Clock
  readonly #problem: (error: WireError) => void
  #last: string | null = null

  constructor(callback: (() => Promise<string | null> | string | null) | undefined, timeoutMs: number, clock: Clock, problem: (error: WireError) => void) {
    this.#callback = callback
    this.#timeoutMs = timeoutMs
    this.#clock = clock
    this.#problem = problem
  }

  /** Remembers what `setAuth()` gave. */
  set(token: string | null): void {
    this.#last = token
  }

  /** The callback's token (bounded by the call timeout), else the last one. */
  async fresh(): Promise<string | null> {
    const source = this.#callback
    if (!source) return this.#last
    try {
      const token = await withTimeout(Promise.resolve().then(source), this.#timeoutMs, 'accessToken()', this.#clock)
      if (token === null || typeof token === 'string') this.#last = token
      else throw new TypeError(`it returned ${typeof token}, not a string or null`)
    } catch (error) {
      // Keep the last token (the hub keeps the freshest one it has seen for this identity), but
      // say so: silently going on with a stale or no token reads as a mystery "anonymous" later.
      const reason = error instanceof Error ? error.message : String(error)
      const message = `accessToken() failed (${reason}); tabrelay goes on with ${this.#last === null ? 'no token (anonymous)' : 'the last token it had'}`
      console.warn(`tabrelay: ${message}`)
      this.#problem({ code: 'token-failed', message })
    }
    return this.#last
  }
}
