// The demo app's SharedWorker: the whole hub, as an app would write it.
import { hubDevtools } from '../worker/devtools.ts'
import { serveHub } from '../worker/index.ts'
import { supabaseTransport } from '../worker/transports/supabase/index.ts'

serveHub({ devtools: hubDevtools(), transports: { supabase: supabaseTransport() } })
