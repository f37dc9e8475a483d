/**
 * Issue 4, a crashed tab (`Page.crash`, a Chromium DevTools command) is released within 1 s; the
 * closed-tab twin runs in every browser (lifecycle-tabs.spec.ts).
 */
import { defineReleaseTest } from './support/release.ts'

defineReleaseTest('crashed')
