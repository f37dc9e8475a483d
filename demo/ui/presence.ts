/**
 * Who is online and who is typing, from the channel's presence state. Presence is keyed by user
 * name, and the hub keeps one presence per user connection, so this lists users, not tabs.
 */
import type { PresenceState } from '../../src/supabase/index.ts'
import { h, setText } from './dom.ts'

/** One online user. */
export interface OnlineUser {
  name: string
  isTyping: boolean
}

/**
 * Users in the state, sorted by name; typing if any of their metas says so.
 * @example
 * onlineUsers({ bob: [{ presence_ref: 'r', name: 'bob', typing: true }] }) // [{ name: 'bob', isTyping: true }]
 */
export function onlineUsers(state: PresenceState): OnlineUser[] {
  return Object.entries(state)
    .filter(([, metas]) => metas.length > 0)
    .map(([key, metas]) => {
      const named = metas.find((m) => typeof m['name'] === 'string')?.['name']
      return { name: typeof named === 'string' ? named : key, isTyping: metas.some((m) => m['typing'] === true) }
    })
    .sort((a, b) => a.name.localeCompare(b.name))
}

/**
 * "bob is typing…", "bob and carol are typing…", or '' when nobody else is.
 * @example
 * typingLine(['bob']) // 'bob is typing…'
 */
export function typingLine(names: readonly string[]): string {
  if (names.length === 0) return ''
  if (names.length === 1) return `${names[0]} is typing…`
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are typing…`
}

/**
 * Renders the online list and the typing line into the given elements.
 * @example
 * const render = mountPresence('alice', list, typing, count); render(room.presenceState())
 */
export function mountPresence(user: string, list: HTMLElement, typing: HTMLElement, count: HTMLElement): (state: PresenceState) => void {
  return (state) => {
    const users = onlineUsers(state)
    list.replaceChildren(...users.map((u) => h('li', { class: u.isTyping ? 'user typing' : 'user', testid: 'presence-user', 'data-user': u.name },
      h('span', { class: 'avatar', style: `--hue:${hueOf(u.name)}` }, u.name.slice(0, 1).toUpperCase()),
      h('span', { class: 'user-name' }, u.name),
      u.name === user ? h('span', { class: 'you' }, 'you') : '')))
    setText(count, String(users.length))
    setText(typing, typingLine(users.filter((u) => u.isTyping && u.name !== user).map((u) => u.name)))
  }
}

/**
 * A stable hue per name, so a user keeps their colour in every tab.
 * @example
 * hueOf('alice') // 0..359
 */
export function hueOf(name: string): number {
  let hash = 0
  for (const char of name) hash = (Math.imul(hash, 31) + (char.codePointAt(0) ?? 0)) >>> 0
  // Golden-angle steps spread similar names over the colour wheel.
  return Math.round((hash % 997) * 137.508) % 360
}
