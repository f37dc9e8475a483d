/**
 * The test app's hub worker for the plain WebSocket transport (Django Channels inbox frames), with
 * numeric hub options read from this script's URL like worker.ts.
 */
import { serveHub } from '../../../worker/index.ts'
import { inboxFrames, websocketTransport } from '../../../worker/transports/websocket/index.ts'
import { hubOptionsFrom } from './params.ts'

const options = hubOptionsFrom(new URL(self.location.href).searchParams)
console.info(`tabrelay e2e websocket hub starting with options ${JSON.stringify(options)}`)
serveHub({ connectTimeoutMs: 5_000, ...options, transports: { inbox: websocketTransport(inboxFrames()) } })
