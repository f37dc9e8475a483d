/**
 * Ctrl-C, SIGTERM and SIGHUP (the terminal closed) for the dev processes (`npm run server`, `npm run
 * demo`): close once, then exit 0, or 1 if closing failed. `DEMO_INBOX=django` runs daphne and Redis
 * in their own process groups, which no signal to the terminal reaches: only this close stops them.
 */

/**
 * Closes with `close()` on the first SIGINT, SIGTERM or SIGHUP, then exits.
 * @example
 * stopOnSignals(() => server.close(), 'realtime')
 */
export function stopOnSignals(close: () => Promise<void>, label: string): void {
  let isStopping = false
  const stop = (): void => {
    if (isStopping) return
    isStopping = true
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`${label}: error while stopping`, error)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  process.on('SIGHUP', stop)
}
