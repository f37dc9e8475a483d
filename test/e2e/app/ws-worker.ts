/**
 * The test app's hub worker for the plain WebSocket transport (Django Channels inbox frames), with
 * numeric hub options read from this script's URL like worker.ts, and `replay=1` for a server that
 * replays with `since` (test/servers/django).
 */
import { serveHub } from '../../../worker/index.ts'
import { inboxFrames, websocketTransport } from '../../../worker/transports/websocket/index.ts'
import { hubOptionsFrom } from './params.ts'

const search = new URL(self.location.href).searchParams
const options = hubOptionsFrom(search)
console.info(`tabrelay e2e websocket hub starting with options ${JSON.stringify(options)}`)
serveHub({ connectTimeoutMs: 5_000, ...options, transports: { inbox: websocketTransport(inboxFrames({ replay: search.get('replay') === '1' })) } })
