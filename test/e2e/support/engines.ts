/**
 * Tests whose subject is a server or a count on the server side (a cluster's connections, a store
 * surviving a restart, Redis fan-out between two daphne), or the browser's own per-tab behaviour
 * that tabrelay replaces (the control): the engine is not what they test, so they run in Chromium
 * only, and the Firefox project leaves them out (playwright.config.ts, `grepInvert`) rather than
 * skipping them. What tabrelay does in the tab and the worker stays covered in both engines.
 */
export const ONE_ENGINE_TAG = '@one-engine'

/**
 * The details argument of such a test.
 * @example
 * test('two daphne on one Redis: …', ONE_ENGINE, async ({ context }) => { … })
 */
export const ONE_ENGINE = { tag: ONE_ENGINE_TAG }
