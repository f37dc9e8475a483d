/**
 * The addresses `global-setup.ts` hands to specs, through environment variables (Playwright passes
 * the runner's environment to its test workers).
 */

/** What every spec needs to reach the test app and the run's Realtime server. */
export interface E2eEnv {
  /** Base URL of the built test app, e.g. `http://127.0.0.1:41234/`. */
  appUrl: string
  /** The Realtime server's project URL, e.g. `http://127.0.0.1:41235`. */
  realtimeUrl: string
  /** The anon key the Realtime server accepts. */
  anonKey: string
}

/** Environment variable names, shared by the setup that writes them and the specs that read them. */
export const ENV_KEYS = {
  appUrl: 'TABRELAY_E2E_APP_URL',
  realtimeUrl: 'TABRELAY_E2E_REALTIME_URL',
  anonKey: 'TABRELAY_E2E_ANON_KEY',
} as const satisfies Record<keyof E2eEnv, string>

/**
 * Reads the run's addresses; throws when the global setup did not run.
 * @example
 * const { appUrl, realtimeUrl, anonKey } = e2eEnv()
 */
export function e2eEnv(): E2eEnv {
  const read = (key: keyof E2eEnv): string => {
    const value = process.env[ENV_KEYS[key]]
    if (!value) throw new Error(`${ENV_KEYS[key]} is not set: run the specs with \`npx playwright test\`, whose globalSetup sets it`)
    return value
  }
  return { appUrl: read('appUrl'), realtimeUrl: read('realtimeUrl'), anonKey: read('anonKey') }
}
