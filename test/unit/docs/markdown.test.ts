/**
 * The docs check's Markdown reading: TypeScript blocks with their line, heading anchors, and
 * relative links that point nowhere.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { anchorOf, blocksOf, brokenLinks } from '../../docs/markdown.ts'

const dirs: string[] = []
afterEach(async () => { for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true }) })

describe('docs markdown', () => {
  it('finds ts and tsx blocks with the line their code starts on, and nothing else', () => {
    const text = ['# T', '```ts', 'const a = 1', '```', '```js', 'ignored()', '```', '```tsx', 'const b = <p />', 'const c = 2', '```'].join('\n')
    expect(blocksOf(text)).toEqual([
      { lang: 'ts', line: 3, code: 'const a = 1' },
      { lang: 'tsx', line: 9, code: 'const b = <p />\nconst c = 2' },
    ])
  })

  it('anchors headings as GitHub and VitePress do', () => {
    expect(anchorOf('Plain WebSocket (Django Channels)')).toBe('plain-websocket-django-channels')
    expect(anchorOf('`useRelay()` and more')).toBe('userelay-and-more')
  })

  it('reports relative links to missing files and anchors, not external ones or links inside code', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tabrelay-docs-'))
    dirs.push(dir)
    await writeFile(join(dir, 'guide.md'), '# Guide\n## Quick start\n')
    const text = ['[ok](guide.md#quick-start)', '[page](guide)', '[gone](missing.md)', '[bad anchor](guide.md#nope)', '[web](https://example.com/x)', '```ts', '// [in code](nowhere.md)', '```'].join('\n')
    expect(await brokenLinks(join(dir, 'README.md'), text)).toEqual(['missing.md', 'guide.md#nope'])
  })
})
