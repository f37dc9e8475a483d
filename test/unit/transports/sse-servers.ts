/**
 * The SSE transport's contract servers: nginx + nchan and the demo server's Node endpoint, each
 * counting its open streams and dropping them from the server's side.
 */
import { startRealtimeServer, type Stats } from '../../../demo/server/index.ts'
import { startNchan, type NchanOptions } from '../../servers/nchan.ts'
import type { ContractServer } from './fixture.ts'

/**
 * One SSE server as the contract suite and the SSE unit tests use it.
 * @example
 * const server = await SSE_SERVERS[0].start(); await server.connections()
 */
export interface SseServer extends ContractServer {
  url: string
  /** Publishes a raw body, as a backend would. */
  publish(topic: string, body: string): Promise<number>
}

/**
 * A kind of SSE server.
 * @example
 * for (const kind of SSE_SERVERS) await kind.start({ subscriberTimeoutS: 1 })
 */
export interface SseServerKind {
  name: string
  start(options?: Pick<NchanOptions, 'subscriberTimeoutS' | 'bufferLength'> & { retryMs?: number }): Promise<SseServer>
}

const credentialsOf = (url: string) => async (user: string) => ({ target: { transport: 'sse', endpoint: url, params: {}, identity: user }, token: null })

async function post(url: string, body: string): Promise<number> {
  const response = await fetch(url, { method: 'POST', body })
  await response.arrayBuffer()
  return response.status
}

/**
 * nginx + nchan, then the demo server.
 * @example
 * describe.each(SSE_SERVERS)('$name', (kind) => { … })
 */
export const SSE_SERVERS: readonly SseServerKind[] = [
  {
    name: 'nginx + nchan',
    async start(options = {}) {
      const nchan = await startNchan(options)
      return {
        url: nchan.url,
        credentials: credentialsOf(nchan.url),
        // nchan_stub_status's `subscribers` counts streams, a multiplexed one once.
        connections: async () => Number(/^subscribers: (\d+)$/m.exec(await (await fetch(`${nchan.url}/nchan_status`)).text())?.[1] ?? NaN),
        dropAll: () => nchan.restart(),
        close: () => nchan.stop(),
        publish: (topic, body) => post(`${nchan.url}/pub/${encodeURIComponent(topic)}`, body),
      }
    },
  },
  {
    name: 'demo server (Node)',
    async start(options = {}) {
      const { retryMs, ...sse } = options
      const server = await startRealtimeServer({ port: 0, sse: { ...sse, ...(retryMs === undefined ? {} : { retryMs }) } })
      return {
        url: server.url,
        credentials: credentialsOf(server.url),
        connections: async () => ((await (await fetch(`${server.url}/stats`)).json()) as Stats).sse.streams,
        dropAll: async () => server.dropAllConnections(),
        close: () => server.close(),
        publish: (topic, body) => post(`${server.url}/pub/${encodeURIComponent(topic)}`, body),
      }
    },
  },
]
