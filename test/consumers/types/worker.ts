/** The worker side against the packed declarations, under the WebWorker lib. */
import { serveHub, supabaseTransport, type Transport } from 'tabrelay/worker'
import 'tabrelay/tabrelay.worker.js'

const hub = serveHub({ transport: supabaseTransport() })
export type { Transport }
export { hub }
