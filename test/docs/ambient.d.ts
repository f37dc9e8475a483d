/**
 * What the docs' tab-side snippets take as the app's own: its config, auth, UI functions. Declared
 * here, not in the snippets, so each snippet shows only tabrelay's part; everything of tabrelay's
 * a snippet uses must compile as written.
 */
declare const url: string
declare const apikey: string
declare const WORKER_URL: URL
declare const userId: string
declare const user: { id: string }
declare const supabase: { auth: { getSession(): Promise<{ data: { session: { access_token: string } | null } }> } }
/** The app's client, made as the quick start shows. */
declare const realtime: import('tabrelay/supabase').SharedRealtime
declare const accessToken: () => Promise<string | null>
declare const worker: () => SharedWorker
declare let notificationsEnabled: boolean
declare function getSession(): Promise<{ access_token: string } | null>
declare function render(value: unknown): void
declare function showOnline(presence: unknown): void
declare function add(row: unknown): void
declare function backfill(since: number | null): Promise<void>
declare function banner(status: string, retryAt: number | undefined, error: { code: string; message: string } | undefined): void
declare function toast(frame: unknown): void
declare function markMessage(payload: unknown, state: string): void
