// The demo's SharedWorker for ?transport=websocket&django=…: the inbox worker of worker-websocket.ts
// with `since` replay, because the Django project stores messages and replays what a socket missed
// (a daphne restart loses nothing and asks the tabs for no refetch).
import { hubDevtools } from '../worker/devtools.ts'
import { serveHub } from '../worker/index.ts'
import { inboxFrames, websocketTransport } from '../worker/transports/websocket/index.ts'
import { persistedSends } from '../worker/persist/index.ts'

// persist: messages typed while the socket is down wait in IndexedDB (the page asks with outbox: 'persist').
serveHub({ devtools: hubDevtools(), connectTimeoutMs: 5_000, persist: persistedSends(), transports: { inbox: websocketTransport(inboxFrames({ replay: true })) } })
