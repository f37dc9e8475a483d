/**
 * `npm run test:consumers` step 3: the consumer apps that bring their own Playwright suite run it
 * (`npm test` in the app, with the app's own @playwright/test and tabrelay from the tarball), after
 * build.ts built them. `tsx test/consumers/suites.ts playwright` runs the apps named only.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { APPS, APPS_DIR } from './apps.ts'

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const only = process.argv.slice(2)
const suites = APPS.filter((app) => app.hasOwnSuite && (only.length === 0 || only.includes(app.name)))
if (suites.length === 0) throw new Error(`no consumer app with its own suite among ${only.join(', ') || 'the apps'}`)
for (const app of suites) {
  console.log(`consumers: ${app.name}: npm test`)
  const result = spawnSync(npm, ['test', '--silent'], { cwd: join(fileURLToPath(APPS_DIR), app.name), stdio: 'inherit' })
  if (result.status !== 0) {
    console.error(`consumers: ${app.name}: its suite failed (exit ${result.status ?? result.signal})`)
    process.exit(1)
  }
}
