/**
 * The two SSE servers the contract suite runs against, behind one shape: nginx + nchan, and the
 * embedded endpoint of the demo server.
 */
import { startRealtimeServer, type Stats } from '../../../demo/server/index.ts'
import { startNchan } from '../../servers/nchan.ts'

/**
 * Server knobs both targets understand.
 *
 * @example
 * await target.start({ subscriberTimeoutS: 1 })
 */
export interface TargetOptions {
  subscriberTimeoutS?: number
  bufferLength?: number
  pingIntervalS?: number
  maxBodyBytes?: number
}

/**
 * A running target.
 *
 * @example
 * const server = await target.start(); await server.streams(); await server.stop()
 */
export interface RunningTarget {
  url: string
  /** Open streams as the server reports them (nchan_stub_status, or /stats). */
  streams(): Promise<number>
  stop(): Promise<void>
}

/**
 * A server kind the contract runs against.
 *
 * @example
 * describe.each(TARGETS)('$name', (target) => { … })
 */
export interface Target {
  name: string
  start(options?: TargetOptions): Promise<RunningTarget>
}

/**
 * nginx + nchan, then the Node endpoint.
 *
 * @example
 * for (const target of TARGETS) await target.start()
 */
export const TARGETS: readonly Target[] = [
  {
    name: 'nginx + nchan',
    async start(options = {}) {
      const nchan = await startNchan(options)
      return {
        url: nchan.url,
        // `subscribers: N` in nchan's stub status counts streams; a multiplexed one counts once.
        streams: async () => {
          const text = await (await fetch(`${nchan.url}/nchan_status`)).text()
          const match = /^subscribers: (\d+)$/m.exec(text)
          if (match === null) throw new Error(`no subscribers line in nchan_status:\n${text}`)
          return Number(match[1])
        },
        stop: () => nchan.stop(),
      }
    },
  },
  {
    name: 'demo server (Node)',
    async start(options = {}) {
      const { pingIntervalS, ...rest } = options
      const server = await startRealtimeServer({
        port: 0,
        sse: { ...rest, ...(pingIntervalS === undefined ? {} : { heartbeatMs: pingIntervalS * 1000 }) },
      })
      return {
        url: server.url,
        streams: async () => ((await (await fetch(`${server.url}/stats`)).json()) as Stats).sse.streams,
        stop: () => server.close(),
      }
    },
  },
]
