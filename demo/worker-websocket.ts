// The demo's SharedWorker for ?transport=websocket: the hub serving one plain WebSocket per user
// to a Django Channels-style inbox (`/ws/inbox/`), as such an app's worker file would be written.
import { hubDevtools } from '../worker/devtools.ts'
import { serveHub } from '../worker/index.ts'
import { inboxFrames, websocketTransport } from '../worker/transports/websocket/index.ts'
import { persistedSends } from '../worker/persist/index.ts'

// persist: messages typed while the socket is down wait in IndexedDB (the page asks with outbox: 'persist').
serveHub({ devtools: hubDevtools(), connectTimeoutMs: 5_000, persist: persistedSends(), transports: { inbox: websocketTransport(inboxFrames()) } })
