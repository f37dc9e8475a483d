/**
 * The runner's end of the server process: starts it, sends requests, waits for answers with a
 * bound on every wait.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ToRunner, ToServer } from './messages.ts'

type Request = ToServer extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never

/**
 * The server process and its requests.
 * @example
 * const server = await startServer(); const { token } = await server.ask({ type: 'token', sub: 'u' }, 5_000)
 */
export interface ServerControl {
  url: string
  anonKey: string
  ask<T extends ToRunner['type']>(request: Request, ms: number): Promise<Extract<ToRunner, { type: T }>>
  stop(): void
}

/**
 * Forks `server.ts` under tsx and resolves once it listens (at most 20 s).
 * @example
 * const server = await startServer()
 */
export function startServer(): Promise<ServerControl> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const waiting = new Map<number, (message: ToRunner) => void>()
  let nextId = 1
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the soak server did not start within 20 s')), 20_000)
    child.on('exit', (code) => reject(new Error(`the soak server exited (${code ?? 'signal'})`)))
    child.on('message', (message: ToRunner) => {
      if (message.type !== 'ready') {
        waiting.get(message.id)?.(message)
        waiting.delete(message.id)
        return
      }
      clearTimeout(timer)
      resolve({
        url: message.url, anonKey: message.anonKey,
        ask<T extends ToRunner['type']>(request: Request, ms: number) {
          const id = nextId++
          return new Promise<Extract<ToRunner, { type: T }>>((done, fail) => {
            const timeout = setTimeout(() => { waiting.delete(id); fail(new Error(`soak server: no answer to ${request.type} within ${ms} ms`)) }, ms)
            waiting.set(id, (answer) => { clearTimeout(timeout); done(answer as Extract<ToRunner, { type: T }>) })
            child.send({ ...request, id })
          })
        },
        stop() {
          child.removeAllListeners('exit')
          child.kill()
        },
      })
    })
  })
}
