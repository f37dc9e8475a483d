// The demo's SharedWorker for `?transport=sse`: the hub with the SSE transport only, so this
// worker bundles neither realtime-js nor the Supabase rules.
import { hubDevtools } from '../../worker/devtools.ts'
import { serveHub } from '../../worker/index.ts'
import { sseTransport } from '../../worker/transports/sse/index.ts'

serveHub({ devtools: hubDevtools(), transports: { sse: sseTransport() } })
