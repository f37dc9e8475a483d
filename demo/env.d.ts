/**
 * Build-time constants of the demo page, replaced by Vite's `define` (see `vite.config.ts`):
 * the realtime server's URL and its anon key, so every tab sends the same `apikey` and the hub
 * keys them to one connection.
 */
declare const __REALTIME_URL__: string
declare const __ANON_KEY__: string
