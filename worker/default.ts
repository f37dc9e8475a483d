/**
 * The ready-made worker entry, for apps that need no hub options:
 * `new SharedWorker(new URL('tabrelay/worker/default', import.meta.url), { type: 'module', name: workerName() })`.
 */
import { serveHub } from './index.ts'

serveHub()
