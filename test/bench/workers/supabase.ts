// A worker serving Supabase Realtime only (as worker/default.ts).
import { serveHub } from '../../../worker/index.ts'
import { supabaseTransport } from '../../../worker/transports/supabase/index.ts'

serveHub({ transports: { supabase: supabaseTransport() } })
