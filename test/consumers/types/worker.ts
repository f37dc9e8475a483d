/** The worker side against the packed declarations, under the WebWorker lib. */
import { serveHub, type Transport } from 'tabrelay/worker'
import { supabaseTransport } from 'tabrelay/worker/supabase'
import 'tabrelay/tabrelay.worker.js'

const hub = serveHub({ transports: { supabase: supabaseTransport() } })
export type { Transport }
export { hub }
