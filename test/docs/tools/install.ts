/**
 * This folder's own package (typedoc and ESLint with TypeScript 5.9, which have the compiler API
 * TypeScript 7 lacks), installed with `npm ci` on first use.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))

/**
 * Installs this folder's tools once (`npm ci`): typedoc and ESLint with TypeScript 5.9.
 * @example
 * ensureTools() // then node_modules/.bin/eslint and node_modules/typedoc exist here
 */
export function ensureTools(): void {
  if (existsSync(join(here, 'node_modules/.bin/eslint')) && existsSync(join(here, 'node_modules/typedoc'))) return
  const result = spawnSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: here, stdio: 'inherit' })
  if (result.status !== 0) throw new Error(`npm ci in ${here} failed (exit ${String(result.status)})`)
}
