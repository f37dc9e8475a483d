/**
 * The addresses the WebKit runner (test/webkit/run.ts) hands to its test files, through the
 * environment: the e2e ones (test/e2e/support/env.ts) plus the WebKitWebDriver URL.
 */
import { e2eEnv, type E2eEnv } from '../../e2e/support/env.ts'

/** The environment variable with the WebKitWebDriver URL. */
export const DRIVER_URL_KEY = 'TABRELAY_WEBKIT_DRIVER_URL'

/** The environment variable with the WebKitWebDriver's process id. */
export const DRIVER_PID_KEY = 'TABRELAY_WEBKIT_DRIVER_PID'

/** What every WebKit test needs. */
export interface WebkitEnv extends E2eEnv {
  /** e.g. `http://127.0.0.1:41236` */
  driverUrl: string
  /** The driver's pid: the browser processes of this run descend from it. */
  driverPid: number
}

/**
 * Reads the run's addresses; throws when the runner did not set them.
 * @example
 * const { driverUrl, realtimeUrl } = webkitEnv()
 */
export function webkitEnv(): WebkitEnv {
  const driverUrl = process.env[DRIVER_URL_KEY]
  const driverPid = Number(process.env[DRIVER_PID_KEY])
  if (!driverUrl || !Number.isInteger(driverPid) || driverPid <= 1) {
    throw new Error(`${DRIVER_URL_KEY} or ${DRIVER_PID_KEY} is not set: run the WebKit suite with \`npm run test:webkit\``)
  }
  return { ...e2eEnv(), driverUrl, driverPid }
}
