/**
 * The ready-made worker entry for Supabase apps that need no hub options:
 * `new SharedWorker(new URL('tabrelay/worker/default', import.meta.url), { type: 'module', name: workerName() })`.
 */
import { serveHub } from './index.ts'
import { supabaseTransport } from './transports/supabase/index.ts'

serveHub({ transports: { supabase: supabaseTransport() } })
