/**
 * package.json must say what test/package/entries.ts says: a subpath added there and not here (or the
 * reverse) would build a file nobody can import, or export a file that is never built.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ENTRIES, expectedExports, expectedSideEffects } from '../../package/entries.ts'

interface PackageJson {
  exports?: unknown
  sideEffects?: unknown
  files?: unknown
}

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as PackageJson

describe('package.json against test/package/entries.ts', () => {
  it('exports every entry, types first, and nothing else', () => {
    const expected = expectedExports()
    expect(pkg.exports, `set package.json "exports" to:\n${JSON.stringify(expected, null, 2)}`).toStrictEqual(expected)
    for (const target of Object.values(expected)) {
      if (typeof target !== 'string') expect(Object.keys(target)[0]).toBe('types')
    }
  })

  it('lists exactly the files that start a hub as side effects', () => {
    expect(pkg.sideEffects).toStrictEqual(expectedSideEffects())
  })

  it('ships dist/ only (npm adds README, LICENSE and package.json)', () => {
    expect(pkg.files).toStrictEqual(['dist'])
  })

  it('builds each entry from a source that exists', () => {
    for (const entry of ENTRIES) expect(() => readFileSync(new URL(`../../../${entry.source}`, import.meta.url))).not.toThrow()
  })
})
