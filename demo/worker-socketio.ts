// The demo's SharedWorker for ?transport=socketio: the hub serving one Socket.IO connection per user,
// as such an app's worker file would be written.
import { serveHub } from '../worker/index.ts'
import { socketioTransport } from '../worker/transports/socketio/index.ts'

serveHub({ connectTimeoutMs: 5_000, transports: { socketio: socketioTransport() } })
