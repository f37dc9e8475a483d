// A worker serving Server-Sent Events only: no realtime-js inside.
import { serveHub } from '../../../worker/index.ts'
import { sseTransport } from '../../../worker/transports/sse/index.ts'

serveHub({ transports: { sse: sseTransport() } })
