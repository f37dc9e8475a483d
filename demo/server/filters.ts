/**
 * PostgREST-style `filter` strings of postgres_changes bindings: parsing and evaluation against a row
 * image (REALTIME_PROTOCOL.md §5.1). SQL semantics are approximated with three-valued logic so that
 * NULL fails ordinary comparisons and their negations alike.
 */

/** Operators the real server accepts. */
export const FILTER_OPS = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'like', 'ilike', 'is', 'match', 'imatch', 'isdistinct'] as const

/**
 * One filter operator name.
 *
 * @example
 * const op: FilterOp = 'ilike'
 */
export type FilterOp = (typeof FILTER_OPS)[number]

/**
 * One parsed `column=[not.]op.value` condition; `values` has one entry except for `in`.
 *
 * @example
 * const c: Condition = { column: 'id', isNegated: false, op: 'in', values: ['1', '2'] }
 */
export interface Condition {
  column: string
  isNegated: boolean
  op: FilterOp
  values: string[]
}

/**
 * Parse result: the AND-ed conditions, or the real server's error message.
 *
 * @example
 * const r: ParsedFilter = { ok: true, conditions: [] }
 */
export type ParsedFilter = { ok: true; conditions: Condition[] } | { ok: false; message: string }

const IS_VALUES = new Set(['null', 'true', 'false', 'unknown'])
const MAX_IN_VALUES = 100

/**
 * Parse a filter string; empty or whitespace means "no filter".
 *
 * @example
 * parseFilter('status=not.in.(a,"b,c"),id=gt.5') // ok, two conditions
 */
export function parseFilter(filter: string): ParsedFilter {
  if (filter.trim() === '') return { ok: true, conditions: [] }
  const conditions: Condition[] = []
  for (const part of splitOutside(filter, ',')) {
    const condition = parseCondition(part)
    if (condition === null) return { ok: false, message: parseError(part) }
    conditions.push(condition)
  }
  return { ok: true, conditions }
}

// The real message lists the offending pieces, e.g. Error parsing `filter` params: ["foo", "hey"].
function parseError(part: string): string {
  const pieces = part.split(/[=.]/).filter((p) => p !== '')
  return `Error parsing \`filter\` params: [${pieces.map((p) => JSON.stringify(p)).join(', ')}]`
}

/**
 * Parse one `column=[not.]op.value` condition (also a PostgREST query parameter `column` + `op.value`).
 *
 * @example
 * parseCondition("room=eq.lobby") // { column: "room", isNegated: false, op: "eq", values: ["lobby"] }
 */
export function parseCondition(part: string): Condition | null {
  const eq = part.indexOf('=')
  if (eq <= 0) return null
  const column = part.slice(0, eq).trim()
  let rest = part.slice(eq + 1)
  const isNegated = rest.startsWith('not.')
  if (isNegated) rest = rest.slice(4)
  const dot = rest.indexOf('.')
  if (dot < 0) return null
  const op = FILTER_OPS.find((o) => o === rest.slice(0, dot))
  if (op === undefined) return null
  const raw = rest.slice(dot + 1)
  const values = op === 'in' ? parseList(raw) : [unquote(raw)]
  if (values === null) return null
  if (op === 'is' && !IS_VALUES.has((values[0] ?? '').toLowerCase())) return null
  return { column, isNegated, op, values }
}

function parseList(raw: string): string[] | null {
  if (!raw.startsWith('(') || !raw.endsWith(')')) return null
  const inner = raw.slice(1, -1)
  const values = inner.trim() === '' ? [] : splitOutside(inner, ',').map((v) => unquote(v.trim()))
  return values.length > MAX_IN_VALUES ? null : values
}

/**
 * Split on `separator` outside double quotes and parentheses.
 *
 * @example
 * splitOutside('a=eq."x,y",b=in.(1,2)', ',') // ['a=eq."x,y"', 'b=in.(1,2)']
 */
export function splitOutside(text: string, separator: string): string[] {
  const parts: string[] = []
  let depth = 0
  let isQuoted = false
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '\\' && isQuoted) i++
    else if (ch === '"') isQuoted = !isQuoted
    else if (!isQuoted && ch === '(') depth++
    else if (!isQuoted && ch === ')') depth = Math.max(0, depth - 1)
    else if (!isQuoted && depth === 0 && ch === separator) {
      parts.push(text.slice(start, i))
      start = i + 1
    }
  }
  parts.push(text.slice(start))
  return parts
}

function unquote(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value
  return value.slice(1, -1).replace(/\\(.)/g, '$1')
}

/**
 * True when the row satisfies every condition; a missing column fails the filter (§5.1).
 *
 * @example
 * matchesFilter(parsed.conditions, { id: 7, status: 'open' })
 */
export function matchesFilter(conditions: Condition[], row: Record<string, unknown>): boolean {
  return conditions.every((c) => Object.hasOwn(row, c.column) && evaluate(c, row[c.column]) === true)
}

// null stands for SQL UNKNOWN: NOT UNKNOWN is still UNKNOWN, so a negated comparison on NULL fails too.
function evaluate(c: Condition, value: unknown): boolean | null {
  const result = compare(c, value)
  if (result === null) return null
  return c.isNegated ? !result : result
}

function compare(c: Condition, value: unknown): boolean | null {
  const literal = c.values[0] ?? ''
  if (c.op === 'is') return isCheck(value, literal.toLowerCase())
  if (c.op === 'isdistinct') return value === null ? literal !== 'null' : !equalsLiteral(value, literal)
  if (value === null || value === undefined) return null
  switch (c.op) {
    case 'eq': return equalsLiteral(value, literal)
    case 'neq': return !equalsLiteral(value, literal)
    case 'in': return c.values.some((v) => equalsLiteral(value, v))
    case 'like': return likeRegex(literal, '').test(String(value))
    case 'ilike': return likeRegex(literal, 'i').test(String(value))
    case 'match': return safeRegex(literal, '')?.test(String(value)) ?? false
    case 'imatch': return safeRegex(literal, 'i')?.test(String(value)) ?? false
    default: return order(value, literal, c.op)
  }
}

function isCheck(value: unknown, literal: string): boolean {
  if (literal === 'null' || literal === 'unknown') return value === null
  return value === (literal === 'true')
}

// The literal is cast to the column's type; the row value's JS type stands in for that type.
function equalsLiteral(value: unknown, literal: string): boolean {
  if (typeof value === 'number') return literal.trim() !== '' && Number(literal) === value
  if (typeof value === 'boolean') return ['true', 't'].includes(literal.toLowerCase()) === value
  if (typeof value === 'object') return JSON.stringify(value) === JSON.stringify(safeJson(literal))
  return String(value) === literal
}

function order(value: unknown, literal: string, op: FilterOp): boolean {
  const [a, b]: [number | string, number | string] =
    typeof value === 'number' ? [value, Number(literal)] : [String(value), literal]
  if (op === 'lt') return a < b
  if (op === 'lte') return a <= b
  if (op === 'gt') return a > b
  return a >= b
}

function likeRegex(pattern: string, flags: string): RegExp {
  // PostgREST lets `*` stand for `%` in URLs; `_` is one character.
  const body = Array.from(pattern, (ch) => {
    if (ch === '%' || ch === '*') return '.*'
    if (ch === '_') return '.'
    return ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
  }).join('')
  return new RegExp(`^${body}$`, `${flags}s`)
}

function safeRegex(pattern: string, flags: string): RegExp | null {
  try {
    return new RegExp(pattern, flags)
  } catch {
    return null
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
