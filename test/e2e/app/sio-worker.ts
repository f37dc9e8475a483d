/**
 * The test app's hub worker for the Socket.IO transport, with numeric hub options read from this
 * script's URL like worker.ts.
 */
import { serveHub } from '../../../worker/index.ts'
import { socketioTransport } from '../../../worker/transports/socketio/index.ts'
import { hubOptionsFrom } from './params.ts'

const options = hubOptionsFrom(new URL(self.location.href).searchParams)
console.info(`tabrelay e2e socket.io hub starting with options ${JSON.stringify(options)}`)
serveHub({ connectTimeoutMs: 5_000, ...options, transports: { socketio: socketioTransport() } })
