// The hub: Vite bundles it (with the app's own @supabase/realtime-js) from the new URL(...) below.
import { serveHub } from 'tabrelay/worker'
import { supabaseTransport } from 'tabrelay/worker/supabase'

serveHub({ transports: { supabase: supabaseTransport() } })
