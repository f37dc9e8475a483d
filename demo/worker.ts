// The demo app's SharedWorker: the whole hub, as an app would write it.
import { serveHub } from '../worker/index.ts'
serveHub()
