/**
 * The core transport contract against the SSE transport, in both stream layouts, over nginx + nchan
 * and over the demo server's Node endpoint: streams are the connections the servers count.
 */
import { sseTransport } from '../../../worker/transports/sse/index.ts'
import { runTransportContract } from './contract.ts'
import { SSE_SERVERS } from './sse-servers.ts'

for (const kind of SSE_SERVERS) {
  for (const mode of ['per-topic', 'multiplexed'] as const) {
    runTransportContract({
      name: `sse ${mode} over ${kind.name}`,
      transport: () => sseTransport({ mode, debounceMs: 5 }),
      start: () => kind.start(),
    })
  }
}
