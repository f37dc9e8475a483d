/**
 * postgres_changes routing: join-time bindings with deterministic integer ids, and routing of captured
 * (capture.ts) or injected (`emitChange`) changes to channels (REALTIME_PROTOCOL.md §5).
 */
import { createHash } from 'node:crypto'
import { matchesFilter, parseFilter, type Condition } from './filters.ts'

/**
 * A parsed binding; `conditions` is null when its filter failed to parse, so it never matches.
 *
 * @example
 * const b: PgBinding = { id: 1, event: 'INSERT', schema: 'public', table: 'todos', conditions: [] }
 */
export interface PgBinding {
  id: number
  event: ChangeType | '*'
  schema: string
  table: string
  conditions: Condition[] | null
}

/**
 * Row change types the real server delivers (TRUNCATE is never delivered).
 *
 * @example
 * const t: ChangeType = 'UPDATE'
 */
export type ChangeType = 'INSERT' | 'UPDATE' | 'DELETE'

/**
 * An injected database change; `columns` defaults to names and types inferred from the row.
 *
 * @example
 * server.emitChange({ schema: 'public', table: 'todos', type: 'INSERT', record: { id: 1, title: 'a' } })
 */
export interface Change {
  schema: string
  table: string
  type: ChangeType
  record?: Record<string, unknown>
  old_record?: Record<string, unknown>
  columns?: { name: string; type: string }[]
  commit_timestamp?: string
  errors?: string[] | null
}

/**
 * Join-time result: the entries to echo (with ids), parsed bindings, and system error messages.
 *
 * @example
 * const { echoed, bindings, errors } = parseBindings(config.postgres_changes)
 */
export interface ParsedBindings {
  echoed: Record<string, unknown>[]
  bindings: PgBinding[]
  errors: string[]
}

const CHANGE_TYPES: readonly string[] = ['INSERT', 'UPDATE', 'DELETE']

/**
 * Parse the join's `postgres_changes` list; entries are echoed verbatim plus `id` (trap 4).
 *
 * @example
 * parseBindings([{ event: '*', schema: 'public', table: 'todos', filter: 'id=eq.1' }]).echoed[0]?.id
 */
export function parseBindings(list: unknown): ParsedBindings {
  const result: ParsedBindings = { echoed: [], bindings: [], errors: [] }
  if (!Array.isArray(list)) return result
  for (const entry of list) {
    const params = isRecord(entry) ? entry : {}
    const id = bindingId(params)
    result.echoed.push({ ...params, id })
    const parsed = parseBinding(id, params)
    result.bindings.push(parsed.binding)
    if (parsed.error !== undefined) result.errors.push(parsed.error)
  }
  return result
}

function parseBinding(id: number, params: Record<string, unknown>): { binding: PgBinding; error?: string } {
  const event = String(params['event'] ?? '*').toUpperCase()
  const schema = typeof params['schema'] === 'string' ? params['schema'] : undefined
  const table = typeof params['table'] === 'string' ? params['table'] : undefined
  const binding: PgBinding = {
    id,
    event: CHANGE_TYPES.includes(event) ? (event as ChangeType) : '*',
    schema: schema ?? 'public',
    table: table ?? '*',
    conditions: null,
  }
  if (schema === undefined && table === undefined) {
    return { binding, error: 'No subscription params provided. Please provide at least a `schema` or `table` to subscribe to.' }
  }
  const filter = typeof params['filter'] === 'string' ? params['filter'] : ''
  const parsed = parseFilter(filter)
  if (!parsed.ok) return { binding, error: parsed.message }
  binding.conditions = parsed.conditions
  return { binding }
}

/**
 * A deterministic non-negative 27-bit id for a binding entry (the range of Erlang's phash2); key order
 * does not matter, as with an Erlang map.
 *
 * @example
 * bindingId({ event: '*', schema: 'public' }) === bindingId({ schema: 'public', event: '*' }) // true
 */
export function bindingId(entry: unknown): number {
  const digest = createHash('sha256').update(stableJson(entry)).digest()
  return digest.readUInt32BE(0) & 0x7ffffff
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  if (isRecord(value)) {
    const keys = Object.keys(value).sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/**
 * Ids of the bindings a change matches; DELETE filters look at the old row image (§5.1).
 *
 * @example
 * matchingIds(channel.bindings, change) // e.g. [85643210]
 */
export function matchingIds(bindings: PgBinding[], change: Change): number[] {
  const row = (change.type === 'DELETE' ? change.old_record : change.record) ?? {}
  return bindings
    .filter((b) => b.conditions !== null)
    .filter((b) => b.event === '*' || b.event === change.type)
    .filter((b) => b.schema === '*' || b.schema === change.schema)
    .filter((b) => b.table === '*' || b.table === change.table)
    .filter((b) => matchesFilter(b.conditions ?? [], row))
    .map((b) => b.id)
}

/**
 * The `postgres_changes` payload for one channel (never send an `ids` key anywhere else).
 *
 * @example
 * pushOn(channel, 'postgres_changes', changePayload(change, [85643210]))
 */
export function changePayload(change: Change, ids: number[]): Record<string, unknown> {
  const data: Record<string, unknown> = {
    schema: change.schema,
    table: change.table,
    type: change.type,
    commit_timestamp: change.commit_timestamp ?? new Date().toISOString(),
    columns: change.columns ?? inferColumns(change.record ?? change.old_record ?? {}),
  }
  if (change.type !== 'DELETE') data['record'] = change.record ?? {}
  if (change.type !== 'INSERT') data['old_record'] = change.old_record ?? {}
  data['errors'] = change.errors ?? null
  return { ids, data }
}

function inferColumns(row: Record<string, unknown>): { name: string; type: string }[] {
  return Object.entries(row).map(([name, value]) => ({ name, type: pgType(value) }))
}

function pgType(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'int8' : 'float8'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'string' || value === null) return 'text'
  return 'jsonb'
}

/**
 * True for a plain JSON object (not null, not an array).
 *
 * @example
 * isRecord({}) // true; isRecord([]) // false
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Validate an untrusted change (from `POST /dev/emit`); returns null when it is not a change.
 *
 * @example
 * const change = toChange(JSON.parse(body)); if (change) server.emitChange(change)
 */
export function toChange(value: unknown): Change | null {
  if (!isRecord(value)) return null
  const { schema, table, type, record, old_record: oldRecord, columns, commit_timestamp: at } = value
  if (typeof schema !== 'string' || typeof table !== 'string') return null
  if (typeof type !== 'string' || !CHANGE_TYPES.includes(type)) return null
  const change: Change = { schema, table, type: type as ChangeType }
  if (isRecord(record)) change.record = record
  if (isRecord(oldRecord)) change.old_record = oldRecord
  if (Array.isArray(columns)) change.columns = columns.filter(isColumn)
  if (typeof at === 'string') change.commit_timestamp = at
  return change
}

function isColumn(value: unknown): value is { name: string; type: string } {
  return isRecord(value) && typeof value['name'] === 'string' && typeof value['type'] === 'string'
}
