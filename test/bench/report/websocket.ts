/**
 * Rows and the goal for the plain-WebSocket transport (issue 14): tabrelay's one socket in the
 * SharedWorker against a `new WebSocket` per tab, on the demo server's inbox endpoint.
 */
import type { Goal, Results } from '../results.ts'
import type { WsResult, WsSide } from '../scenarios/websocket.ts'
import { cell, fmtSpread, valueOf } from './format.ts'

type Row = [string, string, string, string, string]

function socketsAt(side: WsSide, tabs: number): string {
  const row = side.sockets.find((s) => s.tabs === tabs)
  return row === undefined ? '?' : String(row.sockets)
}

/**
 * The WebSocket rows; the per-tab socket goes in the per-tab column.
 * @example
 * const rows = websocketRows(results)
 */
export function websocketRows(r: Results): Row[] {
  if (r.websocket === undefined) return []
  const v = valueOf(r.websocket)
  const other = (show: (x: WsResult) => string): string => (v === undefined ? '' : show(v))
  const counts = (v?.tabrelay.sockets ?? []).map((s) => s.tabs)
  const label = counts.length > 0 ? counts.join(' / ') : '1 / 5 / 10'
  return [
    [`WebSocket, ${label} tabs of one user: sockets at the server`,
      cell(r.websocket, (x) => counts.map((n) => socketsAt(x.tabrelay, n)).join(' / ')),
      other((x) => `${counts.map((n) => socketsAt(x.socket, n)).join(' / ')} (WebSocket per tab)`), '', other((x) => `${socketsAt(x.socket, x.tabs)} vs ${socketsAt(x.tabrelay, x.tabs)} at ${x.tabs} tabs`)],
    [`WebSocket fan-out p50 / p99 ms (${v?.rate ?? '?'} msg/s, ${v?.tabs ?? '?'} tabs, ${v?.tabrelay.p50Ms.n ?? 0} interleaved rounds)`,
      cell(r.websocket, (x) => `${fmtSpread(x.tabrelay.p50Ms, 2)} / ${fmtSpread(x.tabrelay.p99Ms, 2)}`),
      other((x) => `${fmtSpread(x.socket.p50Ms, 2)} / ${fmtSpread(x.socket.p99Ms, 2)}`), '', other((x) => `lost ${x.tabrelay.lost} vs ${x.socket.lost}`)],
  ]
}

/**
 * Issue 14's point: one socket at the server however many tabs the user opens.
 * @example
 * goals.push(websocketGoal(results))
 */
export function websocketGoal(r: Results): Goal {
  const goal = 'WebSocket: 1 socket for N tabs'
  const v = valueOf(r.websocket)
  if (v === undefined) return { goal, measured: 'not measured', status: 'undecided', note: r.websocket?.ok === false ? r.websocket.failed : 'did not run' }
  const mine = v.tabrelay.sockets
  const isMet = mine.length > 0 && mine.every((s) => s.sockets === 1) && v.tabrelay.lost === 0
  const measured = `${mine.map((s) => `${s.tabs}→${s.sockets}`).join(', ')} (tabs→sockets); WebSocket per tab ${v.socket.sockets.map((s) => `${s.tabs}→${s.sockets}`).join(', ')}`
  const worst = Math.max(0, ...mine.map((s) => s.sockets - 1))
  const notes = [worst > 0 ? `misses by ${worst} extra socket(s)` : '', v.tabrelay.lost > 0 ? `lost ${v.tabrelay.lost} message(s)` : '']
  return { goal, measured, status: isMet ? 'met' : 'missed', note: notes.filter((n) => n !== '').join('; ') }
}
