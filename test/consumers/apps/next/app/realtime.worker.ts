// The hub, bundled by Next (Turbopack or webpack) from the new URL(...) in room.tsx.
import { serveHub } from 'tabrelay/worker'
import { supabaseTransport } from 'tabrelay/worker/supabase'

serveHub({ transports: { supabase: supabaseTransport() } })
