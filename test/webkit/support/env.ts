/**
 * The addresses the WebKit runner (test/webkit/run.ts) hands to its test files, through the
 * environment: the e2e ones (test/e2e/support/env.ts) plus the WebKitWebDriver URL.
 */
import { e2eEnv, type E2eEnv } from '../../e2e/support/env.ts'

/** The environment variable with the WebKitWebDriver URL. */
export const DRIVER_URL_KEY = 'TABRELAY_WEBKIT_DRIVER_URL'

/** What every WebKit test needs. */
export interface WebkitEnv extends E2eEnv {
  /** e.g. `http://127.0.0.1:41236` */
  driverUrl: string
}

/**
 * Reads the run's addresses; throws when the runner did not set them.
 * @example
 * const { driverUrl, realtimeUrl } = webkitEnv()
 */
export function webkitEnv(): WebkitEnv {
  const driverUrl = process.env[DRIVER_URL_KEY]
  if (!driverUrl) throw new Error(`${DRIVER_URL_KEY} is not set: run the WebKit suite with \`npm run test:webkit\``)
  return { ...e2eEnv(), driverUrl }
}
