/**
 * The read side of the PostgREST subset as SQL: `select=`, horizontal filters (`col=op.value`),
 * `order=`, `limit=`, `offset=`, checked against the table's columns and turned into one statement
 * with `$n` parameters, whose single row is the JSON answer (as PostgREST builds it, with json_agg).
 */
import { parseCondition, type Condition } from './filters.ts'

/**
 * A request the subset cannot serve, with PostgREST's error fields.
 *
 * @example
 * throw new RestError(400, { code: 'PGRST100', message: 'failed to parse order (x.up)' })
 */
export class RestError extends Error {
  readonly status: number
  readonly code: string
  readonly details: string | null
  readonly hint: string | null

  constructor(status: number, fields: { code: string; message: string; details?: string | null; hint?: string | null }) {
    super(fields.message)
    this.status = status
    this.code = fields.code
    this.details = fields.details ?? null
    this.hint = fields.hint ?? null
  }
}

/**
 * A statement and its parameters.
 *
 * @example
 * const { sql, params } = selectQuery(table, url.searchParams)
 */
export interface Statement {
  sql: string
  params: unknown[]
}

/**
 * A table as the subset sees it: `public.<name>` and its columns in order.
 *
 * @example
 * const table: RestTable = { name: 'messages', columns: ['id', 'room', 'name', 'text', 'created_at'] }
 */
export interface RestTable {
  name: string
  columns: string[]
}

// Query parameters that are not filters.
const RESERVED = new Set(['select', 'order', 'limit', 'offset', 'columns', 'apikey', 'on_conflict'])

/**
 * Double-quotes an identifier for SQL.
 *
 * @example
 * quoteIdent('created_at') // '"created_at"'
 */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/**
 * The column list of `select=` (`*` or `a,b`); unknown columns are the database's 42703 error.
 *
 * @example
 * selectList(table, 'id,text') // '"id", "text"'
 */
export function selectList(table: RestTable, select: string | null): string {
  const names = (select ?? '*').split(',').map((s) => s.trim()).filter((s) => s !== '')
  if (names.length === 0 || names.includes('*')) return '*'
  return names.map((name) => columnOf(table, name)).join(', ')
}

function columnOf(table: RestTable, name: string): string {
  if (!table.columns.includes(name)) {
    throw new RestError(400, { code: '42703', message: `column ${table.name}.${name} does not exist` })
  }
  return quoteIdent(name)
}

/**
 * The `select … from public.<table> where … order by … limit …` statement of a GET.
 *
 * @example
 * selectQuery(table, new URLSearchParams('select=*&room=eq.lobby&order=id.desc&limit=50'))
 */
export function selectQuery(table: RestTable, search: URLSearchParams): Statement {
  const params: unknown[] = []
  const where = whereClause(table, search, params)
  const order = orderClause(table, search.get('order'))
  const limit = count(search, 'limit')
  const offset = count(search, 'offset')
  const inner = [
    `select ${selectList(table, search.get('select'))} from public.${quoteIdent(table.name)}`,
    where === '' ? '' : `where ${where}`,
    order === '' ? '' : `order by ${order}`,
    limit === null ? '' : `limit ${limit}`,
    offset === null ? '' : `offset ${offset}`,
  ].filter((part) => part !== '').join(' ')
  return { sql: `select coalesce(json_agg(_row), '[]'::json) as body from (${inner}) _row`, params }
}

function count(search: URLSearchParams, key: string): number | null {
  const raw = search.get(key)
  if (raw === null) return null
  if (!/^\d+$/.test(raw)) throw new RestError(400, { code: 'PGRST100', message: `failed to parse ${key} (${raw})` })
  return Number(raw)
}

function whereClause(table: RestTable, search: URLSearchParams, params: unknown[]): string {
  const parts: string[] = []
  for (const [key, value] of search) {
    if (RESERVED.has(key)) continue
    const condition = parseCondition(`${key}=${value}`)
    if (condition === null) throw new RestError(400, { code: 'PGRST100', message: `failed to parse filter (${value})` })
    const sql = conditionSql(columnOf(table, condition.column), condition, params)
    parts.push(condition.isNegated ? `not (${sql})` : sql)
  }
  return parts.join(' and ')
}

function conditionSql(column: string, c: Condition, params: unknown[]): string {
  const bind = (value: unknown): string => {
    params.push(value)
    return `$${params.length}`
  }
  const value = c.values[0] ?? ''
  switch (c.op) {
    case 'eq': return `${column} = ${bind(value)}`
    case 'neq': return `${column} <> ${bind(value)}`
    case 'lt': return `${column} < ${bind(value)}`
    case 'lte': return `${column} <= ${bind(value)}`
    case 'gt': return `${column} > ${bind(value)}`
    case 'gte': return `${column} >= ${bind(value)}`
    // An empty list matches nothing, as `in ()` would if SQL allowed it.
    case 'in': return c.values.length === 0 ? 'false' : `${column} in (${c.values.map(bind).join(', ')})`
    // PostgREST lets `*` stand for `%` in URLs.
    case 'like': return `${column}::text like ${bind(value.replace(/\*/g, '%'))}`
    case 'ilike': return `${column}::text ilike ${bind(value.replace(/\*/g, '%'))}`
    case 'match': return `${column}::text ~ ${bind(value)}`
    case 'imatch': return `${column}::text ~* ${bind(value)}`
    case 'isdistinct': return `${column} is distinct from ${bind(value)}`
    case 'is': return `${column} is ${isLiteral(value)}`
  }
}

function isLiteral(value: string): string {
  const lower = value.toLowerCase()
  if (lower === 'null' || lower === 'true' || lower === 'false' || lower === 'unknown') return lower
  throw new RestError(400, { code: 'PGRST100', message: `failed to parse filter (is.${value})` })
}

function orderClause(table: RestTable, order: string | null): string {
  if (order === null || order.trim() === '') return ''
  return order.split(',').map((term) => {
    const [name = '', ...modifiers] = term.trim().split('.')
    const sql = [columnOf(table, name)]
    for (const modifier of modifiers) {
      const keyword = ORDER_MODIFIERS[modifier]
      if (keyword === undefined) throw new RestError(400, { code: 'PGRST100', message: `failed to parse order (${term})` })
      sql.push(keyword)
    }
    return sql.join(' ')
  }).join(', ')
}

const ORDER_MODIFIERS: Record<string, string> = { asc: 'asc', desc: 'desc', nullsfirst: 'nulls first', nullslast: 'nulls last' }

/**
 * The `insert … returning` statement of a POST: the columns are the keys of the rows (or `columns=`),
 * a key missing from one row is NULL there, as in PostgREST; the rows come back in `select=` shape.
 *
 * @example
 * insertQuery(table, [{ room: 'lobby', name: 'alice', text: 'hi' }], new URLSearchParams('select=*'))
 */
export function insertQuery(table: RestTable, rows: Record<string, unknown>[], search: URLSearchParams): Statement {
  const listed = search.get('columns')
  const keys = listed === null ? [...new Set(rows.flatMap((row) => Object.keys(row)))] : listed.split(',').map((k) => k.trim().replace(/^"|"$/g, ''))
  const columns = keys.map((key) => columnOf(table, key))
  const target = `public.${quoteIdent(table.name)}`
  const insert = columns.length === 0
    ? `insert into ${target} default values returning *`
    : `insert into ${target} (${columns.join(', ')}) select ${columns.join(', ')} from json_populate_recordset(null::${target}, $1::json) returning *`
  const select = selectList(table, search.get('select'))
  return {
    sql: `with inserted as (${insert}) select coalesce(json_agg(_row), '[]'::json) as body from (select ${select} from inserted) _row`,
    params: columns.length === 0 ? [] : [JSON.stringify(rows)],
  }
}
