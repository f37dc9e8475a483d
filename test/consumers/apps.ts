/**
 * The consumer apps: each is an ordinary app of its bundler with its own package.json, installing
 * tabrelay from the packed tarball (`.pack/tabrelay.tgz`) and everything else from the npm registry.
 */

/**
 * One consumer app under test/consumers/.
 * @example
 * const app: ConsumerApp = { name: 'next', outDir: 'out', hubInApp: true, pages: ['/', '/prebuilt.html'] }
 */
export interface ConsumerApp {
  /** Its directory under test/consumers/apps/. */
  name: string
  /** Where `npm run build` writes the static site, relative to the app. */
  outDir: string
  /** The app's bundler builds the hub with the app's own realtime-js (else: the prebuilt worker file only). */
  hubInApp: boolean
  /** The pages to check, each with its own hub worker; default `['/']`. */
  pages?: readonly string[]
  /**
   * The app brings its own Playwright suite (`npm test` in its directory, run by suites.ts) instead
   * of the three-tab check of consumers.spec.ts.
   */
  hasOwnSuite?: boolean
  /**
   * The app's client is the quick start of README.md and docs/guide/quick-start.md, verbatim (its
   * server in the app's `.env`): quick-start.spec.ts opens it instead of the three-tab check.
   */
  isQuickStart?: boolean
}

export const APPS: readonly ConsumerApp[] = [
  // The quick start, verbatim (test/docs/quick-start.ts keeps the docs and the app equal).
  { name: 'vite-react', outDir: 'dist', hubInApp: true, isQuickStart: true },
  // Pins @supabase/realtime-js 2.109.0, the floor of the peer range; the others get 2.119.1.
  { name: 'webpack', outDir: 'dist', hubInApp: true },
  // `/` bundles the hub, `/prebuilt.html` serves dist/tabrelay.worker.js from public/.
  { name: 'next', outDir: 'out', hubInApp: true, pages: ['/', '/prebuilt.html'] },
  { name: 'static', outDir: 'out', hubInApp: false },
  // Tests itself with tabrelay/testing (its own @playwright/test, Chromium and Firefox).
  { name: 'playwright', outDir: 'out', hubInApp: false, hasOwnSuite: true },
]

/** Compiled only (tsc against the packed .d.ts), never served. */
export const TYPES_APP = 'types'

/** test/consumers/ on disk. */
export const CONSUMERS_DIR = new URL('./', import.meta.url)

/** test/consumers/apps/ on disk: the root tsconfig leaves it out, each app has its own. */
export const APPS_DIR = new URL('./apps/', import.meta.url)
