/**
 * What the docs check reads from Markdown: fenced TypeScript blocks and relative links. Pure
 * functions of the text, apart from the file existence check.
 */
import { access, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/**
 * A fenced ```ts or ```tsx block and the line its code starts on.
 * @example
 * const block: CodeBlock = { lang: 'ts', line: 12, code: "import { createRelay } from 'tabrelay'" }
 */
export interface CodeBlock {
  lang: 'ts' | 'tsx'
  line: number
  code: string
}

/**
 * The TypeScript blocks of a Markdown text, in order.
 * @example
 * blocksOf('```ts\nconst a = 1\n```') // [{ lang: 'ts', line: 2, code: 'const a = 1' }]
 */
export function blocksOf(text: string): CodeBlock[] {
  const blocks: CodeBlock[] = []
  const lines = text.split('\n')
  let open: { lang: 'ts' | 'tsx'; line: number; code: string[] } | null = null
  lines.forEach((line, index) => {
    if (open === null) {
      const fence = /^```(tsx?)\s*$/.exec(line)
      if (fence?.[1] === 'ts' || fence?.[1] === 'tsx') open = { lang: fence[1], line: index + 2, code: [] }
      return
    }
    if (/^```\s*$/.test(line)) {
      blocks.push({ lang: open.lang, line: open.line, code: open.code.join('\n') })
      open = null
      return
    }
    open.code.push(line)
  })
  return blocks
}

/**
 * GitHub's (and VitePress's) anchor of a heading: lower case, punctuation dropped, spaces to dashes.
 * @example
 * anchorOf('Plain WebSocket (Django Channels)') // 'plain-websocket-django-channels'
 */
export function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/`/g, '').replace(/[^\p{L}\p{N}\s-]/gu, '').replace(/\s/g, '-')
}

function anchorsOf(text: string): Set<string> {
  const found = new Set<string>()
  for (const match of text.matchAll(/^#{1,6}\s+(.+)$/gm)) if (match[1] !== undefined) found.add(anchorOf(match[1]))
  return found
}

/**
 * Relative links of `file` (Markdown `[..](target)`) whose file or `#anchor` does not exist;
 * links with a scheme (https:, mailto:) are not followed (no network here).
 * @example
 * await brokenLinks('README.md', text) // ['docs/nope.md']
 */
export async function brokenLinks(file: string, text: string): Promise<string[]> {
  const broken: string[] = []
  const prose = text.replace(/^```[\s\S]*?^```$/gm, '')
  for (const match of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = match[1] ?? ''
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue
    const [path = '', anchor] = target.split('#')
    const resolved = path === '' ? file : resolveDoc(join(dirname(file), path))
    const body = await readIfExists(resolved)
    if (body === null) broken.push(target)
    else if (anchor !== undefined && anchor !== '' && resolved.endsWith('.md') && !anchorsOf(body).has(anchor)) broken.push(target)
  }
  return broken
}

// VitePress links name pages without `.md` (cleanUrls) or as a folder's index.
function resolveDoc(path: string): string {
  if (/\.[a-z]+$/i.test(path)) return path
  return path.endsWith('/') ? `${path}index.md` : `${path}.md`
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    await access(path)
    return path.endsWith('.md') ? await readFile(path, 'utf8') : ''
  } catch {
    return null
  }
}
