// src/realtime.worker.ts — the hub: it holds the one connection and carries only the transports it names
import { serveHub } from 'tabrelay/worker'
import { supabaseTransport } from 'tabrelay/worker/supabase'
serveHub({ transports: { supabase: supabaseTransport() } })
