// The app's realtime owner before tabrelay: supabase-js's client.
import { createClient } from '@supabase/supabase-js'

export const client = createClient('http://127.0.0.1:54321', 'anon-key')
