/**
 * The panel's DOM, rebuilt from the model on every poll. Built with `textContent` only: topic
 * names, tab ids and error messages come from other tabs and the server, so none is parsed as HTML.
 */
import type { InspectedTab, InspectedTopic, JournalEntry } from '../contract/inspect.ts'
import type { DevtoolsModel, Rates } from './model.ts'

type Attrs = Record<string, string | number | boolean | null | undefined>
type Child = Node | string | null

/** Builds an element; attributes that are `null`/`undefined` are left out, booleans spelled out. */
function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) if (value !== null && value !== undefined) el.setAttribute(name, String(value))
  for (const child of children) if (child !== null) el.append(child)
  return el
}

function ago(now: number, at: number | null): string {
  if (at === null) return '–'
  const s = Math.max(0, now - at) / 1000
  return s < 60 ? `${s.toFixed(1)} s ago` : `${Math.round(s / 60)} min ago`
}

function clock(at: number): string {
  return new Date(at).toISOString().slice(11, 23)
}

function section(title: string, testid: string, ...children: Child[]): HTMLElement {
  return h('section', { 'data-testid': testid }, h('h3', {}, title), ...children)
}

function tabRow(tab: InspectedTab, now: number): HTMLElement {
  const flags = [tab.isSelf ? 'this tab' : '', tab.isLeader ? 'leader' : '', tab.focused ? 'focused' : '', tab.isFrozenSuspect ? 'frozen?' : ''].filter(Boolean).join(', ')
  return h('tr', { 'data-testid': 'devtools-tab', 'data-tab-id': tab.tabId, 'data-self': tab.isSelf, 'data-leader': tab.isLeader, 'data-visibility': tab.visibility, 'data-frozen': tab.isFrozenSuspect },
    h('td', {}, tab.tabId.slice(0, 8)), h('td', {}, tab.visibility), h('td', {}, flags),
    h('td', {}, ago(now, tab.lastBeatAt)), h('td', {}, `${tab.outbox.queued} / ${tab.outbox.peak} / ${tab.outbox.overflows}`))
}

/** A sparkline of messages/s: in (solid) and out (dashed), scaled to the larger. */
function spark(rates: Rates | undefined): Child {
  if (!rates || rates.in.length < 2) return '–'
  const max = Math.max(1, ...rates.in, ...rates.out)
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg')
  svg.setAttribute('viewBox', '0 0 60 16')
  svg.setAttribute('width', '90')
  svg.setAttribute('height', '18')
  for (const [samples, dash] of [[rates.in, ''], [rates.out, '2 2']] as const) {
    const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline')
    line.setAttribute('points', samples.map((v, i) => `${i * (60 / Math.max(1, samples.length - 1))},${16 - (v / max) * 15}`).join(' '))
    line.setAttribute('fill', 'none')
    line.setAttribute('stroke', 'currentColor')
    if (dash) line.setAttribute('stroke-dasharray', dash)
    svg.append(line)
  }
  return svg
}

function topicRow(topic: InspectedTopic, rates: Rates | undefined, now: number): HTMLElement {
  const last = (samples: number[] | undefined): string => (samples?.at(-1) ?? 0).toFixed(1)
  const subs = topic.subs.map((s) => `${s.tabId.slice(0, 8)}#${s.subId}`).join(' ')
  return h('tr', { 'data-testid': 'devtools-topic', 'data-topic': topic.topic, 'data-status': topic.status },
    h('td', {}, topic.topic), h('td', {}, topic.status), h('td', {}, String(topic.presence)), h('td', {}, ago(now, topic.since)),
    h('td', {}, `${topic.received} in (${last(rates?.in)}/s) · ${topic.sent} out (${last(rates?.out)}/s)`), h('td', {}, spark(rates)), h('td', {}, subs))
}

/** One line of the journal, as words. */
export function describe(entry: JournalEntry): string {
  switch (entry.kind) {
    case 'status': return `${entry.status}${entry.attempt ? ` (attempt ${entry.attempt}` + (entry.retryAt ? `, retry at ${clock(entry.retryAt)})` : ')') : ''}${entry.error ? `: ${entry.error.code} ${entry.error.message}` : ''}`
    case 'tab-added': return `tab ${entry.tabId} added (${entry.visibility})`
    case 'tab-removed': return `tab ${entry.tabId} removed (${entry.reason})`
    case 'visibility': return entry.anyVisible ? 'a tab is visible' : 'every tab is hidden'
    case 'leader': return `leader: ${entry.tabId ?? 'none'}`
    case 'joined': case 'left': return `tab ${entry.tabId} ${entry.kind} ${entry.topic} (#${entry.subId})`
    case 'overflow': return `tab ${entry.tabId} fell behind: backlog dropped, resync follows`
    case 'error': return `tab ${entry.tabId}: ${entry.error.code}: ${entry.error.message}`
  }
}

function entryItem(entry: JournalEntry, testid: string): HTMLElement {
  const attrs: Attrs = { 'data-testid': testid, 'data-kind': entry.kind, 'data-seq': entry.seq }
  if (entry.kind === 'status') attrs['data-status'] = entry.status
  if (entry.kind === 'error') Object.assign(attrs, { 'data-code': entry.error.code, 'data-tab-id': entry.tabId })
  if ('tabId' in entry && entry.tabId !== null) attrs['data-tab-id'] = entry.tabId
  return h('li', attrs, h('time', {}, clock(entry.at)), ' ', describe(entry))
}

/**
 * The panel's body for the model's current state.
 * @example
 * root.replaceChildren(renderPanel(model))
 */
export function renderPanel(model: DevtoolsModel): HTMLElement {
  const view = model.snapshot
  if (!view) return h('p', { 'data-testid': 'devtools-waiting' }, model.error ? `inspect() failed: ${model.error}` : 'Asking the hub…')
  const c = view.connection
  const statuses = model.journal.filter((e) => e.kind === 'status').slice(-30)
  const errors = model.journal.filter((e) => e.kind === 'error' || e.kind === 'overflow').slice(-20)
  return h('div', {},
    model.error ? h('p', { class: 'error' }, `last poll failed: ${model.error}`) : null,
    section('Connection', 'devtools-connection', h('p', { 'data-testid': 'devtools-status', 'data-status': c?.status ?? 'none' },
      c ? `${c.status} · ${c.transport} · ${c.endpoint} · sends waiting: ${c.sendQueue}${c.attempt ? ` · attempt ${c.attempt}` : ''}${c.retryAt ? ` · retry ${ago(c.retryAt, view.now).replace(' ago', '')}` : ''}${c.error ? ` · ${c.error.code}: ${c.error.message}` : ''}` : 'no connection'),
    h('ol', { 'data-testid': 'devtools-timeline' }, ...statuses.map((e) => entryItem(e, 'devtools-timeline-entry')))),
    section(`Tabs (${view.tabs.length})`, 'devtools-tabs', h('table', {}, h('tr', {}, ...['tab', 'visibility', '', 'last heartbeat', 'outbox queued / peak / overflows'].map((t) => h('th', {}, t))),
      ...view.tabs.map((tab) => tabRow(tab, view.now)))),
    section(`Topics (${view.topics.length})`, 'devtools-topics', h('table', {}, h('tr', {}, ...['topic', 'status', 'presence', 'last event', 'messages', 'msg/s', 'subscriptions'].map((t) => h('th', {}, t))),
      ...view.topics.map((topic) => topicRow(topic, model.rates.get(topic.topic), view.now)))),
    section('Errors', 'devtools-errors', h('ol', {}, ...errors.map((e) => entryItem(e, 'devtools-error')))),
    section('Journal', 'devtools-journal', h('ol', { reversed: '' }, ...model.journal.slice(-100).reverse().map((e) => entryItem(e, 'devtools-entry')))),
  )
}
