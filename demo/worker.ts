// The demo app's SharedWorker: the whole hub, as an app would write it.
import { serveHub } from '../worker/index.ts'
import { supabaseTransport } from '../worker/transports/supabase/index.ts'

serveHub({ transports: { supabase: supabaseTransport() } })
