// A worker serving the plain-WebSocket inbox only: no realtime-js inside.
import { serveHub } from '../../../worker/index.ts'
import { inboxFrames } from '../../../worker/transports/websocket/inbox.ts'
import { websocketTransport } from '../../../worker/transports/websocket/index.ts'

serveHub({ transports: { inbox: websocketTransport(inboxFrames()) } })
