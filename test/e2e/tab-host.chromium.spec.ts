/**
 * Issue 16, the tab host crashed (`Page.crash`, a Chromium DevTools command): the next tab in the
 * lock queue hosts and every tab recovers, as when the host closes (tab-host.spec.ts).
 */
import { defineHandoverTest } from './support/tab-host.ts'

defineHandoverTest('crashed')
