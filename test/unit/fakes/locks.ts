/**
 * A hand-written Web Locks manager for one process: exclusive locks granted in request order,
 * `signal` withdraws a queued request, `steal` takes a held lock (the holder's request rejects
 * with AbortError, as in browsers), and `crash()` drops everything one "page" held or queued,
 * as a closed or crashed page does; `query()` names each held lock's holder (`page-<n>`).
 */
import type { HostLocks } from '../../../src/hosts/hosting.ts'

interface Request {
  agent: number
  callback: () => Promise<void> | void
  resolve(value: unknown): void
  reject(error: unknown): void
}

interface Slot {
  holder: Request | null
  queue: Request[]
}

function abortError(): Error {
  const error = new Error('the lock request was aborted')
  error.name = 'AbortError'
  return error
}

/** One page's view of the manager: its requests, and its crash. */
export interface LockAgent extends HostLocks {
  /** Releases every lock this page holds and withdraws its queued requests. */
  crash(): void
}

/** The origin's lock manager. */
export class FakeLocks {
  readonly #slots = new Map<string, Slot>()
  readonly #paused = new Set<string>()
  #agents = 0

  /** A new page. */
  agent(): LockAgent {
    const agent = ++this.#agents
    return {
      request: (name, options, callback) => this.#request(agent, name, options, callback),
      query: () => Promise.resolve({ held: this.#held() }),
      crash: () => this.#crash(agent),
    }
  }

  /** Who holds `name` now (the agent number), `null` when nobody. */
  holder(name: string): number | null {
    return this.#slots.get(name)?.holder?.agent ?? null
  }

  // As `navigator.locks.query()`: each held lock with its holder's client id.
  #held(): Array<{ name: string; clientId: string }> {
    const held: Array<{ name: string; clientId: string }> = []
    for (const [name, slot] of this.#slots) if (slot.holder) held.push({ name, clientId: `page-${slot.holder.agent}` })
    return held
  }

  #slot(name: string): Slot {
    let slot = this.#slots.get(name)
    if (!slot) {
      slot = { holder: null, queue: [] }
      this.#slots.set(name, slot)
    }
    return slot
  }

  #request(agent: number, name: string, options: { signal?: AbortSignal; steal?: boolean }, callback: () => Promise<void> | void): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const slot = this.#slot(name)
      const request: Request = { agent, callback, resolve, reject }
      if (options.signal?.aborted) return reject(abortError())
      if (options.steal) {
        const stolen = slot.holder
        slot.holder = null
        stolen?.reject(abortError())
        this.#grant(name, slot, request)
        return
      }
      options.signal?.addEventListener('abort', () => {
        const index = slot.queue.indexOf(request)
        if (index >= 0) {
          slot.queue.splice(index, 1)
          reject(abortError())
        }
      })
      slot.queue.push(request)
      this.#next(name, slot)
    })
  }

  /**
   * Grants nothing queued on `name` until the returned resume is called (a steal still takes it):
   * a lock manager slow to grant, to hold a race window open.
   */
  pause(name: string): () => void {
    this.#paused.add(name)
    return () => {
      this.#paused.delete(name)
      this.#next(name, this.#slot(name))
    }
  }

  #next(name: string, slot: Slot): void {
    if (slot.holder !== null || this.#paused.has(name)) return
    const request = slot.queue.shift()
    if (request) this.#grant(name, slot, request)
  }

  #grant(name: string, slot: Slot, request: Request): void {
    slot.holder = request
    // Granted in a later task, as a browser's lock manager does.
    setTimeout(() => {
      if (slot.holder !== request) return
      Promise.resolve().then(request.callback).then(
        (value) => this.#release(name, slot, request, () => request.resolve(value)),
        (error: unknown) => this.#release(name, slot, request, () => request.reject(error)),
      )
    }, 0)
  }

  #release(name: string, slot: Slot, request: Request, settle: () => void): void {
    if (slot.holder !== request) return
    slot.holder = null
    settle()
    this.#next(name, slot)
  }

  #crash(agent: number): void {
    for (const [name, slot] of this.#slots) {
      slot.queue = slot.queue.filter((r) => r.agent !== agent)
      if (slot.holder?.agent === agent) {
        slot.holder = null
        this.#next(name, slot)
      }
    }
  }
}
