/**
 * The SSE e2e app's hub: one SSE transport, streams on this page's own origin (nginx + nchan).
 */
import { serveHub } from '../../../worker/index.ts'
import { sseTransport } from '../../../worker/transports/sse/index.ts'

console.info('tabrelay e2e SSE hub starting')
serveHub({ transports: { sse: sseTransport({ keepAliveMs: 30_000 }) } })
