// The demo's SharedWorker for `?transport=sse`: the hub with the SSE transport only, so this
// worker bundles neither realtime-js nor the Supabase rules.
import { serveHub } from '../../worker/index.ts'
import { sseTransport } from '../../worker/transports/sse/index.ts'

serveHub({ transports: { sse: sseTransport() } })
